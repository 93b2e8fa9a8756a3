"""`header_fields`: the HTTPHeaders it builds behave as HTTPHeaders built through Tornado's public methods (this is
where a Tornado that lays its headers out differently fails), and its look-ups read what those methods read."""

from __future__ import annotations

import copy

from tornado.httputil import HTTPHeaders, _normalize_header

from src.server.http1.header_fields import combined, field_lists, field_name, request_headers

RAW = [(b"host", b"example.test"), (b"X-API-key", b"k1 \t"), (b"content-TYPE", b"application/json"),
       (b"x-api-KEY", b"k2"), (b"Set-Cookie", b"a=1"), (b"set-cookie", b"b=2")]


def public(raw: list[tuple[bytes, bytes]]) -> HTTPHeaders:
    headers = HTTPHeaders()
    for name, value in raw:
        headers.add(name.decode("latin-1"), value.decode("latin-1").strip(" \t"))
    return headers


def test_built_headers_answer_every_mapping_method_as_public_ones() -> None:
    built, expected = request_headers(RAW), public(RAW)
    assert list(built.get_all()) == list(expected.get_all())
    assert dict(built) == dict(expected) and len(built) == len(expected) == 4
    assert built["X-Api-Key"] == expected["x-api-key"] == "k1,k2"
    assert built.get_list("set-cookie") == ["a=1", "b=2"]
    assert "CONTENT-type" in built and "Expect" not in built and built.get("Expect") is None


def test_built_headers_change_as_public_ones() -> None:
    built, expected = request_headers(RAW), public(RAW)
    for headers in (built, expected):
        assert headers["Host"] == "example.test"  # fills the combined cache before the changes
        headers.add("Host", "second")
        headers["Content-Type"] = "text/plain"
        del headers["Set-Cookie"]
    assert list(built.get_all()) == list(expected.get_all())
    assert built["Host"] == "example.test,second"
    assert list(copy.copy(built).get_all()) == list(expected.get_all())
    assert list(HTTPHeaders(built).get_all()) == list(expected.get_all())


def test_names_are_normalized_as_tornado_normalizes_them() -> None:
    for raw in (b"x-api-key", b"CONTENT-LENGTH", b"te", b"x--double", b"Sec-WebSocket-Key"):
        assert field_name(raw) == _normalize_header(raw.decode()), raw


def test_look_ups_read_normalized_names_and_join_repeated_values() -> None:
    fields = field_lists(request_headers(RAW))
    assert combined(fields, "X-Api-Key") == "k1,k2"
    assert combined(fields, "Connection") is None
    headers = HTTPHeaders()
    headers["content-length"] = "12"
    assert combined(field_lists(headers), "Content-Length") == "12"
