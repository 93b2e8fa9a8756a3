"""What the server knows about one request's connection, between Tornado's HTTP/1 parser and the Application.

Tornado closes a keep-alive connection whenever a handler answers before the request body has been read (an
error from `prepare()`, a 404, a 405), without saying so in the response, so the client's next request on it
fails. `TrackedConnection` fixes that: when the body is absent or small, the answer is sent at once and the
connection waits for the body, discards it and stays open; otherwise the answer says `Connection: close`.
It also carries the server's drain state (every answer says `Connection: close` once the server is stopping)
and is the body's deadline: a request whose body stalls is answered with a JSON 408 (on Tornado's HTTP/1 layer it
is the only one; the httptools transport closes a connection whose body is still missing a few seconds later).

`TrackedRequest` wraps the Application's message delegate to learn when the headers and the body have arrived.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from tornado import httputil
from tornado.concurrent import Future
from tornado.http1connection import HTTP1ConnectionParameters

from src.request_handlers.request_framing import header_value
from src.request_handlers.request_guards import RequestDeadline

# A body up to this size is read and discarded after an early answer, keeping the connection open.
DISCARDABLE_BODY_BYTES = 64 * 1024
_DIGITS = re.compile(r"[0-9]+")


class ServerState(Protocol):
    """The parts of the server a connection asks about."""

    @property
    def draining(self) -> bool: ...

    @property
    def body_timeout(self) -> float: ...

    @property
    def conn_params(self) -> HTTP1ConnectionParameters: ...


class TrackedConnection(httputil.HTTPConnection):
    """The request's `connection`: Tornado's `HTTP1Connection`, plus the state described in the module."""

    def __init__(self, inner: httputil.HTTPConnection, server: ServerState,
                 on_request_started: Callable[[], None]) -> None:
        self._inner = inner
        self._server = server
        self._on_request_started = on_request_started
        self.body_complete = False
        self._discard_body = True  # until the headers say otherwise
        self._finish_pending = False
        self._on_stall: Callable[[], None] | None = None
        self._stall_timer: RequestDeadline | None = None

    @property
    def draining(self) -> bool:
        return self._server.draining

    def on_body_stalled(self, callback: Callable[[], None] | None) -> None:
        """`callback` answers 408 when the body has not arrived within the body timeout."""
        self._on_stall = callback

    def write_headers(self, start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
                      headers: httputil.HTTPHeaders, chunk: bytes | None = None) -> Future[None]:
        if self._server.draining or not (self.body_complete or self._discard_body):
            headers["Connection"] = "close"
        return self._inner.write_headers(start_line, headers, chunk)

    def write(self, chunk: bytes) -> Future[None]:
        return self._inner.write(chunk)

    def finish(self) -> None:
        if self.body_complete or not self._discard_body:
            self._inner.finish()
        else:  # answered early: finish once the (small) body has been read and discarded
            self._finish_pending = True

    # Tornado asks every request's connection for these: forwarded directly, not through __getattr__, which
    # Python reaches only after a failed look-up has raised AttributeError.
    def set_close_callback(self, callback: Callable[[], None] | None) -> None:
        self._inner.set_close_callback(callback)  # type: ignore[attr-defined]

    @property
    def context(self) -> Any:
        return self._inner.context  # type: ignore[attr-defined]

    @property
    def stream(self) -> Any:
        return self._inner.stream  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> Any:  # set_max_body_size, ...
        return getattr(self._inner, name)

    # ---- called by TrackedRequest -----------------------------------------------------------------------------

    def headers_arrived(self, headers: httputil.HTTPHeaders) -> bool:
        """Note what the headers say of the body; True when it may be read before the handler's `prepare()`:
        none, or a small one of a plain length that the connection's limit allows, with no `Expect`."""
        chunked = "Transfer-Encoding" in headers
        length = header_value(headers, "Content-Length")
        size = int(length) if length is not None and _DIGITS.fullmatch(length) else None
        # Unknown or large size: an early answer closes the connection rather than read a body nobody wants.
        self._discard_body = not chunked and (length is None or (size is not None and size <= DISCARDABLE_BODY_BYTES))
        if chunked or (size or 0) > 0:
            self._stall_timer = RequestDeadline(self._server.body_timeout, self._check_stall)
        self._on_request_started()
        return (self._discard_body and (size or 0) <= (self._server.conn_params.max_body_size or 0)
                and "Expect" not in headers)

    def body_arrived(self) -> None:
        self._cancel_stall_timer()
        self.body_complete = True
        if self._finish_pending:
            self._finish_pending = False
            self._inner.finish()

    def closed(self) -> None:
        self._cancel_stall_timer()
        self.body_complete = True
        self._finish_pending = False

    def _cancel_stall_timer(self) -> None:
        # A pending timer keeps the whole connection alive: cancelled as soon as it is not needed.
        if self._stall_timer is not None:
            self._stall_timer.cancel()
            self._stall_timer = None

    def _check_stall(self) -> None:
        self._stall_timer = None
        if self.body_complete:
            return
        self._discard_body = False
        if self._finish_pending:  # already answered; stop waiting for the body
            self._finish_pending = False
            self._inner.finish()
        elif self._on_stall is not None:
            self._on_stall()
        else:  # no handler to answer it: closed, as Tornado's own body timeout would
            self.stream.close()


class TrackedRequest(httputil.HTTPMessageDelegate):
    """The Application's delegate for one request, telling its `TrackedConnection` what has arrived."""

    def __init__(self, inner: httputil.HTTPMessageDelegate, connection: TrackedConnection) -> None:
        self._inner = inner
        self.connection = connection
        self._started = False

    def headers_received(self, start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
                         headers: httputil.HTTPHeaders) -> Awaitable[None] | None:
        # The headers may have been read just before the connection was closed as idle (drain): such a request
        # must not run, since its answer could not be delivered.
        if self.connection.stream.closed():
            return None
        self._started = True
        read_body_now = self.connection.headers_arrived(headers)
        prepared = self._inner.headers_received(start_line, headers)
        # A handler that streams its body answers with a future that resolves once its prepare() has run, so
        # that prepare can set the body's limit first; Tornado reads no body before. When there is no body or
        # a small one within the limit, the body is read at once instead: one loop step less per request.
        return None if read_body_now else prepared

    def data_received(self, chunk: bytes) -> Awaitable[None] | None:
        return self._inner.data_received(chunk) if self._started else None

    def finish(self) -> None:
        if self._started:
            self._inner.finish()
            self.connection.body_arrived()

    def on_connection_close(self) -> None:
        self.connection.closed()
        if self._started:
            self._inner.on_connection_close()


def is_draining(request: httputil.HTTPServerRequest) -> bool:
    """True once the server serving `request` has been asked to stop."""
    connection = request.connection
    return isinstance(connection, TrackedConnection) and connection.draining
