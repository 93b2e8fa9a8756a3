"""`ExampleClientConnector`: the example upstream call, retried with `retry_coroutine`.

The upstream is `--example_client_url` (by default this server's own `GET /ping`). A GET is safe to repeat, so
transient failures (unavailable, timed out, 5xx) are tried three times in all, with short jittered pauses and an
overall deadline that keeps `GET /client` quick even when the upstream hangs.
"""

from __future__ import annotations

from typing import Any

from tornado.httpclient import AsyncHTTPClient

from src.http_connectors.generic_http_connector import GenericHTTPConnector
from src.utils.annotations.retry_coroutine import retry_coroutine

ATTEMPTS = 3
DEADLINE_SECONDS = 8.0


class ExampleClientConnector(GenericHTTPConnector):
    def __init__(self, url: str, client: AsyncHTTPClient | None = None, *, connect_timeout: float | None = None,
                 request_timeout: float | None = None, validate_cert: bool = True) -> None:
        super().__init__(client, connect_timeout=connect_timeout, request_timeout=request_timeout,
                         validate_cert=validate_cert)
        self.url = url

    @retry_coroutine(attempts=ATTEMPTS, base_delay=0.1, max_delay=1.0, deadline=DEADLINE_SECONDS)
    async def fetch(self) -> Any:
        """The upstream's JSON document."""
        response = await self.request("GET", self.url)
        return response.body
