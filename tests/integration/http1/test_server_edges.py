"""The server around the connections, against each transport: TLS, clients that leave mid-request (their
handlers' `on_connection_close` runs, so nothing stays in flight for the shutdown to wait on), and the peer's
address, not headers a client may forge, in the canonical log line."""

from __future__ import annotations

import json
import socket
import ssl
import struct
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from src.utils.logging import logfmt
from tests.integration.http1.outcomes import is_json_error
from tests.support.raw_http import RawConnection, request
from tests.support.server_process import ServerProcess


@pytest.fixture(scope="module")
def https_server(key_pair: tuple[Path, Path], transport: str) -> Iterator[ServerProcess]:
    cert, key = key_pair
    with ServerProcess(["--ssl", "--certfile", str(cert), "--keyfile", str(key)], scheme="https",
                       http_parser=transport) as server:
        yield server


def test_tls_keep_alive_pipelining_and_bodies(https_server: ServerProcess, key_pair: tuple[Path, Path]) -> None:
    tls = ssl.create_default_context(cafile=str(key_pair[0]))
    body = json.dumps({"n": 1}).encode()
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    with RawConnection(https_server.port, host="localhost", tls=tls) as connection:
        connection.send(request("GET", "/ping") + request("POST", "/cors", body=body)
                        + request("POST", "/cors", {"Transfer-Encoding": "chunked"}, chunked))
        answers = [connection.read() for _ in range(3)]
        assert [answer.status for answer in answers] == [200, 200, 200]
        assert answers[0].headers["strict-transport-security"].startswith("max-age=")
        assert answers[1].json() == answers[2].json() == {"received": {"n": 1}}
        connection.send(request("POST", "/cors", {"Content-Length": str(2 * 1024 * 1024)}))
        refused = connection.read()
        assert refused.status == 413 and is_json_error(refused) and refused.closes


def _leave(port: int, data: bytes, reset: bool) -> None:
    """Send `data` and go away: a FIN, or a reset (`reset`) as a crashed client would."""
    client = socket.create_connection(("127.0.0.1", port), timeout=10)
    client.sendall(data)
    time.sleep(0.2)  # the server reads the headers and starts the handler
    if reset:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()


@pytest.mark.parametrize("reset", [False, True], ids=["fin", "reset"])
def test_clients_leaving_mid_request_leave_nothing_in_flight(transport: str, reset: bool) -> None:
    with ServerProcess(["--shutdown_grace", "5"], http_parser=transport) as server:
        for data in (request("POST", "/cors", {"Content-Length": "100"}) + b'{"a": ',
                     request("POST", "/cors", {"Transfer-Encoding": "chunked"}) + b'5\r\n{"a":',
                     request("PUT", "/tasks/x", {"Content-Length": "50000"}) + b"{" * 1000,
                     b"POST /cors HTTP/1.1\r\nHost: test\r\nContent-Le",
                     request("GET", "/openapi.json") * 20):  # answers it never reads
            _leave(server.port, data, reset)
        with RawConnection(server.port) as connection:
            assert connection.exchange(request("GET", "/ping")).status == 200, "the server stopped serving"
        assert server.stop() == 0, server.output()
    assert "still in flight" not in server.output(), "a request of a client that left was never closed"


def test_the_log_line_has_the_peer_address_not_forwarding_headers(transport: str) -> None:
    with ServerProcess(http_parser=transport) as server:
        with RawConnection(server.port, source="127.0.0.7") as connection:
            forged = {"X-Real-IP": "203.0.113.7", "X-Forwarded-For": "203.0.113.8", "X-Request-ID": "peer-1"}
            assert connection.exchange(request("GET", "/nope", forged)).status == 404
        assert server.stop() == 0
    lines = [logfmt.parse_line(line) for line in (server.workdir / "logs" / "server.log").read_text().splitlines()]
    (line,) = [line for line in lines if line.get("req_id") == "peer-1" and line.get("message") == "RESPONSE"]
    assert line["ip"] == "127.0.0.7", line
