"""The one route table: path pattern -> handler class.

Patterns are anchored by Tornado (`^...$`), and ids are one path segment (`[^/]+`), so `/tasksXYZ` or
`/tasks/a/b` never reach a handler by accident; they fall through to the JSON 404 of `NotFoundHandler`.
Each feature adds its routes here and nowhere else. Files under `/static/` are routed by Tornado itself from the
`static_path` setting (ApplicationFactory), which also gives `static_url()` its cache-busting version hashes.
"""

from __future__ import annotations

from typing import Any

from tornado.web import RequestHandler

from src.request_handlers.cors_example import ExampleCORSHandler
from src.request_handlers.example_client import ExampleClientHandler
from src.request_handlers.health_check import HealthCheckHandler, ReadinessHandler
from src.request_handlers.locking_example import ExampleLockingHandler
from src.request_handlers.metrics import MetricsHandler
from src.request_handlers.tasks import TodoListEntryRequestHandler, TodoListRequestHandler
from src.request_handlers.view_example import ExampleViewHandler
from src.settings import PROJECT_ROOT

STATIC_PATH = PROJECT_ROOT / "views" / "static"
TEMPLATE_PATH = PROJECT_ROOT / "views" / "templates"

Route = tuple[str, type[RequestHandler]] | tuple[str, type[RequestHandler], dict[str, Any]]


class Router:
    """Builds the route list handed to `tornado.web.Application`."""

    @staticmethod
    def routes() -> list[Route]:
        return [
            (r"/", ExampleViewHandler),
            (r"/ping", HealthCheckHandler),
            (r"/health", ReadinessHandler),
            (r"/cors", ExampleCORSHandler),
            (r"/tasks", TodoListRequestHandler),
            (r"/tasks/(?P<task_id>[^/]+)", TodoListEntryRequestHandler),
            (r"/locking/(?P<lock_id>[^/]+)", ExampleLockingHandler),
            (r"/client", ExampleClientHandler),
            (r"/metrics", MetricsHandler),
        ]
