"""Prometheus metrics at `/metrics` (404 with `--no-metrics` or when served on `--metrics_port` instead)."""

from __future__ import annotations

from src.request_handlers.metrics import MetricsHandler
from src.server.components import Components
from src.server.feature import Feature, RouteMap


def routes(components: Components) -> RouteMap:
    return {r"/metrics": (MetricsHandler, {"recorder": components.accounting.metrics})}


FEATURE = Feature("metrics", routes)
