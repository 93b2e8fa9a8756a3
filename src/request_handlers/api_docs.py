"""`GET /openapi.json` (the OpenAPI 3.1 document of this very Application's routes) and `GET /docs` (Swagger UI
rendering it, from the assets the `swagger-ui-bundle-v2` package ships, served under `/docs/assets/`: no CDN,
no inline script or style, so it runs under `default-src 'self'`)."""

from __future__ import annotations

import functools
import weakref
from pathlib import Path

from tornado.routing import PathMatches
from tornado.web import Application

from src.request_handlers.custom_request_handler import CustomRequestHandler
from src.request_handlers.json_body import encode_json
from src.request_handlers.openapi.document import build_document
from src.request_handlers.static_files import StaticFilesHandler
from src.request_handlers.view_example import PAGE_CSP

DOCS_CSP = PAGE_CSP  # the page's own policy; Swagger UI needs nothing more
# Built once per Application, on the first request: the document describes the routes really served.
_documents: weakref.WeakKeyDictionary[Application, bytes] = weakref.WeakKeyDictionary()


@functools.cache
def swagger_ui_assets() -> Path:
    """The folder of Swagger UI's files inside the installed package."""
    # At the first request for one: the package finds its folder with importlib.resources (and zipfile), which
    # nothing else at start-up imports.
    import swagger_ui_bundle  # noqa: PLC0415

    return Path(str(swagger_ui_bundle.swagger_ui_path))


def openapi_document(application: Application) -> bytes:
    document = _documents.get(application)
    if document is None:
        routes = [(rule.matcher.regex.pattern, rule.target) for rule in application.wildcard_router.rules
                  if isinstance(rule.matcher, PathMatches) and isinstance(rule.target, type)]
        document = _documents[application] = encode_json(build_document(
            routes, application.settings["openapi"])).encode()
    return document


class OpenAPIHandler(CustomRequestHandler):
    SUPPORTED_METHODS = ("GET", "OPTIONS")

    def get(self) -> None:
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(openapi_document(self.application))


class SwaggerAssetsHandler(StaticFilesHandler):
    """Swagger UI's files under `/docs/assets/`, from the folder `swagger_ui_assets()` finds."""

    # The folder is its own, not the route's.
    def initialize(self) -> None:  # type: ignore[override]
        super().initialize(str(swagger_ui_assets()))


class DocsHandler(CustomRequestHandler):
    SUPPORTED_METHODS = ("GET", "OPTIONS")

    def get(self) -> None:
        self.set_header("Content-Security-Policy", DOCS_CSP)
        self.render("docs.html", title="tornado-boilerplate API")
