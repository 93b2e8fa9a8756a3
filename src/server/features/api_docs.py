"""The API's own description: `/openapi.json` (built from the served routes) and `/docs` (Swagger UI rendering
it, with Swagger UI's files under `/docs/assets/` from the installed package)."""

from __future__ import annotations

from src.request_handlers.api_docs import DocsHandler, OpenAPIHandler, SwaggerAssetsHandler
from src.request_handlers.openapi.describe import PathDescriptions, answer
from src.server.components import Components
from src.server.feature import Feature, RouteMap


def routes(_components: Components) -> RouteMap:
    return {
        r"/openapi\.json": OpenAPIHandler,
        r"/docs": DocsHandler,
        r"/docs/assets/(.*)": SwaggerAssetsHandler,
    }


# What /openapi.json, /docs answer, in the OpenAPI document (/openapi.json).
OPENAPI: PathDescriptions = {
    "/openapi.json": {
        "get": {"summary": "This document", "tags": ["docs"],
                "responses": {"200": answer("The OpenAPI 3.1 document", raw_schema={"type": "object"})}},
    },
    "/docs": {
        "get": {"summary": "This document rendered for people (Swagger UI)", "tags": ["docs"],
                "responses": {"200": answer("The HTML page", media_type="text/html",
                                            raw_schema={"type": "string"})}},
    },
}


FEATURE = Feature("api_docs", routes, openapi=OPENAPI)
