"""What happens to the connection after an error, against the real server: a client never sees it closed
without `Connection: close`, small bodies are read and discarded so keep-alive survives a 404 or 405, and a
stalled body gets a JSON 408 instead of a silent close; an idle one is closed after `--idle_connection_timeout`."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import pytest

from tests.support.http_parsers import transport_params
from tests.support.raw_http import RawConnection, RawResponse, request
from tests.support.server_process import ServerProcess, free_port

ERROR_KEYS = {"code", "message", "method", "uri", "request_id"}


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with ServerProcess(["--body_timeout", "1"]) as running:
        yield running


def assert_json_error(response: RawResponse, code: int) -> None:
    assert response.status == code, (response.status, response.body)
    body = response.json()
    assert set(body) == ERROR_KEYS and body["code"] == code


@pytest.mark.parametrize(("first", "code"), [
    (request("GET", "/nope"), 404),
    (request("POST", "/nope", {"Content-Type": "application/json"}, b'{"title": "x"}'), 404),
    (request("DELETE", "/ping"), 405),
    (request("PUT", "/ping", body=b"x" * 10_000), 405),
    (request("BREW", "/ping"), 405),
    (request("GET", "/tasks/not-there"), 404),
], ids=["404", "404-with-body", "405", "405-with-body", "unknown-method", "404-from-a-handler"])
def test_keep_alive_survives_404_and_405(server: ServerProcess, first: bytes, code: int) -> None:
    with RawConnection(server.port) as connection:
        answer = connection.exchange(first)
        assert_json_error(answer, code)
        assert not answer.closes
        for _ in range(2):  # the same connection goes on serving
            assert connection.exchange(request("GET", "/ping")).status == 200


@pytest.mark.parametrize(("first", "code"), [
    (request("PUT", "/ping", body=b"x" * 200_000), 405),  # too large to read and discard
    (request("POST", "/cors", {"Content-Length": "1e3"}), 400),  # no knowing where the body ends
    (request("POST", "/nope", {"Transfer-Encoding": "chunked"}, b"5\r\nhello\r\n0\r\n\r\n"), 404),
], ids=["large-body", "bad-content-length", "chunked"])
def test_an_answer_that_ends_the_connection_says_so(server: ServerProcess, first: bytes, code: int) -> None:
    with RawConnection(server.port) as connection:
        with contextlib.suppress(ConnectionError):  # the server may answer and close mid-body
            connection.send(first)
        answer = connection.read()
        assert_json_error(answer, code)
        assert answer.closes
        assert connection.is_closed_by_server(wait=10)


@pytest.mark.slow  # waits out the body timeout
@pytest.mark.parametrize("headers", [{"Content-Length": "100"}, {"Transfer-Encoding": "chunked"}],
                         ids=["content-length", "chunked"])
def test_a_stalled_body_gets_a_json_408(server: ServerProcess, headers: dict[str, str]) -> None:
    with RawConnection(server.port, timeout=30) as connection:
        started = time.monotonic()
        connection.send(request("POST", "/cors", headers) + (b"5\r\n{\"a\":" if "Transfer-Encoding" in headers
                                                              else b'{"a": '))
        answer = connection.read()
        assert_json_error(answer, 408)
        assert answer.closes and "did not arrive" in answer.json()["message"]
        assert time.monotonic() - started >= 1.0  # not before the body timeout
        assert connection.is_closed_by_server(wait=10)
    with RawConnection(server.port) as connection:
        assert connection.exchange(request("GET", "/ping")).status == 200


@pytest.mark.slow  # waits out the idle-connection timeout
@pytest.mark.parametrize("transport", transport_params())
def test_an_idle_keep_alive_connection_is_closed_after_the_idle_connection_timeout(transport: str) -> None:
    metrics_port = free_port()
    with ServerProcess(["--idle_connection_timeout", "1", "--metrics_port", str(metrics_port)],
                       http_parser=transport) as running, \
            RawConnection(running.port, timeout=30) as connection, \
            RawConnection(metrics_port, timeout=30) as scraper:
        started = time.monotonic()
        for client, path in ((connection, "/ping"), (scraper, "/metrics")):
            answer = client.exchange(request("GET", path))
            assert answer.status == 200 and not answer.closes
        # Well before the default of 60 s; the server sends nothing when it closes an idle connection.
        assert connection.is_closed_by_server(wait=30)
        assert scraper.is_closed_by_server(wait=30)  # the --metrics_port listener too
        assert time.monotonic() - started >= 1.0  # not before the timeout
