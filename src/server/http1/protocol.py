"""`HTTP1Protocol`: one client connection on the httptools transport, an asyncio `Protocol`.

Bytes go to the `RequestReader`; its requests go, one at a time and in order, to the delegate that
`ManagedHTTPServer.start_request` gives for each (Tornado's `HTTPServerConnectionDelegate` contract): head,
`100 (Continue)` if asked for, body pieces, finish. The next request starts once the answer is written, as with
Tornado's HTTP1Connection. A delegate future (an async `prepare()`, a slow `data_received`) pauses delivery, and
too much queued input pauses reading from the socket. Timeouts are Tornado's: the head must arrive within
`idle_connection_timeout` of waiting for it, the body within `body_timeout`; either closes the connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

from tornado import httputil
from tornado.concurrent import Future
from tornado.httpserver import _HTTPRequestContext
from tornado.iostream import StreamClosedError
from tornado.log import app_log

from src.server.http1.connection_parts import Deadline, TransportStream
from src.server.http1.error_answer import error_answer
from src.server.http1.request_connection import HTTP1RequestConnection
from src.server.http1.request_reader import IncomingRequest, InputError, RequestReader

if TYPE_CHECKING:
    from src.server.managed_http_server import ManagedHTTPServer

# Reading pauses while this much request body, or this many pipelined requests, wait to be handed on.
MAX_QUEUED_BODY_BYTES = 256 * 1024
MAX_QUEUED_REQUESTS = 16
# A connection closed with unsent bytes (a client that stopped reading) is cut off after this long.
CLOSE_LINGER_SECONDS = 10.0

_HEAD, _AFTER_HEAD, _BODY, _ANSWERING = range(4)


def _too_large(request: HTTP1RequestConnection, incoming: IncomingRequest) -> InputError:
    return InputError(413, f"request body exceeds the limit of {request.max_body_size} bytes",
                      incoming.start_line.method, incoming.start_line.path)


class HTTP1Protocol(asyncio.Protocol):
    def __init__(self, server: ManagedHTTPServer, protocol: str) -> None:
        self.server = server
        params = server.conn_params
        self.reader = RequestReader(params.max_header_size or 65536)
        self.stream = TransportStream(self)
        self.body_timeout = params.body_timeout or 3600.0
        self.closing = False
        self._scheme = protocol
        self._transport: asyncio.Transport | None = None
        self.context: _HTTPRequestContext
        self._delegate: httputil.HTTPMessageDelegate | None = None
        self._request: HTTP1RequestConnection | None = None
        self._stage = _HEAD
        self._blocked = False
        self._reading_paused = False
        self._writing_paused = False
        self._drain_waiters: list[Future[None]] = []
        self._after_drain: HTTP1RequestConnection | None = None
        self._deadline = Deadline(self.close_transport)
        self._lost: Future[None] = Future()
        # What a write returns when its bytes are in the kernel at once: one resolved future for all of them.
        self._written: Future[None] = Future()
        self._written.set_result(None)

    # ---- asyncio Protocol -------------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport = cast(asyncio.Transport, transport)  # uvloop's are asyncio's in behaviour, not by class
        self._transport = transport
        # Told about any unsent byte, so a write future resolves when its bytes are in the kernel. (asyncio's TLS
        # transport pauses at a size >= high, the plain one at > high: 0 would keep a TLS writer paused.)
        transport.set_write_buffer_limits(high=1 if transport.get_extra_info("sslcontext") is not None else 0)
        self.stream.socket = transport.get_extra_info("socket")
        self.context = _HTTPRequestContext(self.stream, transport.get_extra_info("peername"),  # type: ignore[arg-type]
                                           self._scheme, self.server.trusted_downstream)
        self.server.add_connection(self)
        self._start_request()

    def data_received(self, data: bytes) -> None:
        reader = self.reader
        reader.feed(data)
        if (reader.error is not None or reader.queued_bytes > MAX_QUEUED_BODY_BYTES
                or len(reader.requests) > MAX_QUEUED_REQUESTS):
            self._pause_reading()
        self._pump()

    def eof_received(self) -> bool | None:
        return None  # as Tornado's IOStream: the end of input closes the connection

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._writing_paused = False
        waiters, self._drain_waiters = self._drain_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
        finished, self._after_drain = self._after_drain, None
        if finished is not None:
            self._end_request(finished)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closing = True
        self._deadline.clear()
        for waiter in self._drain_waiters:  # as Tornado: a write to a closed connection just ends
            if not waiter.done():
                waiter.set_result(None)
        self._drain_waiters.clear()
        delegate, request = self._delegate, self._request
        self._delegate = self._request = None
        if delegate is not None and self._stage in (_AFTER_HEAD, _BODY):
            self._call(delegate.on_connection_close)
        elif request is not None and self._stage == _ANSWERING and not request.write_finished:
            request.connection_closed()
        self.server.on_close(self)
        self._lost.set_result(None)

    # ---- what the server and the request connection call ------------------------------------------------------

    async def close(self) -> None:
        """Close and wait until the connection is gone (`HTTPServer.close_all_connections`)."""
        self.close_transport()
        await self._lost

    def close_transport(self) -> None:
        if self.closing or self._transport is None:
            return
        self.closing = True
        transport = self._transport
        transport.close()  # what is already written is still sent
        if transport.get_write_buffer_size():
            asyncio.get_running_loop().call_later(CLOSE_LINGER_SECONDS, transport.abort)

    def write(self, data: bytes) -> Future[None]:
        if self.closing:
            closed: Future[None] = Future()
            closed.set_exception(StreamClosedError())
            closed.exception()  # retrieved: the caller may ignore it, as with Tornado's
            return closed
        assert self._transport is not None
        self._transport.write(data)
        if not self._writing_paused:  # (the transport pauses writing from inside write())
            return self._written
        future: Future[None] = Future()
        self._drain_waiters.append(future)
        return future

    def answer_finished(self, request: HTTP1RequestConnection) -> None:
        if request is not self._request:
            return
        if self._writing_paused:
            self._after_drain = request
        else:
            self._end_request(request)

    # ---- handing requests to the delegate ---------------------------------------------------------------------

    def _start_request(self) -> None:
        self._stage = _HEAD
        request = HTTP1RequestConnection(self, self.server.conn_params.max_body_size or 100 * 1024 * 1024,
                                         keep_alive_allowed=not self.server.conn_params.no_keep_alive)
        self._request = request
        self._delegate = self.server.start_request(self, request)
        if not self.reader.requests:
            self._deadline.set(self.server.conn_params.header_timeout or 3600.0)
        self._pump()

    def _end_request(self, request: HTTP1RequestConnection) -> None:
        if self.closing:
            return
        if request.disconnect_on_finish:
            self.close_transport()
            return
        self._start_request()
        self._resume_reading()

    def _pump(self) -> None:
        """Hand on whatever the current request's delegate can take now."""
        reader = self.reader
        while not self._blocked and not self.closing:
            delegate, request = self._delegate, self._request
            if delegate is None or request is None or self._stage == _ANSWERING:
                return
            if not reader.requests:
                if reader.error is not None:
                    self._fail(reader.error)
                return
            incoming = reader.requests[0]
            if self._stage == _HEAD:
                self._stage = _AFTER_HEAD
                self._deadline.clear()
                request.head_arrived(incoming)
                self._call(delegate.headers_received, incoming.start_line, incoming.headers)
            elif self._stage == _AFTER_HEAD:
                self._begin_body(request, incoming)
            else:
                self._deliver_body(delegate, request, incoming)
                return

    def _begin_body(self, request: HTTP1RequestConnection, incoming: IncomingRequest) -> None:
        """After the delegate has taken the head (and set its body limit, if it has one), as Tornado does."""
        self._stage = _BODY
        if incoming.expects_continue and not request.write_finished:
            self.write(b"HTTP/1.1 100 (Continue)\r\n\r\n")
        if incoming.content_length is not None and incoming.content_length > request.max_body_size:
            self._fail(_too_large(request, incoming))
            return
        if not incoming.complete:
            self._deadline.set(self.body_timeout)

    def _deliver_body(self, delegate: httputil.HTTPMessageDelegate, request: HTTP1RequestConnection,
                      incoming: IncomingRequest) -> None:
        reader = self.reader
        while incoming.chunks:
            chunk = incoming.chunks.popleft()
            reader.queued_bytes -= len(chunk)
            if incoming.body_received > request.max_body_size:  # chunked: counted as it arrives
                self._fail(_too_large(request, incoming))
                return
            # Once answered, the rest of the body is read and dropped (Tornado's rule).
            if not request.write_finished and not self._call(delegate.data_received, chunk):
                return  # delivery goes on when the delegate's future resolves
        if not incoming.complete:
            if reader.error is not None:
                self._fail(reader.error)
            else:
                self._resume_reading()
            return
        reader.requests.popleft()
        self._stage = _ANSWERING
        self._deadline.clear()
        self._resume_reading()
        request.read_finished = True
        if not request.write_finished:
            self._call(delegate.finish)
        elif request.disconnect_on_finish:  # answered (and finished) before the body was read
            self.close_transport()

    def _call(self, method: Callable[..., Awaitable[None] | None], *args: Any) -> bool:
        """Call a delegate method as Tornado's `_ExceptionLoggingContext` does: an error is logged and closes
        the connection. True when delivery may go on now; False if the connection closed or delivery waits
        for the future the method returned."""
        try:
            result = method(*args)
        except httputil.HTTPInputError as error:  # Tornado's own checks of a head (a missing Host...): a 400
            incoming = self.reader.requests[0] if self.reader.requests else None
            self._fail(InputError(400, str(error), incoming.start_line.method if incoming else None,
                                  incoming.start_line.path if incoming else None))
            return False
        except Exception:  # noqa: BLE001 - a delegate's error is logged and closes the connection, as in Tornado
            app_log.error("Uncaught exception", exc_info=True)
            self.close_transport()
            return False
        if result is None:
            return True
        future = asyncio.ensure_future(result)
        if future.done():
            return self._delegate_result(future)
        self._blocked = True
        future.add_done_callback(self._unblock)
        return False

    def _unblock(self, future: asyncio.Future[Any]) -> None:
        self._blocked = False
        if self._delegate_result(future):
            self._pump()

    def _delegate_result(self, future: asyncio.Future[Any]) -> bool:
        if future.cancelled() or future.exception() is None:
            return True
        app_log.error("Uncaught exception", exc_info=future.exception())
        self.close_transport()
        return False

    # ---- errors, flow control and timeouts --------------------------------------------------------------------

    def _fail(self, error: InputError) -> None:
        """Answer `error` in the project's JSON shape unless an answer has begun, then close."""
        log = logging.getLogger("tornado_boilerplate.server")
        log.info("malformed HTTP request from %s: %s", self.context, error.message)
        request = self._request
        if request is None or not request.headers_written:
            self.write(error_answer(error.status, error.message, error.method, error.uri))
        self.close_transport()

    def _pause_reading(self) -> None:
        if not self._reading_paused and self._transport is not None and not self.closing:
            self._reading_paused = True
            self._transport.pause_reading()

    def _resume_reading(self) -> None:
        reader = self.reader
        if (self._reading_paused and not self.closing and reader.error is None
                and reader.queued_bytes <= MAX_QUEUED_BODY_BYTES and len(reader.requests) <= MAX_QUEUED_REQUESTS):
            self._reading_paused = False
            assert self._transport is not None
            self._transport.resume_reading()
