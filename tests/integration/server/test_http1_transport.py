"""The httptools transport (`--http_parser httptools`) in process, over raw sockets: the HTTP/1.1 semantics
Tornado's own HTTP/1 layer gives handlers (keep-alive and pipelining, chunked in and out, HEAD, HTTP/1.0,
`Connection: close`, `Expect: 100-continue`, close callbacks, back-pressure, timeouts, remote address, TLS),
and the project's JSON answers to input it refuses (400, 413, 431)."""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
from pathlib import Path

import pytest
from tornado.web import Application

from tests.support.http1_apps import Events, json_of, make_app, serving
from tests.support.raw_http import RawConnection, RawResponse, request
from tests.support.server_process import PROJECT_ROOT, ServerProcess

ERROR_KEYS = {"code", "message", "method", "uri", "request_id"}


def exchange(port: int, data: bytes, answers: int = 1, head: bool = False) -> list[RawResponse]:
    with RawConnection(port) as connection:
        connection.send(data)
        return [connection.read(head=head) for _ in range(answers)]


def refused(port: int, data: bytes, status: int) -> RawResponse:
    """The JSON error `data` gets; the server then closes the connection."""
    with RawConnection(port) as connection:
        connection.send(data)
        answer = connection.read()
        assert answer.status == status, (answer.status, answer.body)
        assert set(answer.json()) == ERROR_KEYS and answer.json()["code"] == status
        assert answer.closes and connection.is_closed_by_server()
        return answer


async def test_keep_alive_and_pipelined_requests_are_answered_in_order() -> None:
    async with serving(make_app(Events())) as port:
        pipelined = b"".join(request("GET", f"/echo?n={n}") for n in range(5))
        answers = await asyncio.to_thread(exchange, port, pipelined, 5)
    assert [json_of(answer.body)["query"] for answer in answers] == [f"n={n}" for n in range(5)]
    assert not any(answer.closes for answer in answers)


async def test_chunked_request_body_reaches_an_async_data_received_whole() -> None:
    body = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in (b"a" * 10, b"b" * 70000, b"c")) + b"0\r\n\r\n"
    async with serving(make_app(Events())) as port:
        [answer] = await asyncio.to_thread(
            exchange, port, request("POST", "/echo", {"Transfer-Encoding": "chunked"}, body))
    assert json_of(answer.body)["size"] == 70011


async def test_an_answer_without_length_is_chunked_and_head_gets_none() -> None:
    async with serving(make_app(Events())) as port:
        [answer] = await asyncio.to_thread(exchange, port, request("GET", "/pieces"))
        [head] = await asyncio.to_thread(exchange, port, request("HEAD", "/pieces"), 1, True)

        def head_then_get() -> RawResponse:
            with RawConnection(port) as connection:
                connection.send(request("HEAD", "/pieces"))
                connection.read(head=True)
                return connection.exchange(request("GET", "/echo?after-head"))

        after_head = await asyncio.to_thread(head_then_get)
    assert answer.headers["transfer-encoding"] == "chunked" and answer.body == b"one,two,three"
    assert "content-length" not in answer.headers
    assert "transfer-encoding" not in head.headers
    assert json_of(after_head.body)["query"] == "after-head"  # nothing of a HEAD body was left on the wire


async def test_http_1_0_closes_unless_it_asks_for_keep_alive() -> None:
    async with serving(make_app(Events())) as port:
        def ask(keep_alive: bool) -> tuple[RawResponse, bool]:
            headers = b"Connection: keep-alive\r\n" if keep_alive else b""
            with RawConnection(port) as connection:
                answer = connection.exchange(b"GET /echo HTTP/1.0\r\n" + headers + b"\r\n")
                return answer, connection.is_closed_by_server(wait=1.0 if keep_alive else 5.0)

        plain, plain_closed = await asyncio.to_thread(ask, False)
        kept, kept_closed = await asyncio.to_thread(ask, True)
    assert plain.status == 200 and plain_closed
    assert kept.headers["connection"] == "Keep-Alive" and not kept_closed


async def test_connection_close_is_answered_and_honoured() -> None:
    async with serving(make_app(Events())) as port:
        def ask() -> tuple[RawResponse, bool]:
            with RawConnection(port) as connection:
                answer = connection.exchange(request("GET", "/echo", {"Connection": "close"}))
                return answer, connection.is_closed_by_server()

        answer, closed = await asyncio.to_thread(ask)
    assert answer.closes and closed


