"""`StaticFilesHandler`: Tornado's static file serving (ETags, ranges, version hashes) for `/static/`, with the
project's request id, JSON error bodies (a missing file or a path outside `views/static` is a JSON 404/403, not
Tornado's HTML page) and graceful-shutdown accounting. Used as the Application's `static_handler_class`."""

from __future__ import annotations

from collections.abc import Awaitable

from tornado.web import StaticFileHandler

from src.request_handlers.custom_request_handler import CustomRequestHandler


class StaticFilesHandler(CustomRequestHandler, StaticFileHandler):
    SUPPORTED_METHODS = ("GET", "HEAD", "OPTIONS")

    def head(self, path: str) -> Awaitable[None]:
        # Tornado's own: headers of the file without reading it (the base handler's HEAD would run a full GET).
        return StaticFileHandler.head(self, path)
