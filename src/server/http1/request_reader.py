"""Requests off the wire with httptools (llhttp): bytes in, whole request heads and body pieces out.

The reader only parses and queues; the connection hands the queue to Tornado's delegates one request at a
time (pipelined requests wait their turn, as with Tornado's own HTTP/1 layer). Framing is checked at least as
strictly as Tornado checks it: llhttp refuses Content-Length with Transfer-Encoding, repeated or non-digit
Content-Length, obs-fold, bare CR or LF, control characters and bad chunk sizes; on top of it only HTTP/1.0
and 1.1 are served, `chunked` is the only transfer coding and a chunk-size line is hex digits only
(chunk_lines.py), Tornado's own rules.
"""

from __future__ import annotations

import re
from collections import deque
from functools import partial

import httptools
from tornado import httputil
from tornado.http1connection import is_transfer_encoding_chunked

from src.server.http1.chunk_lines import ChunkLineCheck
from src.server.http1.header_fields import combined, field_lists, request_headers

# llhttp knows a fixed list of methods; Tornado takes any token and lets the Application answer 405. Another
# token is parsed as if it were GET (same framing rules for a request) and handed on under its own name.
_PARSED_AS_IS = frozenset((b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"OPTIONS", b"PATCH", b"CONNECT"))
_METHOD_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_LONGEST_METHOD = 64
_VERSIONS = {"1.1": "HTTP/1.1", "1.0": "HTTP/1.0"}
_start_line = partial(tuple.__new__, httputil.RequestStartLine)  # the NamedTuple without its Python-level __new__


