"""Typed failures of outbound HTTP calls, raised by `GenericHTTPConnector`.

They are `ApiError`s, so one that reaches a handler unhandled still becomes a JSON 502 (504 for a timeout);
services usually catch them to word the client's message. The upstream's method, URL (without credentials),
status and attempt go to the request's log line through `fields`, never to the client's message.

    OutboundHTTPError               any outbound failure (502)
      UpstreamUnavailable           connection refused or reset, DNS failure, no answer     transient
        UpstreamTimeout             connect or request timeout (504)                         transient
      UpstreamError                 the upstream answered 5xx                                transient
      UpstreamClientError           the upstream answered 4xx: our request is wrong          never retried
      UpstreamBadResponse           the answer is not what was expected (e.g. not JSON)      never retried
      UpstreamTLSError              the TLS handshake or certificate check failed            never retried
"""

from __future__ import annotations

from typing import Any

from src.model.errors.api_error import BadGatewayError


class OutboundHTTPError(BadGatewayError):
    """An outbound call failed. `upstream_status` is the upstream's HTTP status when it answered at all."""

    def __init__(self, message: str, *, method: str, url: str, upstream_status: int | None = None,
                 attempt: int = 1, **fields: Any) -> None:
        super().__init__(message, upstream_method=method, upstream_url=url, upstream_status=upstream_status,
                         upstream_attempt=attempt, **fields)
        self.method = method
        self.url = url
        self.upstream_status = upstream_status
        self.attempt = attempt


class UpstreamUnavailable(OutboundHTTPError):  # noqa: N818 - the name the design uses
    """No answer: connection refused or reset, name resolution failed, or a timeout (see `UpstreamTimeout`)."""

    @property
    def timed_out(self) -> bool:
        return False


class UpstreamTimeout(UpstreamUnavailable):
    """The upstream did not connect or answer within the timeout."""

    status = 504

    @property
    def timed_out(self) -> bool:
        return True


class UpstreamError(OutboundHTTPError):
    """The upstream answered with a 5xx status."""


class UpstreamClientError(OutboundHTTPError):
    """The upstream answered with a 4xx status: repeating the same request would fail the same way."""


class UpstreamBadResponse(OutboundHTTPError):  # noqa: N818 - the name the design uses
    """The upstream answered successfully but with a body that cannot be used (e.g. not JSON)."""


class UpstreamTLSError(OutboundHTTPError):
    """The TLS handshake or the certificate check failed: a configuration problem, not a transient one."""


# What `retry_coroutine` retries by default: failures that may well pass on the next try.
TRANSIENT_UPSTREAM_ERRORS: tuple[type[BaseException], ...] = (UpstreamUnavailable, UpstreamError)
