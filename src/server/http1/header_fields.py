"""Tornado's `HTTPHeaders` for the httptools transport, built and read without the cost of its mapping methods.

Every mapping method of `HTTPHeaders` (`in`, `[]`, `get`, and `HTTPHeaders()` itself, through
`MutableMapping.update`) is a Python-level call that normalizes the name again: 1.5k-7k instructions each, and a
request's head and its answer took about a dozen. Here a request's fields come from llhttp already split, their
names normalized once per spelling (cached), and go into the object's field lists directly; the transport's own
look-ups read those lists by normalized name. The layout used (`_as_list`: normalized name -> its values in
order; `_combined_cache`: the comma-joined values, filled lazily by `__getitem__`) is Tornado 6.6's, and
tests/unit/server/http1/test_header_fields.py compares what is built here with `HTTPHeaders` built through its
public methods, so a Tornado that changes the layout fails there.
"""

from __future__ import annotations

from tornado.httputil import HTTPHeaders

# Spellings of names seen, up to a bound: a client sending ever new names does not grow it further.
_MAX_CACHED_NAMES = 512
_normalized: dict[bytes, str] = {}


def field_name(raw: bytes) -> str:
    """`raw` (a field name as llhttp has checked it: a token) in Tornado's Http-Header-Case."""
    name = _normalized.get(raw)
    if name is None:
        name = "-".join([word.capitalize() for word in raw.decode("latin-1").split("-")])
        if len(_normalized) < _MAX_CACHED_NAMES:
            _normalized[raw] = name
    return name


def request_headers(raw_fields: list[tuple[bytes, bytes]]) -> HTTPHeaders:
    """The `HTTPHeaders` of a request head as llhttp has split it: repeated fields keep every value in order, as
    `HTTPHeaders.add` keeps them. llhttp has checked names and values as strictly as `add` checks them, and has
    dropped the whitespace before a value; the whitespace after it is dropped here (Tornado strips both)."""
    fields: dict[str, list[str]] = {}
    for raw_name, raw_value in raw_fields:
        name = field_name(raw_name)
        value = raw_value.rstrip(b" \t").decode("latin-1")
        values = fields.get(name)
        if values is None:
            fields[name] = [value]
        else:
            values.append(value)
    headers = HTTPHeaders.__new__(HTTPHeaders)
    headers._as_list = fields
    headers._combined_cache = {}
    return headers


def field_lists(headers: HTTPHeaders) -> dict[str, list[str]]:
    """`headers` as normalized name -> values, to look fields up by a name already in Http-Header-Case."""
    return headers._as_list


def combined(fields: dict[str, list[str]], name: str) -> str | None:
    """The field's values joined as `HTTPHeaders[name]` joins them, or None without the field."""
    values = fields.get(name)
    return None if values is None else ",".join(values)
