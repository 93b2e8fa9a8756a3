"""`ApplicationFactory`: the `tornado.web.Application` from the Router map and the worker's `Components`."""

from __future__ import annotations

from typing import Any

from tornado.web import Application

from src.request_handlers.not_found import NotFoundHandler
from src.request_handlers.static_files import StaticFilesHandler
from src.server.components import Components
from src.server.metrics_startup import route_templates
from src.server.router import STATIC_PATH, TEMPLATE_PATH, Route, Router


class ApplicationFactory:
    @staticmethod
    def create(components: Components, routes: list[Route] | None = None) -> Application:
        """`routes` defaults to the Router's table (tests add their own probe handlers to it). Handlers receive
        what they use through `initialize()` from the table; the settings carry only the frozen context."""
        context = components.context
        rules = Router.routes(components) if routes is None else routes
        for recorder in components.accounting.recorders:
            recorder.use_route_templates(route_templates(rules))
        settings: dict[str, Any] = {
            "context": context,
            "components": components,
            # The running features' parts of the OpenAPI document, built from the served routes at /openapi.json.
            "openapi": Router.openapi(Router.features(context)),
            "in_flight": components.accounting.in_flight,
            "compress_response": True,
            "default_handler_class": NotFoundHandler,
            "template_path": str(TEMPLATE_PATH),
            "static_path": str(STATIC_PATH),
            "static_handler_class": StaticFilesHandler,
            "debug": context.server.traces_to_client,
            "autoreload": False,
            "serve_traceback": context.server.traces_to_client,
            "xheaders": False,
            # The canonical logfmt line of each request (counted first when metrics are on).
            "log_function": components.accounting.log_function,
        }
        return Application(rules, **settings)
