"""`ExampleCORSHandler` at `/cors`: a CORS-enabled resource; POST echoes its JSON body back."""

from __future__ import annotations

from src.request_handlers.custom_request_handler import CustomRequestHandler


class ExampleCORSHandler(CustomRequestHandler):
    CORS_ENABLED = True
    SUPPORTED_METHODS = ("GET", "POST", "OPTIONS")

    def get(self) -> None:
        self.make_response({"message": "CORS is enabled on this resource"})

    def post(self) -> None:
        self.make_response({"received": self.json_body()})