class InputError(Exception):
    """The request cannot be read further: answered with `status` and the connection closed."""

    def __init__(self, status: int, message: str, method: str | None = None, uri: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.method = method
        self.uri = uri


class IncomingRequest:
    """One request as far as it has arrived: its head, body pieces not yet handed on, and whether it is whole."""

    __slots__ = ("body_received", "chunked", "chunks", "complete", "connection", "content_length",
                 "expects_continue", "headers", "start_line")

    def __init__(self, start_line: httputil.RequestStartLine, headers: httputil.HTTPHeaders,
                 content_length: int | None, chunked: bool = False) -> None:
        self.start_line = start_line
        self.headers = headers
        self.chunks: deque[bytes] = deque()
        self.complete = False
        self.content_length = content_length
        self.chunked = chunked
        self.body_received = 0
        fields = field_lists(headers)
        self.connection = (combined(fields, "Connection") or "").lower()  # the value, in lower case
        self.expects_continue = combined(fields, "Expect") == "100-continue"


class RequestReader:
    """httptools' callback target for one connection: parsed requests accumulate in `requests`."""

    def __init__(self, max_header_size: int) -> None:
        self.max_header_size = max_header_size
        self.requests: deque[IncomingRequest] = deque()
        self.error: InputError | None = None
        self.queued_bytes = 0  # body bytes in `requests`, not yet handed on
        self._parser = httptools.HttpRequestParser(self)
        self._url: list[bytes] = []
        self._raw_headers: list[tuple[bytes, bytes]] = []
        self._head_size = 0  # parsed bytes of the head being read
        self._in_head = False  # a request has begun and its head is not complete yet
        self._heads_begun = 0
        self._completed = 0
        self._items = 0
        self._unparsed = 0
        self._reading: IncomingRequest | None = None
        self._held = b""  # the start of a request line whose method has not arrived whole
        self._method_name: str | None = None
        self._chunk_lines = ChunkLineCheck()
        self._chunked_head_arrived = False  # in the read being parsed: its chunk-size lines are to be checked
        self._priming = False  # a stand-in head is putting a new parser into an upgrade request's body

    def feed(self, data: bytes) -> None:
        """Parse `data`; on malformed input `error` is set and nothing more is read."""
        if self.error is not None:
            return
        in_head, reading = self._in_head, self._reading
        at_boundary = not in_head and reading is None
        if at_boundary:  # at a request's first byte
            try:
                data = self._stand_in_method(self._held + data if self._held else data)
            except InputError as error:
                self.error = error
                return
            if not data:
                return
        heads_before, completed_before, items_before = self._heads_begun, self._completed, self._items
        queued_before = len(self.requests)
        body_left = 0  # of a Content-Length body this read began inside
        if reading is not None and reading.content_length:
            body_left = reading.content_length - reading.body_received
        upgraded_at = None
        try:
            self._parser.feed_data(data)
        except InputError as error:
            self.error = error
        except httptools.HttpParserUpgrade as upgrade:
            upgraded_at = int(upgrade.args[0]) if upgrade.args else len(data)
        except httptools.HttpParserError as error:
            # httptools reports an exception raised by a callback as its own, with ours as the context.
            cause = error.__context__
            self.error = cause if isinstance(cause, InputError) else self._parse_error(error)
        if self._chunked_head_arrived or self._chunk_lines.walking is not None:
            self._check_chunk_lines(data[:upgraded_at], queued_before, in_head, body_left)
        if upgraded_at is not None:
            # Tornado ignores Upgrade on a plain handler and answers normally; so do we, parsing on afresh.
            self._parse_on_after_upgrade()
            self.feed(data[upgraded_at:])
            return
        if self._in_head:
            self._chunk_lines.keep_head_tail(data, in_head)
            if self.error is None:
                self._count_open_head(len(data), heads_before,
                                      at_boundary and completed_before == self._completed, items_before)

    def _count_open_head(self, size: int, heads_before: int, whole_read_is_head: bool, items_before: int) -> None:
        """Count a read that leaves a head incomplete. Parsed items (target pieces, headers) count exactly; bytes
        of reads that completed none count until the item they belong to is parsed. Never more than arrived."""
        if heads_before == self._heads_begun and items_before == self._items:
            self._unparsed += size  # a read inside one item (a long header line arriving in pieces)
        elif whole_read_is_head:
            self._unparsed = max(0, size - self._head_size)
        if self._head_size + self._unparsed > self.max_header_size:
            self.error = self._too_large()

    # ---- httptools callbacks ----------------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._url.clear()
        self._raw_headers = []
        self._head_size = 0
        self._unparsed = 0
        self._in_head = True
        self._heads_begun += 1

    def on_url(self, url: bytes) -> None:
        self._url.append(url)
        self._count(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        if not self._in_head:  # a trailer after a chunked body: Tornado's parser refuses them, so do we
            method, uri = self._head_known()
            raise InputError(400, "trailer fields after a chunked body are not accepted", method, uri)
        self._raw_headers.append((name, value))
        self._count(len(name) + len(value) + 4)

    def on_headers_complete(self) -> None:
        self._in_head = False
        if self._priming:
            return
        method, self._method_name = self._method_name or self._parser.get_method().decode("ascii"), None
        uri = b"".join(self._url).decode("latin-1")
        version = self._parser.get_http_version()
        if version not in _VERSIONS:
            raise InputError(400, f"unsupported HTTP version {version[:8]!r}", method, uri[:200])
        headers = request_headers(self._raw_headers)
        fields = field_lists(headers)
        content_length = None
        chunked = "Transfer-Encoding" in fields
        if chunked:
            try:
                is_transfer_encoding_chunked(headers)
            except httputil.HTTPInputError as error:
                raise InputError(400, str(error), method, uri[:200]) from None
            self._chunked_head_arrived = True
        elif "Content-Length" in fields:
            content_length = int(headers["Content-Length"])  # llhttp has checked it is one run of digits
        request = IncomingRequest(_start_line((method, uri, _VERSIONS[version])), headers, content_length, chunked)
        self._reading = request
        self.requests.append(request)

    def on_body(self, body: bytes) -> None:
        request = self._reading
        if request is not None:
            request.chunks.append(body)
            request.body_received += len(body)
            self.queued_bytes += len(body)

    def on_message_complete(self) -> None:
        self._completed += 1
        if self._reading is not None:
            self._reading.complete = True
            self._reading = None

    # ---- chunk-size lines and Upgrade ------------------------------------------------------------------------

    def _check_chunk_lines(self, data: bytes, queued_before: int, in_head: bool, body_left: int) -> None:
        """Check the chunk-size lines in a read (`queued_before`: the requests queued before it)."""
        self._chunked_head_arrived = False
        arrived = [self.requests[at] for at in range(queued_before, len(self.requests))]
        refused = self._chunk_lines.check(data, arrived, in_head, body_left)
        if refused is not None:
            self._refuse_chunked_body(*refused)

    def _refuse_chunked_body(self, request: IncomingRequest, good_bytes: int, message: str) -> None:
        """Keep of `request` only the body before the refused size line, and drop the requests behind it."""
        while self.requests and self.requests[-1] is not request:
            self.queued_bytes -= sum(map(len, self.requests.pop().chunks))
        excess = request.body_received - good_bytes
        while excess > 0 and request.chunks:
            last = request.chunks.pop()
            kept = last[:max(0, len(last) - excess)]
            excess -= len(last) - len(kept)
            self.queued_bytes -= len(last) - len(kept)
            if kept:
                request.chunks.append(kept)
        request.body_received = min(request.body_received, good_bytes)
        request.complete = False
        self.error = InputError(400, message, request.start_line.method, request.start_line.path[:200])

    def _parse_on_after_upgrade(self) -> None:
        """A new parser after an Upgrade request. llhttp has completed it without its body (a protocol switch
        would follow the head); Tornado reads the body as any other, so a stand-in head with the same framing
        puts the new parser into it, and a request in that body stays body."""
        self._parser = httptools.HttpRequestParser(self)
        request = self.requests[-1] if self.requests else None
        if request is None or not (request.chunked or request.content_length):
            return
        request.complete = False
        self._reading = request
        framing = b"Transfer-Encoding: chunked" if request.chunked else b"Content-Length: %d" % (
            request.content_length or 0)
        self._priming = True
        try:
            self._parser.feed_data(b"PUT / HTTP/1.1\r\n%s\r\n\r\n" % framing)
        finally:
            self._priming = False

    # ---- helpers ----------------------------------------------------------------------------------------------

    def _stand_in_method(self, data: bytes) -> bytes:
        """`data` with a method llhttp does not know replaced by GET (its name kept for the head); empty while
        the method is still arriving. Checked here, where a request line starts a read: one space after the
        method (a pipelined request behind another in the same read is checked by llhttp alone)."""
        self._held = b""
        space = data.find(b" ", 0, _LONGEST_METHOD + 1)
        if space == -1:
            if len(data) <= _LONGEST_METHOD and _METHOD_TOKEN.fullmatch(data):
                self._held = data
                return b""
            return data
        method = data[:space]
        if data[space + 1:space + 2] == b" " and _METHOD_TOKEN.fullmatch(method):
            # llhttp skips extra spaces after the method; Tornado (and RFC 9112) take exactly one.
            raise InputError(400, "malformed request line: more than one space after the method",
                             method.decode("ascii"))
        if method in _PARSED_AS_IS or not _METHOD_TOKEN.fullmatch(method):
            return data
        self._method_name = method.decode("ascii")
        return b"GET" + data[space:]

    def _count(self, size: int) -> None:
        self._items += 1
        self._unparsed = 0  # those bytes are in this item now
        self._head_size += size
        if self._head_size > self.max_header_size:
            raise self._too_large()

    def _parse_error(self, error: httptools.HttpParserError) -> InputError:
        if str(error) == "Content-Length overflow":  # over 2**64: over any body limit, Tornado's 413
            return InputError(413, "request body exceeds the limit: its Content-Length is too large",
                              *self._head_known())
        return InputError(400, f"malformed request: {error}", *self._head_known())

    def _too_large(self) -> InputError:
        return InputError(431, f"request headers exceed the limit of {self.max_header_size} bytes",
                          *self._head_known())

    def _head_known(self) -> tuple[str | None, str | None]:
        """The method and target of the request being read, when they have arrived (the method comes first)."""
        if not self._url:
            return None, None
        try:
            method = self._parser.get_method().decode("ascii")
        except (httptools.HttpParserError, UnicodeDecodeError):
            method = None
        uri = b"".join(self._url).decode("latin-1")[:200] or None
        return method, uri
