"""`RequestReader`: what llhttp and the reader's own rules make of the bytes, before any delegate sees them."""

from __future__ import annotations

import pytest

from src.server.http1.request_reader import RequestReader


def read(*pieces: bytes) -> RequestReader:
    reader = RequestReader(max_header_size=4096)
    for piece in pieces:
        reader.feed(piece)
    return reader


def test_pipelined_requests_are_queued_whole_and_in_order() -> None:
    reader = read(b"GET /a HTTP/1.1\r\nHost: t\r\n\r\nPOST /b?x=1 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /c HT",
                  b"TP/1.0\r\nX-Two: 1\r\nX-Two: 2\r\n\r\n")
    assert reader.error is None
    starts = [tuple(request.start_line) for request in reader.requests]
    assert starts == [("GET", "/a", "HTTP/1.1"), ("POST", "/b?x=1", "HTTP/1.1"), ("GET", "/c", "HTTP/1.0")]
    post, last = reader.requests[1], reader.requests[2]
    assert (b"".join(post.chunks), post.content_length, post.complete) == (b"abc", 3, True)
    assert last.headers.get_list("X-Two") == ["1", "2"]


def test_a_chunked_body_is_decoded_and_a_trailer_refused_as_tornado_does() -> None:
    reader = read(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n",
                  b"2\r\nde\r\n0\r\n\r\n")
    [request] = reader.requests
    assert b"".join(request.chunks) == b"abcde" and request.complete
    trailer = read(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX-Trailer: 1\r\n\r\n")
    assert trailer.error is not None and trailer.error.status == 400 and not trailer.requests[0].complete


def test_a_method_llhttp_does_not_know_keeps_its_name_even_split_across_reads() -> None:
    reader = read(b"BR", b"EW /pot HTTP/1.1\r\n\r\n")
    assert reader.error is None and reader.requests[0].start_line.method == "BREW"


def test_an_upgrade_request_is_answered_as_plain_http_and_parsing_goes_on() -> None:
    reader = read(b"GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\nGET /next HTTP/1.1\r\n\r\n")
    assert [request.start_line.path for request in reader.requests] == ["/", "/next"]


@pytest.mark.parametrize("data", [
    b"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: 0x1\r\n\r\n",
    b"POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n",
    b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
    b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
    b"GET / HTTP/1.1\r\nA: 1\r\n  folded\r\n\r\n",
    b"GET / HTTP/1.1\r\nA: 1\nB: 2\r\n\r\n",
    b"GET / HTTP/1.1\r\nA: 1\x00\r\n\r\n",
    b"GET / HTTP/2.0\r\n\r\n",
    b"G\x01T / HTTP/1.1\r\n\r\n",
])
def test_ambiguous_or_malformed_framing_is_a_400(data: bytes) -> None:
    reader = read(data)
    assert reader.error is not None and reader.error.status == 400


def test_a_head_over_the_limit_is_a_431_however_it_arrives() -> None:
    at_once = read(b"GET / HTTP/1.1\r\nX: " + b"y" * 5000 + b"\r\n\r\n")
    trickled = read(b"GET / HTTP/1.1\r\nX: ", *[b"y" * 100] * 50)
    target = read(b"GET /" + b"y" * 5000)
    for reader in (at_once, trickled, target):
        assert reader.error is not None and reader.error.status == 431
        assert reader.error.method == "GET"


def test_a_head_under_the_limit_split_anywhere_is_read() -> None:
    data = b"GET / HTTP/1.1\r\nX: " + b"y" * 3000 + b"\r\n\r\n"
    reader = read(*[data[i:i + 7] for i in range(0, len(data), 7)])
    assert reader.error is None and len(reader.requests[0].headers["X"]) == 3000


def test_more_than_one_space_after_the_method_is_a_400() -> None:
    reader = read(b"GET  / HTTP/1.1\r\nHost: t\r\n\r\n")
    assert reader.error is not None and reader.error.status == 400 and not reader.requests
