"""Checks of a request's framing and target, run before a handler uses any of it.

Tornado validates `Content-Length` and `Transfer-Encoding` only after the handler's `prepare()` (when it reads
the body), and answers a bad one with a bare `400` and no body; a request path with a `%00` reaches the file
system. These checks apply the same rules first, so the client gets the project's JSON error instead.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from tornado import httputil
from tornado.http1connection import is_transfer_encoding_chunked

from src.model.errors import BadRequestError, RequestHeaderFieldsTooLargeError

# Headers above this size get a JSON 431. Tornado's own limit (HTTPServer max_header_size, 64 KiB) stays above
# it: a header block beyond that is cut off by Tornado's parser with the connection closed and no answer.
MAX_HEADER_BYTES = 32 * 1024

_DIGITS = re.compile(r"[0-9]+")
_COMMA = re.compile(r",[ \t]*")
_CONTROL_BYTES = re.compile(rb"[\x00-\x1f\x7f]")


def header_value(headers: httputil.HTTPHeaders, name: str) -> str | None:
    """`headers.get(name)` at a third of its cost when the header is missing (the common case on the hot path):
    `HTTPHeaders.get` answers a missing name by raising and catching KeyError."""
    return headers[name] if name in headers else None  # noqa: SIM401 - get() is the slow path this avoids


def check_request(request: httputil.HTTPServerRequest) -> None:
    """400 for control characters (NUL...) in the path, even percent-encoded; 431 for oversized headers."""
    if "%" in request.path and _CONTROL_BYTES.search(unquote_to_bytes(request.path)):
        raise BadRequestError("the request path contains a control character")
    size = len(request.method or "") + len(request.uri or "") + 12 + fields_size(request.headers)
    if size > MAX_HEADER_BYTES:
        raise RequestHeaderFieldsTooLargeError(
            f"request headers are {size} bytes; the limit is {MAX_HEADER_BYTES}")


def fields_size(headers: httputil.HTTPHeaders) -> int:
    """The bytes of the header fields as sent (`Name: value\r\n` each, repeated fields once per value), read from
    Tornado's field lists (`_as_list`: name -> its values) rather than through `get_all()`, a generator resumed
    for every field of every request (measured 0.61 against 1.03 us for five fields). Tests check both agree."""
    fields = getattr(headers, "_as_list", None)
    if type(fields) is not dict:  # another layout: the public way
        return sum(len(name) + len(value) + 4 for name, value in headers.get_all())
    size = 0
    for name, values in fields.items():
        for value in values:
            size += len(name) + len(value) + 4
    return size


def declared_length(headers: httputil.HTTPHeaders) -> int | None:
    """The body length `Content-Length` announces (None without one), checked as Tornado's HTTP/1 parser does:
    digits only, repeated values (`2, 2` or two headers) only if equal, never with `Transfer-Encoding`, whose
    only accepted value is `chunked`."""
    try:
        is_transfer_encoding_chunked(headers)
    except httputil.HTTPInputError as error:
        raise BadRequestError(str(error)) from None
    declared = header_value(headers, "Content-Length")
    if declared is None:
        return None
    if declared.isdigit() and declared.isascii():  # the common case: one plain number
        return int(declared)
    pieces = _COMMA.split(declared)
    if any(piece != pieces[0] for piece in pieces):
        raise BadRequestError(f"conflicting Content-Length values: {declared[:40]!r}")
    if not _DIGITS.fullmatch(pieces[0]):
        raise BadRequestError(f"Content-Length must be a whole number of bytes, not {declared[:40]!r}")
    return int(pieces[0])
