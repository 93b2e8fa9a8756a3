"""Prometheus metrics at `/metrics` (404 with `--no-metrics` or when served on `--metrics_port` instead)."""

from __future__ import annotations

from src.request_handlers.metrics import MetricsHandler
from src.request_handlers.openapi.describe import PathDescriptions, answer, errors
from src.server.components import Components
from src.server.feature import Feature, RouteMap


def routes(components: Components) -> RouteMap:
    return {r"/metrics": (MetricsHandler, {"recorder": components.accounting.metrics})}


# What /metrics answers, in the OpenAPI document (/openapi.json).
OPENAPI: PathDescriptions = {
    "/metrics": {
        "get": {"summary": "Prometheus metrics of every worker", "tags": ["probes"],
                "responses": {"200": answer("The Prometheus text exposition format",
                                            media_type="text/plain", raw_schema={"type": "string"}),
                              **errors(404)}},
    },
}


FEATURE = Feature("metrics", routes, openapi=OPENAPI)
