"""`ApplicationFactory`: the `tornado.web.Application` from the Router map and the settings."""

from __future__ import annotations

from typing import Any

from tornado.web import Application

from src.lifecycle import InFlightRequests
from src.request_handlers.not_found import NotFoundHandler
from src.request_handlers.static_files import StaticFilesHandler
from src.server.router import STATIC_PATH, TEMPLATE_PATH, Route, Router
from src.settings import ApplicationContext
from src.utils.logging.access_log import log_request


class ApplicationFactory:
    @staticmethod
    def create(context: ApplicationContext, routes: list[Route] | None = None, **components: Any) -> Application:
        """`components` are the per-process objects (db, lock_manager, health_checks...) handlers read;
        `routes` defaults to the Router's table (tests add their own probe handlers to it)."""
        settings: dict[str, Any] = {
            "context": context,
            "in_flight": InFlightRequests(),
            "health_checks": {},
            "compress_response": True,
            "default_handler_class": NotFoundHandler,
            "template_path": str(TEMPLATE_PATH),
            "static_path": str(STATIC_PATH),
            "static_handler_class": StaticFilesHandler,
            "debug": context.server.traces_to_client,
            "autoreload": False,
            "serve_traceback": context.server.traces_to_client,
            "xheaders": False,
            "log_function": log_request,  # the canonical logfmt line of each request
        }
        settings.update(components)
        return Application(Router.routes() if routes is None else routes, **settings)

