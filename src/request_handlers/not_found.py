"""`NotFoundHandler`: the Application's `default_handler_class`, so an unknown path gets a JSON 404."""

from __future__ import annotations

from typing import Any

from src.model.errors import NotFoundError
from src.request_handlers.custom_request_handler import CustomRequestHandler


class NotFoundHandler(CustomRequestHandler):
    def prepare(self) -> None:
        super().prepare()
        raise NotFoundError(f"no resource at {self.request.path}")

    def get(self, *args: Any, **kwargs: Any) -> None:  # never reached: prepare() raises
        raise NotFoundError(f"no resource at {self.request.path}")
