"""`GenericHTTPConnector`: the superclass of every outbound HTTP connector.

One `AsyncHTTPClient` serves the whole process: `start()` creates it after the fork (it is bound to the worker's
event loop) with `max_clients` and the connect/request timeouts from the settings, and `stop()` closes it at
shutdown. Connectors share it and never close it, so connections are pooled and `max_clients` is a real
per-process bound. `request()` sends JSON, decodes JSON, forwards the current request id as `X-Request-ID` and
its W3C trace context (`traceparent`, `tracestate`), logs one line per call and turns every failure into a typed
`OutboundHTTPError` (see `upstream_errors`).
"""

from __future__ import annotations

import json as jsonlib
import socket
import ssl
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from http.client import responses as reason_phrases
from typing import Any, ClassVar, NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest, HTTPResponse
from tornado.httputil import HTTPHeaders

from src.lifecycle import NotStartedError
from src.model.errors.upstream_errors import (
    OutboundHTTPError,
    UpstreamBadResponse,
    UpstreamClientError,
    UpstreamError,
    UpstreamTimeout,
    UpstreamTLSError,
    UpstreamUnavailable,
)
from src.settings import HttpClientSettings
from src.utils.annotations.retry_coroutine import current_attempt
from src.utils.logging import request_context
from src.utils.logging.logger import Logger
from src.utils.metrics.hooks import outbound_call

logger = Logger("tornado_boilerplate.http_client")

USER_AGENT = "tornado-boilerplate/1.0"
# Query parameters whose values are secrets: their values are masked in logs like URL credentials are.
_SECRET_PARAMETERS = ("token", "key", "secret", "password", "passwd", "signature", "sig", "auth", "credential")
_METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
# The `outcome` label of the outbound metrics, per failure (subclasses before their parents).
_OUTCOMES: tuple[tuple[type[OutboundHTTPError], str], ...] = (
    (UpstreamTimeout, "timeout"), (UpstreamUnavailable, "unavailable"), (UpstreamTLSError, "tls_error"),
    (UpstreamError, "server_error"), (UpstreamClientError, "client_error"), (UpstreamBadResponse, "bad_response"))


class UpstreamResponse(NamedTuple):
    """A successful (status < 400) answer: `body` is the decoded JSON, or the raw bytes when JSON was not asked."""

    status: int
    headers: HTTPHeaders
    body: Any
    time_ms: float


class GenericHTTPConnector:
    """Subclass it per upstream and give it methods that call `self.request(...)`.

    `client` and the timeouts default to the process's shared client and the settings given to `start()`;
    tests pass their own.
    """

    _shared_client: ClassVar[AsyncHTTPClient | None] = None
    _shared_settings: ClassVar[HttpClientSettings] = HttpClientSettings()

    def __init__(self, client: AsyncHTTPClient | None = None, *, connect_timeout: float | None = None,
                 request_timeout: float | None = None, validate_cert: bool = True) -> None:
        self._client = client
        defaults = GenericHTTPConnector._shared_settings
        self.connect_timeout = connect_timeout if connect_timeout is not None else defaults.connect_timeout
        self.request_timeout = request_timeout if request_timeout is not None else defaults.request_timeout
        self.validate_cert = validate_cert

    # ---- the process's shared client -------------------------------------------------------------------------

    @classmethod
    def start(cls, settings: HttpClientSettings) -> AsyncHTTPClient:
        """Create this process's client on the running loop; call once per worker, after the fork."""
        GenericHTTPConnector.stop()
        # force_instance: our own client, which code calling `AsyncHTTPClient()` elsewhere can never close.
        client = AsyncHTTPClient(
            force_instance=True, max_clients=settings.max_clients,
            defaults={"connect_timeout": settings.connect_timeout, "request_timeout": settings.request_timeout,
                      "user_agent": USER_AGENT})
        # Set on this class, not on `cls`, so every connector subclass sees the one client.
        GenericHTTPConnector._shared_client = client
        GenericHTTPConnector._shared_settings = settings
        return client

    @classmethod
    def stop(cls) -> None:
        """Close the shared client (shutdown hook); in-flight fetches fail, later ones need a new `start()`."""
        client, GenericHTTPConnector._shared_client = GenericHTTPConnector._shared_client, None
        if client is not None:
            client.close()

    @classmethod
    @asynccontextmanager
    async def component(cls, settings: HttpClientSettings) -> AsyncIterator[AsyncHTTPClient]:
        """The shared client as a worker component: started at set-up, closed at teardown."""
        client = cls.start(settings)
        try:
            yield client
        finally:
            cls.stop()

    @classmethod
    def shared_client(cls) -> AsyncHTTPClient:
        if GenericHTTPConnector._shared_client is None:
            raise NotStartedError("the outbound HTTP client", " (GenericHTTPConnector.start)")
        return GenericHTTPConnector._shared_client

    @property
    def client(self) -> AsyncHTTPClient:
        return self._client if self._client is not None else self.shared_client()

    # ---- requests ----------------------------------------------------------------------------------------------

    async def request(self, method: str, url: str, *, json: Any = None, body: bytes | str | None = None,
                      headers: Mapping[str, str] | None = None, timeout: float | None = None,
                      expect_json: bool = True) -> UpstreamResponse:
        """Send one request; a status >= 400 or any transport failure raises an `OutboundHTTPError` subclass.

        `json` is sent as a JSON body (`body` as is); `timeout` overrides the request timeout of this call;
        with `expect_json` an answer that is not JSON raises `UpstreamBadResponse` (an empty one decodes to None).
        """
        method = method.upper()
        outgoing = HTTPHeaders(dict(headers or {}))
        if json is not None:
            body = jsonlib.dumps(json, separators=(",", ":"), ensure_ascii=False)
            outgoing.setdefault("Content-Type", "application/json; charset=UTF-8")
        if expect_json:
            outgoing.setdefault("Accept", "application/json")
        request_id = request_context.request_id()
        if request_id is not None and "X-Request-ID" not in outgoing:
            outgoing["X-Request-ID"] = request_id
        trace = request_context.trace()
        if trace is not None and "traceparent" not in outgoing:  # the upstream joins this request's trace
            outgoing.update(trace.outbound_headers())
        if body is None and method in _METHODS_WITH_BODY:
            body = b""
        request = HTTPRequest(url, method=method, headers=outgoing, body=body,
                              connect_timeout=self.connect_timeout,
                              request_timeout=timeout if timeout is not None else self.request_timeout,
                              validate_cert=self.validate_cert)
        client = self.client  # not started (before start-up, after shutdown): NotStartedError, never sent
        call = _Call(method, redact_url(url), current_attempt())
        started = time.perf_counter()
        try:
            response = await client.fetch(request, raise_error=False)
        except Exception as error:
            failure = _transport_failure(error, call)
            call.log(None, _elapsed_ms(started), failure)
            raise failure from error
        time_ms = _elapsed_ms(started)
        try:
            result = _read_response(response, call, time_ms, expect_json)
        except OutboundHTTPError as failure:
            call.log(response.code, time_ms, failure)
            raise
        call.log(response.code, time_ms, None)
        return result


