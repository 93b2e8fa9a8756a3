"""`GET /client`: the example of calling an external service (handler -> service -> connector)."""

from __future__ import annotations

from src.request_handlers.custom_request_handler import CustomRequestHandler
from src.service.example_client_service import ExampleClientService


class ExampleClientHandler(CustomRequestHandler):
    """200 with the upstream's JSON; 502 when it is unavailable or failing after retries, 504 when too slow."""

    SUPPORTED_METHODS = ("GET", "OPTIONS")

    def initialize(self, service: ExampleClientService) -> None:
        self.service = service

    async def get(self) -> None:
        self.make_response(await self.service.upstream_document())
