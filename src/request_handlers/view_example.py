"""`ExampleViewHandler` at `/`: an HTML page rendered from `views/templates` with assets from `views/static`."""

from __future__ import annotations

from src.request_handlers.custom_request_handler import CustomRequestHandler


class ExampleViewHandler(CustomRequestHandler):
    SUPPORTED_METHODS = ("GET", "OPTIONS")

    def get(self) -> None:
        self.render("index.html", title="tornado-boilerplate")
