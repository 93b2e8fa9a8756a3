"""`ExampleViewHandler` at `/`: the todo-list page, rendered from `views/templates` with its script, style sheet
and icon from `views/static`. The page has no inline script or style, so it runs under a strict CSP."""

from __future__ import annotations

from src.request_handlers.custom_request_handler import CustomRequestHandler

PAGE_CSP = "default-src 'self'; frame-ancestors 'none'"


class ExampleViewHandler(CustomRequestHandler):
    SUPPORTED_METHODS = ("GET", "OPTIONS")
    CONTENT_SECURITY_POLICY = PAGE_CSP

    def get(self) -> None:
        # With --api_token set the page asks for the token before the first change (and on a 401).
        self.render("index.html", title="tornado-boilerplate",
                    token_required=self.context.server.api_token is not None)
