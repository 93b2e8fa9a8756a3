"""Liveness and readiness: `/ping` and `/health`, with every feature's dependency checks."""

from __future__ import annotations

from src.request_handlers.health_check import HealthCheckHandler, ReadinessHandler
from src.server.components import Components
from src.server.feature import Feature, RouteMap


def routes(components: Components) -> RouteMap:
    return {
        r"/ping": HealthCheckHandler,
        r"/health": (ReadinessHandler, {"health_checks": components.health_checks}),
    }


FEATURE = Feature("health", routes)
