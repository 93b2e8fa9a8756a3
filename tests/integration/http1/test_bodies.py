"""Request bodies and what answers carry, against each transport: chunked bodies (in one write or trickled),
`Expect: 100-continue`, HEAD, bodies at and over `--max_body_size` (the JSON 413), and clients that leave
mid-request."""

from __future__ import annotations

import contextlib
import json
import time

import pytest

from tests.integration.http1.outcomes import is_json_error
from tests.support.raw_http import RawConnection, request
from tests.support.server_process import ServerProcess

LIMIT = 1024 * 1024  # the default --max_body_size


def chunks(body: bytes, size: int) -> bytes:
    pieces = [body[at:at + size] for at in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"


def post_cors(headers: dict[str, str], body: bytes = b"") -> bytes:
    return request("POST", "/cors", {"Content-Type": "application/json", **headers}) + body


def test_a_chunked_body_is_read_whole(server: ServerProcess) -> None:
    body = json.dumps({"title": "chunked", "pad": "x" * 5000}).encode()
    with RawConnection(server.port) as connection:
        for size in (1, 7, 4096, len(body)):
            answer = connection.exchange(post_cors({"Transfer-Encoding": "chunked"}, chunks(body, size)))
            assert (answer.status, answer.json()) == (200, {"received": json.loads(body)}), size
            assert not answer.closes


def test_a_chunked_body_trickled_in_many_writes(server: ServerProcess) -> None:
    body = json.dumps({"n": list(range(50))}).encode()
    with RawConnection(server.port) as connection:
        connection.send(post_cors({"Transfer-Encoding": "chunked"}))
        framed = chunks(body, 10)
        for at in range(0, len(framed), 9):  # boundaries inside sizes, data and CRLFs
            connection.send(framed[at:at + 9])
            time.sleep(0.002)
        assert connection.read().json() == {"received": json.loads(body)}
        assert connection.exchange(request("GET", "/ping")).status == 200


def test_expect_100_continue_gets_100_then_the_answer(server: ServerProcess) -> None:
    body = b'{"title": "continued"}'
    with RawConnection(server.port) as connection:
        connection.send(post_cors({"Expect": "100-continue", "Content-Length": str(len(body))}))
        status, _ = connection.read_head()
        assert status == 100, "no 100 Continue before the body was sent"
        connection.send(body)
        answer = connection.read()
        assert (answer.status, answer.json()) == (200, {"received": {"title": "continued"}})
        assert connection.exchange(request("GET", "/ping")).status == 200


def test_expect_100_continue_over_the_limit_is_413_without_the_body(server: ServerProcess) -> None:
    with RawConnection(server.port) as connection:
        connection.send(post_cors({"Expect": "100-continue", "Content-Length": str(LIMIT + 1)}))
        answer = connection.read()  # a 100 here would be skipped by read(): checked below by the order
        assert answer.status == 413 and is_json_error(answer), (answer.status, answer.body)
        assert answer.closes and connection.is_closed_by_server(wait=10)
    with RawConnection(server.port) as connection:
        connection.send(post_cors({"Expect": "100-continue", "Content-Length": str(LIMIT + 1)}))
        status, _ = connection.read_head()
        assert status == 413, f"{status} before the refusal: the client would send a body nobody reads"


@pytest.mark.parametrize("path", ["/ping", "/tasks", "/openapi.json", "/static/style.css"])
def test_head_answers_the_get_headers_without_a_body(server: ServerProcess, path: str) -> None:
    with RawConnection(server.port) as connection:
        # HEAD then GET in one write: a body after the HEAD answer would be read as the GET's answer.
        connection.send(request("HEAD", path) + request("GET", path))
        head = connection.read(head=True)
        get = connection.read()
        assert head.status == get.status and head.body == b""
        varying = {"date", "x-request-id"}
        assert {k: v for k, v in head.headers.items() if k not in varying} == \
               {k: v for k, v in get.headers.items() if k not in varying}
        assert int(head.headers["content-length"]) == len(get.body)


def test_a_body_at_the_limit_is_served(server: ServerProcess) -> None:
    padding = LIMIT - len(b'{"pad": ""}')
    body = b'{"pad": "' + b"x" * padding + b'"}'
    assert len(body) == LIMIT
    with RawConnection(server.port, timeout=30) as connection:
        for framing in ({"Content-Length": str(LIMIT)}, {"Transfer-Encoding": "chunked"}):
            payload = body if "Content-Length" in framing else chunks(body, 65536)
            answer = connection.exchange(post_cors(framing, payload))
            assert answer.status == 200 and len(answer.json()["received"]["pad"]) == padding


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_body_over_the_limit_is_a_json_413_and_a_closed_connection(server: ServerProcess, framing: str) -> None:
    body = b"x" * (LIMIT + 1)
    with RawConnection(server.port, timeout=30) as connection:
        with contextlib.suppress(ConnectionError):  # refused and closed while the body was being sent
            if framing == "chunked":
                connection.send(post_cors({"Transfer-Encoding": "chunked"}, chunks(body, 65536)))
            else:
                connection.send(post_cors({"Content-Length": str(len(body))}, body))
        answer = connection.read()
        assert answer.status == 413 and is_json_error(answer), (answer.status, answer.body[:200])
        assert answer.closes and connection.is_closed_by_server(wait=10)
    with RawConnection(server.port) as connection:
        assert connection.exchange(request("GET", "/ping")).status == 200
