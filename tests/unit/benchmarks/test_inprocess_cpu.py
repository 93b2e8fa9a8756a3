"""`make bench-cpu` (tests/benchmarks/inprocess_cpu.py): its requests, its answers check, its callgrind reading,
and a short real run of the server and of a reference in a process of their own."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys

import pytest

from tests.benchmarks.inprocess_cpu import drive, instructions_in, parse, request
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


def test_the_instruction_total_is_read_from_the_dump() -> None:
    assert instructions_in(CALLGRIND_DUMP) == 1_084_000_000
    with pytest.raises(ValueError, match="summary"):
        instructions_in("events: Ir\n")


def test_options_and_the_servers_own_arguments() -> None:
    options = parse(["--endpoint", "/tasks/{id}", "--method", "PUT", "--", "--http_parser", "httptools"])
    assert (options.endpoint, options.method, options.server, options.server_args) == \
        ("/tasks/{id}", "PUT", "server", ["--http_parser", "httptools"])
    with pytest.raises(SystemExit):
        parse(["--requests", "4", "--connections", "8"])


def test_an_error_answer_stops_the_measurement() -> None:
    def answer_404(sock: socket.socket) -> None:
        sock.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")

    with pytest.raises(RuntimeError, match="404"):
        asyncio.run(drive(answer_404, [[request("GET", "/ping")]]))


@pytest.mark.parametrize(("arguments", "label"), [
    (["--endpoint", "/tasks/{id}"], "GET /tasks/{id} on server"),
    (["--endpoint", "/tasks/{id}", "--method", "PUT", "--server", "bare-store"], "PUT /tasks/{id} on bare-store"),
])
def test_a_short_run_prints_the_cpu_per_request(arguments: list[str], label: str) -> None:
    run = subprocess.run([sys.executable, "-m", "tests.benchmarks.inprocess_cpu", *arguments, "--requests", "16",
                          "--rounds", "2"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=90, check=False)
    assert run.returncode == 0, run.stderr
    figure = r"[\d.]+"
    assert re.fullmatch(rf"{re.escape(label)}: CPU {figure} us per request \(median; min {figure}; "
                        rf"rounds {figure} {figure}\)\n", run.stdout), run.stdout
