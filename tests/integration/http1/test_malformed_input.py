"""Request smuggling and malformed input, against each transport: every case is sent with a second request
behind it on the same connection, and the answer is compared with Tornado's (`outcomes.py`): the same, or
stricter. A framing error is a 400 (in the project's JSON shape where a handler sees the request, Tornado's
bare 400 where its parser refuses the request first) and the request behind it is never processed."""

from __future__ import annotations

import pytest

from tests.integration.http1.outcomes import (
    Expected,
    assert_same_or_stricter,
    dropped,
    observe,
    rejected,
    served,
    stored,
)
from tests.support.raw_http import RawConnection
from tests.support.server_process import ServerProcess

POST_CORS = b"POST /cors HTTP/1.1\r\nHost: test\r\n"
GET_PING = b"GET /ping HTTP/1.1\r\nHost: test\r\n"


def chunked(chunks: bytes) -> bytes:
    return POST_CORS + b"Transfer-Encoding: chunked\r\n\r\n" + chunks


# A request hidden in a body: a server that takes the chunked framing of CL+TE would process it.
SMUGGLED = b"POST /tasks HTTP/1.1\r\nHost: test\r\nContent-Length: 17\r\n\r\n{\"title\": \"smug\"}"
CL_TE_BODY = b"0\r\n\r\n" + SMUGGLED

