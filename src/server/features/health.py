"""Liveness and readiness: `/ping` and `/health`, with every feature's dependency checks."""

from __future__ import annotations

from src.request_handlers.health_check import HealthCheckHandler, ReadinessHandler
from src.request_handlers.openapi.describe import PathDescriptions, answer
from src.server.components import Components
from src.server.feature import Feature, RouteMap


def routes(components: Components) -> RouteMap:
    return {
        r"/ping": HealthCheckHandler,
        r"/health": (ReadinessHandler, {"health_checks": components.health_checks}),
    }


# What /ping, /health answer, in the OpenAPI document (/openapi.json).
OPENAPI: PathDescriptions = {
    "/ping": {
        "get": {"summary": "Liveness: the process answers", "tags": ["probes"],
                "responses": {"200": answer("Alive", "Ping")}},
    },
    "/health": {
        "get": {"summary": "Readiness: every configured dependency answers", "tags": ["probes"],
                "responses": {"200": answer("Ready", "Health"),
                              "503": answer("A dependency is unavailable, or the server is draining", "Health")}},
    },
}


FEATURE = Feature("health", routes, openapi=OPENAPI)