async def test_expect_100_continue_is_answered_before_the_body_is_sent() -> None:
    async with serving(make_app(Events())) as port:
        def ask() -> tuple[bytes, RawResponse]:
            with RawConnection(port) as connection:
                connection.send(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
                interim = connection._read_until(b"\r\n\r\n")
                connection.send(b"hello")
                return interim, connection.read()

        interim, answer = await asyncio.to_thread(ask)
    assert interim.startswith(b"HTTP/1.1 100")
    assert json_of(answer.body) == {"size": 5, "body": "hello"}


async def test_a_client_that_goes_away_reaches_on_connection_close() -> None:
    events = Events()
    async with serving(make_app(events)) as port:
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.sendall(request("GET", "/hold"))
            await asyncio.sleep(0.05)
        await asyncio.wait_for(events.closed.wait(), 10)


async def test_writes_wait_for_a_client_that_does_not_read() -> None:
    events = Events()
    size = 64 * 1024 * 1024  # far more than the socket buffers of both ends hold
    async with serving(make_app(events)) as port:
        client = socket.create_connection(("127.0.0.1", port))
        client.sendall(request("GET", f"/flood?size={size}"))
        await asyncio.sleep(0.5)
        written_while_blocked = events.writes * 65536

        def read_all() -> int:
            received = 0
            client.settimeout(30)
            while chunk := client.recv(1 << 20):
                received += len(chunk)
                if received >= size:
                    break
            return received

        received = await asyncio.to_thread(read_all)
        client.close()
    assert written_while_blocked < size // 2
    assert received >= size


async def test_idle_and_stalled_connections_are_closed() -> None:
    async with serving(make_app(Events()), idle_connection_timeout=0.3, body_timeout=0.3) as port:
        def idle() -> bool:
            with RawConnection(port) as connection:
                connection.exchange(request("GET", "/echo"))
                return connection.is_closed_by_server(wait=10)

        def stalled_body() -> bool:
            with RawConnection(port) as connection:
                connection.send(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
                return connection.is_closed_by_server(wait=10)

        assert await asyncio.to_thread(idle)
        assert await asyncio.to_thread(stalled_body)


@pytest.mark.parametrize("xheaders", [False, True])
async def test_remote_address_and_x_real_ip_as_with_tornado(xheaders: bool) -> None:
    async with serving(make_app(Events()), xheaders=xheaders) as port:
        [answer] = await asyncio.to_thread(exchange, port, request("GET", "/peer", {"X-Real-IP": "10.1.2.3"}))
    assert json_of(answer.body) == {"remote_ip": "10.1.2.3" if xheaders else "127.0.0.1", "protocol": "http"}


@pytest.mark.parametrize(("data", "status"), [
    (b"POST /echo HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    (b"POST /echo HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400),
    (b"POST /echo HTTP/1.1\r\nContent-Length: -3\r\n\r\nabc", 400),
    (b"GET /echo HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n", 400),
    (b"GET /echo HTTP/1.1\nHost: t\n\n", 400),
    (b"GET /echo HTTP/1.1\r\nHost: t\rX: y\r\n\r\n", 400),
    (b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400),
    (b"GET /echo HTTP/1.1\r\n\r\n", 400),
    (b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX-T: 1\r\n\r\n", 400),
    (b"POST /echo HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 400),
    (b"GET /echo HTTP/1.2\r\n\r\n", 400),
    (b"GET /echo HTTP/1.1\r\nX-Big: " + b"x" * 70000 + b"\r\n\r\n", 431),
    (b"GET /" + b"x" * 70000 + b" HTTP/1.1\r\n\r\n", 431),
], ids=["cl-and-te", "two-lengths", "negative-length", "obs-fold", "bare-lf", "bare-cr", "bad-chunk-size",
        "no-host", "trailer", "te-gzip", "http-1.2", "huge-header", "huge-target"])
async def test_malformed_input_gets_the_json_error_and_a_close(data: bytes, status: int) -> None:
    async with serving(make_app(Events())) as port:
        await asyncio.to_thread(refused, port, data, status)


async def test_a_head_arriving_in_small_reads_is_limited_too() -> None:
    limit = 16_384
    async with serving(make_app(Events()), max_header_size=limit) as port:
        def trickle() -> RawResponse:
            with RawConnection(port) as connection:
                connection.send(b"GET /echo HTTP/1.1\r\nX-Big: ")
                # Just past the limit and no further: bytes the server never reads would make its close a reset,
                # which can discard the 431 already on its way.
                for _ in range(limit // 1000 + 1):
                    connection.send(b"y" * 1000)
                return connection.read()

        answer = await asyncio.to_thread(trickle)
    assert answer.status == 431 and answer.closes


async def test_unknown_methods_reach_the_application() -> None:
    async with serving(make_app(Events())) as port:
        answers = await asyncio.to_thread(exchange, port, request("BREW", "/echo") + request("GET", "/echo?next"), 2)
    assert [answer.status for answer in answers] == [405, 200]


async def test_the_project_answers_oversized_bodies_with_its_json_413(app: Application) -> None:
    limit = app.settings["context"].server.max_body_size
    async with serving(app, max_body_size=limit) as port:
        declared = request("POST", "/tasks", {"Content-Type": "application/json"}, b"x" * (limit + 1))
        await asyncio.to_thread(refused, port, declared, 413)
        piece = b"x" * 65536
        chunked = request("POST", "/tasks", {"Transfer-Encoding": "chunked"}) + b"%x\r\n%s\r\n" % (
            len(piece), piece) * (limit // len(piece) + 2) + b"0\r\n\r\n"
        await asyncio.to_thread(refused, port, chunked, 413)


async def test_tls(tmp_path: Path) -> None:
    subprocess.run(["make", "-s", "certs", f"KEYS_DIR={tmp_path}"], cwd=PROJECT_ROOT, check=True,
                   capture_output=True, timeout=60)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(tmp_path / "server.crt", tmp_path / "server.key")
    client_tls = ssl.create_default_context(cafile=str(tmp_path / "server.crt"))
    async with serving(make_app(Events()), ssl_options=server_tls) as port:
        def ask() -> bytes:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, \
                    client_tls.wrap_socket(raw, server_hostname="localhost") as tls:
                tls.sendall(request("GET", "/peer", {"Connection": "close"}))
                data = b""
                while chunk := tls.recv(65536):
                    data += chunk
                return data

        data = await asyncio.to_thread(ask)
    assert data.startswith(b"HTTP/1.1 200") and data.endswith(b'"protocol": "https"}')


def test_the_real_server_on_uvloop_serves_keep_alive_pipelined_requests() -> None:
    with ServerProcess(["--loop", "uvloop"], http_parser="httptools") as server:
        answers = exchange(server.port, request("GET", "/ping") * 3, 3)
        assert [answer.status for answer in answers] == [200, 200, 200]
        with RawConnection(server.port) as connection:
            assert connection.exchange(request("BREW", "/ping")).status == 405
            assert connection.exchange(request("GET", "/ping", {"Connection": "close"})).closes
        assert server.stop() == 0
