"""`make bench-cpu` (tests/benchmarks/inprocess_cpu.py): its requests, its answers check, its callgrind reading,
and a short real run of the server and of a reference in a process of their own."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys

import pytest

from src.settings import ServerSettings
from tests.benchmarks.inprocess_clients import answer_end, drive, request
from tests.benchmarks.inprocess_cpu import SERVER_DEFAULT_LOOP, default_loop, instructions_in, loop_factory, parse
from tests.support.server_process import PROJECT_ROOT

CALLGRIND_DUMP = """# callgrind format
version: 1
events: Ir
fn=(1) main
0 1234
summary: 1084000000
totals: 1084000000
"""


def test_requests_carry_a_json_body_only_for_writes() -> None:
    assert request("GET", "/ping") == b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    put = request("PUT", "/tasks/ab")
    head, body = put.split(b"\r\n\r\n")
    assert f"Content-Length: {len(body)}".encode() in head and body.startswith(b'{"title"')


def test_an_answer_ends_after_its_framed_body() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n"
    assert answer_end(b"xx" + head + b"pong", 2) == 2 + len(head) + 4
    assert answer_end(head + b"pon", 0) is None
    assert answer_end(head[:-2], 0) is None
    chunked = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\npong\r\n"
    assert answer_end(chunked, 0) is None
    assert answer_end(chunked + b"0\r\n\r\nHTTP/1.1", 0) == len(chunked) + 5
    not_modified = b"HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n"
    assert answer_end(not_modified + b"HTTP/1.1", 0) == len(not_modified)


class OneAtATimeServer:
    """Answers each GET in two writes (head, then body a loop turn later), counting the requests it had
    received but not yet answered."""

    def __init__(self) -> None:
        self.most_unanswered = 0
        self.tasks: list[asyncio.Task[None]] = []

    def handle(self, sock: socket.socket) -> None:
        self.tasks.append(asyncio.ensure_future(self._serve(sock)))

    async def _serve(self, sock: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        received = b""
        while data := await loop.sock_recv(sock, 65536):
            received += data
            self.most_unanswered = max(self.most_unanswered, received.count(b"\r\n\r\n"))
            while b"\r\n\r\n" in received:
                _, received = received.split(b"\r\n\r\n", 1)
                await loop.sock_sendall(sock, b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n")
                await asyncio.sleep(0)
                await loop.sock_sendall(sock, b"pong")
        sock.close()


@pytest.mark.parametrize(("in_flight", "most_unanswered"), [(None, 6), (1, 1), (2, 2)])
def test_a_closed_loop_keeps_only_its_requests_in_flight_unanswered(in_flight: int | None,
                                                                     most_unanswered: int) -> None:
    server = OneAtATimeServer()

    async def run() -> bytes:
        answers = await drive(server.handle, [[request("GET", "/ping")] * 6] * 2, in_flight)
        await asyncio.gather(*server.tasks)
        return answers

    answers = asyncio.run(run())
    assert answers.count(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\npong") == 12
    assert server.most_unanswered == most_unanswered


def test_the_instruction_total_is_read_from_the_dump() -> None:
    assert instructions_in(CALLGRIND_DUMP) == 1_084_000_000
    with pytest.raises(ValueError, match="summary"):
        instructions_in("events: Ir\n")


def test_options_and_the_servers_own_arguments() -> None:
    options = parse(["--endpoint", "/tasks/{id}", "--method", "PUT", "--", "--http_parser", "httptools"])
    assert (options.endpoint, options.method, options.server, options.server_args) == \
        ("/tasks/{id}", "PUT", "server", ["--http_parser", "httptools"])
    assert parse([]).in_flight is None and parse(["--in-flight", "1"]).in_flight == 1
    assert parse([]).loop is None and parse(["--loop", "asyncio"]).loop == "asyncio"
    with pytest.raises(SystemExit):
        parse(["--requests", "4", "--connections", "8"])
    with pytest.raises(SystemExit):
        parse(["--in-flight", "0"])
    with pytest.raises(SystemExit):
        parse(["--loop", "trio"])


def test_without_a_loop_the_server_runs_on_its_default_and_the_references_on_asyncio() -> None:
    assert default_loop("server") == SERVER_DEFAULT_LOOP == ServerSettings().loop
    assert default_loop("bare") == default_loop("bare-store") == "asyncio"


@pytest.mark.parametrize(("loop", "module"), [("asyncio", "asyncio"), ("uvloop", "uvloop")])
def test_the_loop_option_picks_the_event_loop_the_run_is_on(loop: str, module: str) -> None:
    async def running_loop_module() -> str:
        return type(asyncio.get_running_loop()).__module__

    with asyncio.Runner(loop_factory=loop_factory(loop)) as runner:
        assert runner.run(running_loop_module()).split(".")[0] == module


def test_an_error_answer_stops_the_measurement() -> None:
    def answer_404(sock: socket.socket) -> None:
        sock.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")

    with pytest.raises(RuntimeError, match="404"):
        asyncio.run(drive(answer_404, [[request("GET", "/ping")]]))
    with pytest.raises(RuntimeError, match="404"):
        asyncio.run(drive(answer_404, [[request("GET", "/ping")]], in_flight=1))


@pytest.mark.parametrize(("arguments", "label"), [
    (["--endpoint", "/tasks/{id}"], "GET /tasks/{id} on server"),
    (["--endpoint", "/tasks/{id}", "--method", "PUT", "--server", "bare-store"], "PUT /tasks/{id} on bare-store"),
    (["--in-flight", "1", "--method", "POST", "--endpoint", "/tasks"], "POST /tasks on server, 1 in flight"),
    (["--loop", "asyncio", "--method", "PUT", "--endpoint", "/tasks/{id}"], "PUT /tasks/{id} on server, on asyncio"),
    (["--loop", "uvloop", "--in-flight", "1", "--server", "bare"], "GET /ping on bare, 1 in flight, on uvloop"),
])
def test_a_short_run_prints_the_cpu_per_request(arguments: list[str], label: str) -> None:
    run = subprocess.run([sys.executable, "-m", "tests.benchmarks.inprocess_cpu", *arguments, "--requests", "16",
                          "--rounds", "2"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=90, check=False)
    assert run.returncode == 0, run.stderr
    figure = r"[\d.]+"
    assert re.fullmatch(rf"{re.escape(label)}: CPU {figure} us per request \(median; min {figure}; "
                        rf"rounds {figure} {figure}\)\n", run.stdout), run.stdout
