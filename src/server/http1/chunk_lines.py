"""The chunk-size lines of chunked request bodies, checked as Tornado's parser checks them: hex digits only, at
most 64 bytes with the CRLF. llhttp parses the framing (sizes, the CRLF after each chunk, the end) but takes a
chunk extension (`2;name=value`) without reporting it, and does not say where in a read a body began; so the
reader walks the bytes of each read that carries a chunked body, along the boundaries llhttp has found:

- a head ends at its first CRLF CRLF (llhttp refuses a bare CR or LF; empty lines before a request are skipped),
- a Content-Length body is that many bytes,
- a chunked body is walked here, size line by size line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from src.server.http1.request_reader import IncomingRequest

_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")
MAX_SIZE_LINE = 64  # bytes with the CRLF: Tornado's `read_until(b"\r\n", max_bytes=64)`
HEAD_END = b"\r\n\r\n"


class ChunkLineError(ValueError):
    """A size line Tornado's parser refuses (an extension, any other byte than a hex digit, too long)."""


class ChunkedBodyWalk:
    """Where a read stands in one chunked body: inside a size line (its bytes so far) or inside a chunk (bytes
    left of it and its CRLF). `data_bytes` counts the chunk data of the lines accepted so far."""

    __slots__ = ("_last", "_left", "_line", "data_bytes")

    def __init__(self) -> None:
        self._line = b""
        self._left = 0
        self._last = False  # the last chunk's line has been read: what is left is the final CRLF
        self.data_bytes = 0

    def walk(self, data: bytes, pos: int) -> int | None:
        """Walk `data` from `pos`: the position just after the body when it ends in `data`, else None (where the
        walk stands is kept for the next read). Raises ChunkLineError at a size line Tornado would refuse."""
        end = len(data)
        while pos < end:
            if self._left:
                step = min(self._left, end - pos)
                pos += step
                self._left -= step
                if not self._left and self._last:
                    return pos
                continue
            room = MAX_SIZE_LINE - len(self._line)
            newline = data.find(b"\n", pos, pos + room)
            if newline == -1:
                self._line += data[pos:pos + room]
                if len(self._line) >= MAX_SIZE_LINE:
                    raise ChunkLineError(f"a chunk size line is longer than {MAX_SIZE_LINE} bytes")
                return None
            line, self._line = self._line + data[pos:newline], b""
            pos = newline + 1
            digits = line[:-1] if line.endswith(b"\r") else line  # llhttp has checked that the CR is there
            if not digits or not _HEX_DIGITS.issuperset(digits):
                raise ChunkLineError("a chunk size line must be hex digits only (chunk extensions are not "
                                     "accepted)")
            size = int(digits, 16)
            self.data_bytes += size
            self._last = size == 0
            self._left = size + 2  # the data and its CRLF; after the last chunk, the CRLF that ends the body
        return None


def head_end(data: bytes, pos: int, tail: bytes = b"") -> int:
    """The position just after the head that starts at or after `pos` (or has begun in an earlier read ending in
    `tail`, when `pos` is 0); -1 if it does not end in `data`. Empty lines before a request are skipped, as
    llhttp skips them."""
    if tail:
        straddling = (tail + data[:3]).find(HEAD_END)
        if straddling != -1:
            return straddling + len(HEAD_END) - len(tail)
    else:
        while pos < len(data) and data[pos] in b"\r\n":
            pos += 1
    found = data.find(HEAD_END, pos)
    return -1 if found == -1 else found + len(HEAD_END)


class ChunkLineCheck:
    """The walk over one connection's reads: `walking` is the chunked body a read ended in."""

    __slots__ = ("_head_tail", "walking")

    def __init__(self) -> None:
        self.walking: tuple[IncomingRequest, ChunkedBodyWalk] | None = None
        self._head_tail = b""  # the last bytes read of a head still arriving: its CRLF CRLF may straddle reads

    def keep_head_tail(self, data: bytes, continued: bool) -> None:
        """Called after a read that ends inside a head (`continued`: a head the read began inside)."""
        self._head_tail = (self._head_tail + data)[-3:] if continued else data[-3:]

    def check(self, data: bytes, arrived: Sequence[IncomingRequest], in_head: bool,
              body_left: int) -> tuple[IncomingRequest, int, str] | None:
        """Walk the read `data` along the requests whose heads llhttp completed in it (`arrived`), from where
        the read began: inside the chunked body `walking`, inside a head (`in_head`), before the `body_left`
        bytes left of a Content-Length body, or between requests. The first request with a size line Tornado
        would refuse is returned with the body bytes before that line and why."""
        pos = body_left
        walk: ChunkedBodyWalk | None = None
        request: IncomingRequest | None = None
        try:
            if self.walking is not None:
                request, walk = self.walking
                end = walk.walk(data, 0)
                if end is None:
                    return None
                pos, self.walking = end, None
            for request in arrived:
                pos = head_end(data, pos, self._head_tail if in_head else b"")
                in_head = False
                if pos == -1:
                    return None
                if request.chunked:
                    walk = ChunkedBodyWalk()
                    end = walk.walk(data, pos)
                    if end is None:
                        self.walking = request, walk
                        return None
                    pos = end
                else:
                    pos += request.content_length or 0
        except ChunkLineError as error:
            assert request is not None and walk is not None
            self.walking = None
            return request, walk.data_bytes, str(error)
        return None
