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
    reader = read(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
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


@pytest.mark.parametrize("framing, body", [
    (b"Content-Length: 30", b"GET /hidden HTTP/1.1\r\nA: b\r\n\r\n"),
    (b"Transfer-Encoding: chunked", b"1e\r\nGET /hidden HTTP/1.1\r\nA: b\r\n\r\n\r\n0\r\n\r\n"),
])
def test_the_body_of_an_upgrade_request_stays_its_body(framing: bytes, body: bytes) -> None:
    reader = read(b"POST / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n" + framing + b"\r\n\r\n" + body
                  + b"GET /next HTTP/1.1\r\n\r\n")
    assert reader.error is None
    assert [request.start_line.path for request in reader.requests] == ["/", "/next"]
    upgrade = reader.requests[0]
    assert upgrade.complete and b"".join(upgrade.chunks) == b"GET /hidden HTTP/1.1\r\nA: b\r\n\r\n"


# Pipelined requests whose bodies hold what a head end or a size line looks like: the walk along the chunk-size
# lines (chunk_lines.py) must find each where llhttp found it, however the reads split the bytes.
PIPELINED = (b"\r\nGET /a HTTP/1.1\r\nHost: t\r\n\r\n"
             b"POST /b HTTP/1.1\r\nContent-Length: 12\r\n\r\n1;x\r\n\r\n\r\n;\r\n"
             b"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
             b"0003\r\n;\r\n\r\nb\r\n\r\n\r\n2;x=1\r\n\r\n0\r\n\r\n"
             b"GET /d HTTP/1.1\r\n\r\n")
BODIES = {"/a": b"", "/b": b"1;x\r\n\r\n\r\n;\r\n", "/c": b";\r\n\r\n\r\n2;x=1\r\n", "/d": b""}


def splits(data: bytes) -> list[tuple[bytes, ...]]:
    """`data` in one read, in two at every point, and one byte at a time."""
    return [(data,), *((data[:at], data[at:]) for at in range(1, len(data))), tuple(bytes([b]) for b in data)]


def test_chunk_size_lines_of_pipelined_requests_are_found_however_the_reads_split() -> None:
    for pieces in splits(PIPELINED):
        reader = read(*pieces)
        assert reader.error is None, (pieces, reader.error.message if reader.error else None)
        bodies = {request.start_line.path: b"".join(request.chunks) for request in reader.requests}
        assert bodies == BODIES and all(request.complete for request in reader.requests), pieces


@pytest.mark.parametrize("line", [b"2;ext=1", b"2 ;ext", b"0" * 63 + b"2"])
def test_a_chunk_size_line_tornado_refuses_is_a_400_and_nothing_behind_it_is_read(line: bytes) -> None:
    data = PIPELINED.replace(b"b\r\n\r\n\r\n2;x=1\r\n\r\n", b"b\r\n\r\n\r\n2;x=1\r\n\r\n" + line + b"\r\nzz\r\n")
    for pieces in splits(data):
        reader = read(*pieces)
        assert reader.error is not None and reader.error.status == 400, pieces
        assert (reader.error.method, reader.error.uri) == ("POST", "/c")
        assert [request.start_line.path for request in reader.requests] == ["/a", "/b", "/c"], pieces
        refused = reader.requests[-1]
        assert not refused.complete and b"".join(refused.chunks) == BODIES["/c"], pieces
        assert reader.queued_bytes == len(BODIES["/b"]) + len(BODIES["/c"])


def test_an_extension_on_the_last_chunk_is_a_400() -> None:
    reader = read(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0;x\r\n\r\nGET / HTTP/1.1\r\n\r\n")
    assert reader.error is not None and reader.error.status == 400 and len(reader.requests) == 1


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
