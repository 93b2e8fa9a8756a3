"""`ExampleViewHandler` at `/`: the todo-list page, rendered from `views/templates` with its script, style sheet
and icon from `views/static`. The page has no inline script or style, so it runs under a strict CSP."""

from __future__ import annotations

from src.request_handlers.custom_request_handler import CustomRequestHandler

PAGE_CSP = "default-src 'self'; frame-ancestors 'none'"


class ExampleViewHandler(CustomRequestHandler):
    SUPPORTED_METHODS = ("GET", "OPTIONS")
    CONTENT_SECURITY_POLICY = PAGE_CSP

    def get(self) -> None:
        self.render("index.html", title="tornado-boilerplate")
