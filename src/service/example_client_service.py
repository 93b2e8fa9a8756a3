"""`ExampleClientService`: the business side of `GET /client`, free of Tornado's web layer.

It asks the connector for the upstream's document and words the failures for the client: an upstream that
cannot be reached or keeps failing is a 502, one that is too slow a 504. Details (URL, status, attempt) stay in
the log line, carried by the errors' fields.
"""

from __future__ import annotations

from typing import Any, Protocol

from src.model.errors import BadGatewayError, GatewayTimeoutError
from src.model.errors.upstream_errors import OutboundHTTPError, UpstreamTimeout
from src.utils.annotations.retry_coroutine import RetryDeadlineError


class UpstreamDocumentSource(Protocol):
    """What the service needs from a connector (`ExampleClientConnector` in production)."""

    async def fetch(self) -> Any: ...


class ExampleClientService:
    def __init__(self, connector: UpstreamDocumentSource) -> None:
        self.connector = connector

    async def upstream_document(self) -> Any:
        """The upstream's JSON; `BadGatewayError` (502) or `GatewayTimeoutError` (504) when it fails."""
        try:
            return await self.connector.fetch()
        except UpstreamTimeout as error:
            raise GatewayTimeoutError(f"the example upstream did not answer in time (attempt {error.attempt})",
                                      **error.fields) from error
        except RetryDeadlineError as error:
            raise GatewayTimeoutError(f"the example upstream did not answer within {error.deadline:g} s "
                                      f"(attempt {error.attempt})", upstream_deadline_s=error.deadline) from error
        except OutboundHTTPError as error:
            raise BadGatewayError(f"the example upstream failed: {error.message} (attempt {error.attempt})",
                                  **error.fields) from error
