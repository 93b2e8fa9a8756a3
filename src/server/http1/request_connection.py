"""`HTTP1RequestConnection`: Tornado's `HTTPConnection` for one request on the httptools transport.

It writes the answer as Tornado's `HTTP1Connection` does: `Content-Length` or chunked (HTTP/1.1 only), no body
for HEAD, 1xx, 204 and 304, `Connection: close` to an HTTP/1.1 client when the connection will close and
`Connection: Keep-Alive` to an HTTP/1.0 client that asked for it, and the same errors for an answer longer or
shorter than its `Content-Length`. Stricter than Tornado: an answer that says `Connection: close` closes the
connection, and so does an HTTP/1.0 answer without a length (its end can only be told by the close).
Write futures resolve once the bytes are in the kernel (back-pressure), or at once when the client has gone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tornado import httputil
from tornado.concurrent import Future
from tornado.httpserver import _HTTPRequestContext

from src.server.http1.header_fields import combined, field_lists

if TYPE_CHECKING:
    from src.server.http1.connection_parts import TransportStream
    from src.server.http1.protocol import HTTP1Protocol
    from src.server.http1.request_reader import IncomingRequest


class HTTP1RequestConnection(httputil.HTTPConnection):
    def __init__(self, channel: HTTP1Protocol, max_body_size: int, keep_alive_allowed: bool) -> None:
        self._channel = channel
        self.max_body_size = max_body_size
        self.request: IncomingRequest | None = None  # set when its head is handed to the delegate
        self.headers_written = False
        self.write_finished = False
        self.read_finished = False
        self.disconnect_on_finish = not keep_alive_allowed
        self._keep_alive_allowed = keep_alive_allowed
        self._chunking = False
        self._expected_remaining: int | None = None
        self._close_callback: Callable[[], None] | None = None

    # ---- what handlers and the server's bookkeeping read ------------------------------------------------------

    @property
    def context(self) -> _HTTPRequestContext:
        return self._channel.context

    @property
    def stream(self) -> TransportStream:
        return self._channel.stream

    def set_close_callback(self, callback: Callable[[], None] | None) -> None:
        """`callback` runs if the client goes away after its request was read, before the answer is done."""
        self._close_callback = callback

    def set_max_body_size(self, max_body_size: int) -> None:
        self.max_body_size = max_body_size

    def set_body_timeout(self, timeout: float) -> None:
        self._channel.body_timeout = timeout

    def head_arrived(self, request: IncomingRequest) -> None:
        """Called before the delegate sees the head: decides keep-alive as Tornado's `_can_keep_alive` does."""
        self.request = request
        if not self._keep_alive_allowed:
            return
        connection = request.connection
        if request.start_line.version == "HTTP/1.1":
            self.disconnect_on_finish = connection == "close"
        else:
            framed = request.content_length is not None or "Transfer-Encoding" in request.headers
            self.disconnect_on_finish = not (
                (framed or request.start_line.method in ("HEAD", "GET")) and connection == "keep-alive")

    def connection_closed(self) -> None:
        """The client has gone while this request's answer was pending."""
        callback, self._close_callback = self._close_callback, None
        if callback is not None:
            callback()

    # ---- writing the answer -----------------------------------------------------------------------------------

    def write_headers(self, start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
                      headers: httputil.HTTPHeaders, chunk: bytes | None = None) -> Future[None]:
        assert isinstance(start_line, httputil.ResponseStartLine) and self.request is not None
        request_line = self.request.start_line
        code = start_line.code
        http11 = request_line.version == "HTTP/1.1"
        bodiless = request_line.method == "HEAD" or code in (204, 304) or 100 <= code < 200
        fields = field_lists(headers)
        length = combined(fields, "Content-Length")
        self._chunking = http11 and not bodiless and length is None
        unframed_http10 = not http11 and not bodiless and length is None
        if unframed_http10 or (combined(fields, "Connection") or "").lower() == "close":
            self.disconnect_on_finish = True
        if http11 and self.disconnect_on_finish:
            headers["Connection"] = "close"
        if not http11 and not self.disconnect_on_finish and self.request.connection == "keep-alive":
            headers["Connection"] = "Keep-Alive"
        if self._chunking:
            headers["Transfer-Encoding"] = "chunked"
        if request_line.method == "HEAD" or code == 304:
            self._expected_remaining = 0
        elif length is not None:
            self._expected_remaining = int(length)
        else:
            self._expected_remaining = None
        lines = [f"{name}: {value}\r\n" for name, values in fields.items() for value in values]
        head = f"HTTP/1.1 {code} {start_line.reason}\r\n{''.join(lines)}\r\n"
        # One count instead of a search per line: any CR or LF beyond the line ends is inside a header.
        if head.count("\n") != len(lines) + 2 or head.count("\r") != len(lines) + 2:
            raise ValueError(f"Illegal characters (CR or LF) in header: {head[:200]!r}")
        self.headers_written = True
        data = head.encode("latin-1")
        if chunk:
            data += self._format_chunk(chunk)
        return self._channel.write(data)

    def write(self, chunk: bytes) -> Future[None]:
        return self._channel.write(self._format_chunk(chunk))

    def finish(self) -> None:
        if self._expected_remaining and not self._channel.stream.closed():
            self._channel.stream.close()
            raise httputil.HTTPOutputError(
                f"Tried to write {self._expected_remaining} bytes less than Content-Length")
        if self._chunking:
            self._channel.write(b"0\r\n\r\n")
        self.write_finished = True
        if not self.read_finished:
            # The body is still arriving and nobody wants it: closing is the only way not to read it all.
            self.disconnect_on_finish = True
        self._close_callback = None
        self._channel.answer_finished(self)

    def _format_chunk(self, chunk: bytes) -> bytes:
        if self._expected_remaining is not None:
            self._expected_remaining -= len(chunk)
            if self._expected_remaining < 0:
                self._channel.stream.close()  # stop further framing errors
                raise httputil.HTTPOutputError("Tried to write more data than Content-Length")
        if self._chunking and chunk:  # an empty chunk would end the body
            return b"%x\r\n%s\r\n" % (len(chunk), chunk)
        return chunk
