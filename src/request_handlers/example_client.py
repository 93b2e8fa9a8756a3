"""`GET /client`: the example of calling an external service (handler -> service -> connector)."""

from __future__ import annotations

from typing import cast

from tornado.httpclient import AsyncHTTPClient

from src.http_connectors.example_client_connector import ExampleClientConnector
from src.http_connectors.generic_http_connector import GenericHTTPConnector
from src.model.errors import ServiceUnavailableError
from src.request_handlers.custom_request_handler import CustomRequestHandler
from src.service.example_client_service import ExampleClientService


class ExampleClientHandler(CustomRequestHandler):
    """200 with the upstream's JSON; 502 when it is unavailable or failing after retries, 504 when too slow."""

    SUPPORTED_METHODS = ("GET", "OPTIONS")

    async def get(self) -> None:
        settings = self.context.http_client
        connector = ExampleClientConnector(
            self.context.example_client_url, self._http_client(),
            connect_timeout=settings.connect_timeout, request_timeout=settings.request_timeout,
            # The default upstream is this very server; with --ssl its certificate is usually self-signed.
            validate_cert=settings.example_client_url is not None)
        self.make_response(await ExampleClientService(connector).upstream_document())

    def _http_client(self) -> AsyncHTTPClient:
        client = self.settings.get("http_client")
        if client is not None:
            return cast(AsyncHTTPClient, client)
        try:
            return GenericHTTPConnector.shared_client()
        except RuntimeError:
            raise ServiceUnavailableError("the outbound HTTP client is not started") from None
