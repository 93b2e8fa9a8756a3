"""`GET /metrics`: the Prometheus exposition of every worker's metrics (on the main port, or only on
`--metrics_port` when one is given)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tornado.ioloop import IOLoop

from src.model.errors import NotFoundError
from src.request_handlers.custom_request_handler import CustomRequestHandler

if TYPE_CHECKING:
    from src.utils.metrics.recorder import MetricsRecorder

# The text format every Prometheus version scrapes (prometheus_client.CONTENT_TYPE_LATEST, without its import).
EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class MetricsHandler(CustomRequestHandler):
    SUPPORTED_METHODS = ("GET", "OPTIONS")

    def initialize(self, recorder: MetricsRecorder | None) -> None:
        self.recorder = recorder

    async def get(self) -> None:
        recorder = self.recorder
        if recorder is None:  # --no-metrics, or served on --metrics_port instead
            raise NotFoundError(f"no resource at {self.request.path}")
        recorder.flush()
        # With several workers the values are read from their files: file reads stay off the event loop.
        body = await IOLoop.current().run_in_executor(None, recorder.render)
        self.set_header("Content-Type", EXPOSITION_CONTENT_TYPE)
        self.set_header("Cache-Control", "no-store")
        self.finish(body)
