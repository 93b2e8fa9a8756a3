"""`ManagedHTTPServer`: Tornado's `HTTPServer` with a connection limit, throttled accepts and a drain that
loses no answer.

- At most `max_connections` connections are served; one more is answered with a JSON 503 and
  `Connection: close` as soon as its request line has arrived, so it costs a descriptor for a moment only.
- Accepting goes through `AcceptLoop`, which pauses instead of spinning when `accept()` fails.
- `drain()` (on SIGTERM/SIGINT): stop accepting; close idle keep-alive connections at once; answer every
  request already read in full, with `Connection: close`, then close its connection; after the last answer (or
  the grace period) close whatever is left.
A connection is busy from the moment its request headers have arrived until its answer has been written.
With `http_parser="httptools"` (the default, as `--http_parser`'s) the connections are served by
`src.server.http1` instead of Tornado's HTTP1ServerConnection, through the same delegate methods and the same
bookkeeping; `http_parser="tornado"` keeps Tornado's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol, cast

from tornado import gen, httputil
from tornado.httpserver import HTTPServer
from tornado.iostream import IOStream, StreamClosedError, UnsatisfiableReadError

from src.request_handlers.tracked_connection import TrackedConnection, TrackedRequest
from src.server.accept_loop import AcceptLoop, RateLimitedLog
from src.server.http1.error_answer import error_answer
from src.settings import ServerSettings

# The httptools transport's own body timeout stays this much above ours, so a stalled body gets our JSON 408 first.
BODY_TIMEOUT_MARGIN = 5.0
# How long a refused connection may take to send its request line before it is closed anyway.
REFUSAL_READ_SECONDS = 2.0
CLOSE_TIMEOUT_SECONDS = 2.0


def _logger() -> logging.Logger:
    return logging.getLogger("tornado_boilerplate.server")


class _Closable(Protocol):
    def close(self) -> None: ...


class ServedConnection(Protocol):
    """A connection as the drain sees it: Tornado's HTTP1ServerConnection or the httptools transport's."""

    @property
    def stream(self) -> _Closable: ...


class ManagedHTTPServer(HTTPServer):
    def initialize(self, *args: Any, **kwargs: Any) -> None:
        """HTTPServer's arguments, plus `max_connections`; `body_timeout` is the time before a JSON 408."""
        self.max_connections: int = kwargs.pop("max_connections", 1024)
        self.http_parser: str = kwargs.pop("http_parser", ServerSettings().http_parser)
        self.body_timeout: float = kwargs.get("body_timeout") or 30.0
        # On Tornado's HTTP/1 layer each request's TrackedConnection is the body deadline (a JSON 408, or a
        # close): Tornado's own would wrap every body read in a task of its own and a timer. The httptools
        # transport keeps its per-connection deadline as a backup, that much later.
        kwargs["body_timeout"] = self.body_timeout + BODY_TIMEOUT_MARGIN if self.http_parser == "httptools" else None
        super().initialize(*args, **kwargs)
        self.draining = False
        self._served = 0
        self._open: set[ServedConnection] = set()
        self._busy: set[ServedConnection] = set()
        self._all_idle = asyncio.Event()
        self._all_idle.set()
        self._accept_loops: list[AcceptLoop] = []
        self._refusing: set[asyncio.Task[None]] = set()
        self._accept_errors = RateLimitedLog(_logger(), "not accepting connections for a moment")
        self._refusals = RateLimitedLog(_logger(), "connection limit reached")

    # ---- accepting --------------------------------------------------------------------------------------------

    def add_sockets(self, sockets: Any) -> None:
        # _handle_connection is TCPServer's step from an accepted socket to handle_stream (TLS included).
        on_connection: Callable[[socket.socket, Any], None] = self._handle_connection
        if self.http_parser == "httptools":
            from src.server.http1.listener import HTTP1Listener  # noqa: PLC0415 - optional transport, lazily

            on_connection = HTTP1Listener(self, cast(ssl.SSLContext | None, self.ssl_options)).on_connection
        for sock in sockets:
            self._accept_loops.append(AcceptLoop(sock, on_connection, self._accept_errors))

    def stop(self) -> None:
        for accept_loop in self._accept_loops:
            accept_loop.close()
        self._accept_loops.clear()
        super().stop()

    def handle_stream(self, stream: IOStream, address: tuple[Any, ...]) -> None:
        if self.refuses_connection():
            task = asyncio.ensure_future(_refuse(stream, "the server is at its connection limit; retry shortly"))
            self._refusing.add(task)
            task.add_done_callback(self._refusing.discard)
            return
        self._served += 1
        super().handle_stream(stream, address)

    def refuses_connection(self) -> bool:
        """True (and logged, rate-limited) when a new connection is to be answered 503 and closed."""
        if self._served >= self.max_connections or self.draining:
            self._refusals.record(f"{self._served} open (--max_connections {self.max_connections}); "
                                  "further connections are answered 503")
            return True
        return False

    def add_connection(self, connection: ServedConnection) -> None:
        """Count in a connection another transport serves; it reports its end through `on_close`."""
        self._served += 1
        self._connections.add(connection)  # type: ignore[arg-type]  # closed by close_all_connections too

    # ---- requests on a connection -----------------------------------------------------------------------------

    def start_request(self, server_conn: object, request_conn: httputil.HTTPConnection) -> httputil.HTTPMessageDelegate:
        connection = cast(ServedConnection, server_conn)
        # Tornado starts a request before reading it: the previous answer on this connection is written.
        self._set_idle(connection)
        self._open.add(connection)
        if self.draining:
            connection.stream.close()
        tracked = TrackedConnection(request_conn, self, lambda: self._set_busy(connection))
        return TrackedRequest(super().start_request(server_conn, tracked), tracked)

    def on_close(self, server_conn: object) -> None:
        connection = cast(ServedConnection, server_conn)
        self._served -= 1
        self._open.discard(connection)
        self._set_idle(connection)
        super().on_close(server_conn)

    def _set_busy(self, connection: ServedConnection) -> None:
        self._busy.add(connection)
        self._all_idle.clear()

    def _set_idle(self, connection: ServedConnection) -> None:
        self._busy.discard(connection)
        if not self._busy:
            self._all_idle.set()

    @property
    def busy_connections(self) -> int:
        return len(self._busy)

    # ---- shutdown ---------------------------------------------------------------------------------------------

    async def drain(self, grace: float) -> int:
        """Stop as described in the module; returns the number of answers still unwritten after `grace`."""
        self.draining = True
        self.stop()
        for connection in self._open - self._busy:
            connection.stream.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._all_idle.wait(), grace)
        unanswered = len(self._busy)
        try:
            await asyncio.wait_for(self.close_all_connections(), CLOSE_TIMEOUT_SECONDS)
        except TimeoutError:
            _logger().warning("some connections did not close in time")
        return unanswered


async def _refuse(stream: IOStream, message: str) -> None:
    """Answer one request on `stream` with a JSON 503 and close it, without handing it to the Application."""
    method = uri = None
    try:
        head = await gen.with_timeout(timedelta(seconds=REFUSAL_READ_SECONDS),
                                      stream.read_until_regex(b"\r?\n\r?\n", max_bytes=16384),
                                      quiet_exceptions=(StreamClosedError, UnsatisfiableReadError))
        parts = head.decode("latin-1").split("\n", 1)[0].split()
        if len(parts) == 3:
            method, uri = parts[0], parts[1]
        await stream.write(error_answer(503, message, method, uri, retry_after=1))
    except (OSError, StreamClosedError, UnsatisfiableReadError):
        pass  # the client has gone: nothing to answer
    finally:
        stream.close()
