"""Connections over HTTP/1.1 and 1.0, against each transport: keep-alive, pipelining (answers in the order
asked), `Connection: close` from either side, HTTP/1.0 closing unless asked to keep the connection alive."""

from __future__ import annotations

import json

from tests.support.raw_http import RawConnection, request
from tests.support.server_process import ServerProcess


def echo(number: int) -> bytes:
    return request("POST", "/cors", {"Content-Type": "application/json"}, json.dumps({"n": number}).encode())


def test_keep_alive_serves_many_requests_on_one_connection(server: ServerProcess) -> None:
    with RawConnection(server.port) as connection:
        for number in range(5):
            answer = connection.exchange(echo(number))
            assert (answer.status, answer.json()) == (200, {"received": {"n": number}})
            assert not answer.closes


def test_pipelined_requests_in_one_write_are_answered_in_order(server: ServerProcess) -> None:
    pipeline = [echo(0), request("GET", "/ping"), echo(1), request("HEAD", "/ping"), request("GET", "/nope"),
                echo(2), request("DELETE", "/ping"), echo(3)]
    with RawConnection(server.port) as connection:
        connection.send(b"".join(pipeline))
        answers = [connection.read(head=data.startswith(b"HEAD")) for data in pipeline]
        assert [answer.status for answer in answers] == [200, 200, 200, 200, 404, 200, 405, 200]
        assert [answers[index].json() for index in (0, 2, 5, 7)] == [{"received": {"n": n}} for n in range(4)]
        assert answers[1].json() == {"status": "ok"} and answers[3].body == b""
        assert not any(answer.closes for answer in answers)
        assert connection.exchange(request("GET", "/ping")).status == 200  # still open


def test_a_pipeline_split_anywhere_is_answered_the_same(server: ServerProcess) -> None:
    data = echo(7) + request("GET", "/ping") + echo(8)
    for split in (1, 17, len(echo(7)) - 1, len(echo(7)), len(echo(7)) + 3):
        with RawConnection(server.port) as connection:
            connection.send(data[:split])
            connection.send(data[split:])
            statuses = [connection.read().status for _ in range(3)]
            assert statuses == [200, 200, 200], split


def test_the_clients_connection_close_is_honoured(server: ServerProcess) -> None:
    with RawConnection(server.port) as connection:
        connection.send(request("GET", "/ping", {"Connection": "close"}) + request("GET", "/ping"))
        answer = connection.read()
        assert answer.status == 200 and answer.closes
        assert connection.is_closed_by_server(wait=10), "the connection stayed open after Connection: close"


def test_the_servers_connection_close_ends_the_connection(server: ServerProcess) -> None:
    """An answer before a large body has been read says `Connection: close`, and means it."""
    with RawConnection(server.port) as connection:
        connection.send(request("PUT", "/ping", {"Content-Length": "200000"}) + b"x" * 1000)
        answer = connection.read()
        assert answer.status == 405 and answer.closes
        assert connection.is_closed_by_server(wait=10)


def test_http_1_0_closes_after_the_answer(server: ServerProcess) -> None:
    with RawConnection(server.port) as connection:
        connection.send(b"GET /ping HTTP/1.0\r\n\r\n")
        answer = connection.read()
        assert (answer.status, answer.json()) == (200, {"status": "ok"})
        assert "keep-alive" not in answer.headers.get("connection", "").lower()
        assert connection.is_closed_by_server(wait=10), "an HTTP/1.0 connection stayed open unasked"


def test_http_1_0_keep_alive_when_asked(server: ServerProcess) -> None:
    with RawConnection(server.port) as connection:
        for _ in range(3):
            connection.send(b"GET /ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            answer = connection.read()
            assert answer.status == 200 and answer.headers.get("connection", "").lower() == "keep-alive"
            assert "content-length" in answer.headers
        connection.send(b"POST /cors HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 8\r\n\r\n{\"n\": 1}")
        assert connection.read().json() == {"received": {"n": 1}}
        connection.send(b"GET /ping HTTP/1.0\r\n\r\n")  # without the header: the last one
        assert connection.read().status == 200
        assert connection.is_closed_by_server(wait=10)