class _Call(NamedTuple):
    """One outbound call as it is logged and reported: the URL is already stripped of credentials."""

    method: str
    url: str
    attempt: int

    def failure(self, kind: type[OutboundHTTPError], message: str, status: int | None = None) -> OutboundHTTPError:
        return kind(message, method=self.method, url=self.url, upstream_status=status, attempt=self.attempt)

    def log(self, status: int | None, time_ms: float, failure: OutboundHTTPError | None) -> None:
        """One line per outbound call, the request's running totals on its canonical log line, and the metrics."""
        outcome = "ok" if failure is None else next(
            (name for kind, name in _OUTCOMES if isinstance(failure, kind)), "error")
        outbound_call(urlsplit(self.url).netloc, outcome, time_ms / 1000, self.attempt > 1)
        totals = request_context.fields()
        request_context.add_fields(
            upstream_calls=int(totals.get("upstream_calls", 0)) + 1,
            upstream_time_ms=round(float(totals.get("upstream_time_ms", 0.0)) + time_ms, 2))
        # Logfmt fields, not text in the message: `msg=outbound method=GET url=... status=200 time_ms=2.31 attempt=1`.
        fields: dict[str, Any] = {"method": self.method, "url": self.url, "status": "-" if status is None else status,
                                  "time_ms": round(time_ms, 2), "attempt": self.attempt}
        if failure is None:
            logger.info("outbound", **fields)
            return
        logger.warning("outbound", **fields, error=type(failure).__name__, reason=failure.message)


def redact_url(url: str) -> str:
    """The URL as it may be logged: no user or password, and secret-looking query values masked."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    query = parts.query
    pairs = parse_qsl(query, keep_blank_values=True)
    if any(_is_secret(name) for name, _ in pairs):
        query = urlencode([(name, "***" if _is_secret(name) else value) for name, value in pairs], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return any(marker in lowered for marker in _SECRET_PARAMETERS)


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _transport_failure(error: Exception, call: _Call) -> OutboundHTTPError:
    """No HTTP answer: map the transport error to its typed failure."""
    kind: type[OutboundHTTPError] = UpstreamUnavailable
    if isinstance(error, HTTPClientError):  # Tornado's 599: timeouts and closed streams
        timed_out = "timeout" in str(error).lower()
        kind = UpstreamTimeout if timed_out else UpstreamUnavailable
        message = f"upstream {'did not answer in time' if timed_out else 'connection failed'} ({error.message})"
    elif isinstance(error, ssl.SSLError):  # before OSError: a certificate problem will not pass on a retry
        kind, message = UpstreamTLSError, f"TLS with the upstream failed ({getattr(error, 'reason', None) or error})"
    elif isinstance(error, TimeoutError):
        kind, message = UpstreamTimeout, "upstream did not answer in time"
    elif isinstance(error, socket.gaierror):
        message = f"upstream host name could not be resolved ({error.strerror})"
    elif isinstance(error, ConnectionRefusedError):
        message = "upstream refused the connection"
    elif isinstance(error, OSError):
        message = f"upstream connection failed ({error.strerror or error})"
    else:  # a malformed URL, an unsupported scheme: this service's fault, not retried
        kind, message = UpstreamBadResponse, f"upstream request could not be sent ({type(error).__name__}: {error})"
    return call.failure(kind, message)


def _read_response(response: HTTPResponse, call: _Call, time_ms: float, expect_json: bool) -> UpstreamResponse:
    status = response.code
    if status >= 500:
        raise call.failure(UpstreamError, f"upstream answered {status} {_reason(response)}", status)
    if status >= 400:
        raise call.failure(UpstreamClientError, f"upstream answered {status} {_reason(response)}", status)
    raw = response.body or b""
    if not expect_json:
        return UpstreamResponse(status, response.headers, raw, time_ms)
    if not raw.strip():
        return UpstreamResponse(status, response.headers, None, time_ms)
    try:
        document = jsonlib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        content_type = response.headers.get("Content-Type", "no content type")
        raise call.failure(UpstreamBadResponse, f"upstream answered {status} with a body that is not JSON "
                           f"({content_type})", status) from None
    return UpstreamResponse(status, response.headers, document, time_ms)


def _reason(response: HTTPResponse) -> str:
    return reason_phrases.get(response.code, response.reason or "Unknown")