CASES: dict[str, tuple[bytes, Expected]] = {
    # Content-Length and Transfer-Encoding together, either order.
    "cl-and-te": (POST_CORS + b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n" % len(CL_TE_BODY)
                  + CL_TE_BODY, rejected(400)),
    "te-and-cl": (POST_CORS + b"Transfer-Encoding: chunked\r\nContent-Length: %d\r\n\r\n" % len(CL_TE_BODY)
                  + CL_TE_BODY, rejected(400)),
    # Invalid Content-Length values.
    "cl-exponent": (POST_CORS + b"Content-Length: 1e3\r\n\r\n", rejected(400)),
    "cl-negative": (POST_CORS + b"Content-Length: -1\r\n\r\n", rejected(400)),
    "cl-plus-sign": (POST_CORS + b"Content-Length: +2\r\n\r\n{}", rejected(400)),
    "cl-hex": (POST_CORS + b"Content-Length: 0x2\r\n\r\n{}", rejected(400)),
    "cl-list-unequal": (POST_CORS + b"Content-Length: 2, 3\r\n\r\n{}", rejected(400)),
    "cl-two-headers-unequal": (POST_CORS + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", rejected(400)),
    # Repeated but equal: Tornado accepts them (RFC 9112 6.3 allows either).
    "cl-list-equal": (POST_CORS + b"Content-Length: 2, 2\r\n\r\n{}", served()),
    "cl-two-headers-equal": (POST_CORS + b"Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}", served()),
    # Whitespace after a value is not part of it (RFC 9110 5.5); a length over 2**64 is over any body limit.
    "cl-trailing-whitespace": (POST_CORS + b"Content-Length: 2 \t\r\n\r\n{}", served()),
    "te-trailing-space": (POST_CORS + b"Transfer-Encoding: chunked \r\n\r\n2\r\n{}\r\n0\r\n\r\n", served()),
    "cl-over-2-to-the-64": (POST_CORS + b"Content-Length: 99999999999999999999999\r\n\r\n{}", rejected(413)),
    # Transfer-Encoding other than one `chunked`.
    "te-gzip": (POST_CORS + b"Transfer-Encoding: gzip\r\n\r\n", rejected(400)),
    "te-chunked-twice": (POST_CORS + b"Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", rejected(400)),
    "te-two-headers": (POST_CORS + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                       rejected(400)),
    "te-space-before-colon": (POST_CORS + b"Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", rejected(400, "bare")),
    # Header and line syntax.
    "obs-fold": (GET_PING + b"X-Folded: a\r\n b\r\n\r\n", rejected(400, "bare")),
    "bare-cr-between-headers": (GET_PING + b"X-A: a\rX-B: b\r\n\r\n", rejected(400, "bare")),
    "bare-cr-in-value": (GET_PING + b"X-A: a\rb\r\n\r\n", rejected(400, "bare")),
    "nul-in-value": (GET_PING + b"X-A: a\x00b\r\n\r\n", rejected(400, "bare")),
    "control-character-in-value": (GET_PING + b"X-A: a\x01b\r\n\r\n", rejected(400, "bare")),
    "del-in-value": (GET_PING + b"X-A: a\x7fb\r\n\r\n", rejected(400, "bare")),
    "tab-and-obs-text-in-value": (GET_PING + b"X-A: a\tb \xe9\xff\r\n\r\n", served()),
    "header-without-colon": (GET_PING + b"NoColon\r\n\r\n", rejected(400, "bare")),
    "space-in-header-name": (GET_PING + b"X A: b\r\n\r\n", rejected(400, "bare")),
    "separator-in-header-name": (GET_PING + b"X(A): b\r\n\r\n", rejected(400, "bare")),
    "no-host": (b"GET /ping HTTP/1.1\r\n\r\n", rejected(400, "bare")),
    "two-hosts": (b"GET /ping HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", rejected(400, "bare")),
    "unknown-version": (b"GET /ping HTTP/2.7\r\nHost: test\r\n\r\n", rejected(400, "bare")),
    "double-space-request-line": (b"GET  /ping HTTP/1.1\r\nHost: test\r\n\r\n", rejected(400, "bare")),
    # Bare LF line endings: Tornado accepts them (RFC 9112 2.2 allows a recipient to).
    "bare-lf-line-endings": (b"GET /ping HTTP/1.1\nHost: test\nX-A: a\n\n", served()),
    # Sizes: over 32 KiB of headers is the project's JSON 431 (the connection stays usable: no body to skip);
    # over Tornado's 64 KiB parser limit the connection is closed without an answer.
    "request-line-40k": (b"GET /ping?q=" + b"a" * 40_000 + b" HTTP/1.1\r\nHost: test\r\n\r\n",
                         Expected(431, "json", follow_up=True)),
    "headers-40k": (GET_PING + b"X-Big: " + b"a" * 40_000 + b"\r\n\r\n", Expected(431, "json", follow_up=True)),
    "request-line-70k": (b"GET /ping?q=" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: test\r\n\r\n", dropped()),
    "headers-70k": (GET_PING + b"X-Big: " + b"a" * 70_000 + b"\r\n\r\n", dropped()),
    # Chunk sizes.
    "chunk-size-not-hex": (chunked(b"zz\r\n{}\r\n0\r\n\r\n"), rejected(400, "bare")),
    "chunk-size-negative": (chunked(b"-2\r\n{}\r\n0\r\n\r\n"), rejected(400, "bare")),
    "chunk-size-overflow": (chunked(b"ffffffffffffffffffff\r\n{}\r\n0\r\n\r\n"), rejected(400, "bare")),
    "chunk-without-crlf": (chunked(b"2\r\n{}XX0\r\n\r\n"), rejected(400, "bare")),
    "chunk-size-with-0x": (chunked(b"0x2\r\n{}\r\n0\r\n\r\n"), rejected(400, "bare")),
    # Chunk extensions and trailer fields: Tornado's parser refuses both.
    "chunk-extension": (chunked(b"2;ext=1\r\n{}\r\n0\r\n\r\n"), rejected(400, "bare")),
    "chunked-trailer-field": (chunked(b"2\r\n{}\r\n0\r\nX-Trailer: 1\r\n\r\n"), rejected(400, "bare")),
    "last-chunk-extension": (chunked(b"2\r\n{}\r\n0;ext=1\r\n\r\n"), rejected(400, "bare")),
    "chunk-size-line-over-64-bytes": (chunked(b"0" * 70 + b"2\r\n{}\r\n0\r\n\r\n"), dropped()),
    # Upgrade on a plain handler is ignored (Tornado's rule): the body is read as a body, not as a request.
    "upgrade-with-a-body": (POST_CORS + b"Connection: Upgrade\r\nUpgrade: h2c\r\nContent-Length: %d\r\n\r\n"
                            % len(SMUGGLED) + SMUGGLED, Expected(400, "json", follow_up=True)),
    "upgrade-with-a-chunked-body": (POST_CORS + b"Connection: Upgrade\r\nUpgrade: h2c\r\n"
                                    b"Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n"
                                    % (len(SMUGGLED), SMUGGLED), Expected(400, "json", follow_up=True)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_malformed_request_is_answered_like_tornado_or_stricter(server: ServerProcess, transport: str,
                                                                case: str) -> None:
    data, tornado = CASES[case]
    assert_same_or_stricter(observe(server.port, data), tornado, transport)
    assert not stored(server.port, "smug"), "a request hidden in a body was processed"


def test_whitespace_after_a_header_value_is_not_part_of_it(server: ServerProcess) -> None:
    with RawConnection(server.port) as connection:
        answer = connection.exchange(GET_PING + b"X-Request-ID: trailing-whitespace-1 \t \r\n\r\n")
    assert (answer.status, answer.headers["x-request-id"]) == (200, "trailing-whitespace-1")


def test_the_follow_up_request_is_processed_after_a_good_one(server: ServerProcess) -> None:
    """The check behind every case above can see a processed request."""
    good = POST_CORS + b"Content-Length: 2\r\n\r\n{}"
    outcome = observe(server.port, good)
    assert (outcome.status, outcome.follow_up) == (200, True), outcome

