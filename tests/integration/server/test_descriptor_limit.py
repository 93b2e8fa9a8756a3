"""At the file-descriptor limit the server neither spins nor floods its log, and serves again afterwards.

The server runs under a low `ulimit -n` (a shell in front of it). Idle connections beyond what it may hold
either get a fast JSON 503 (`--max_connections`) or, past the descriptor limit itself, wait in the kernel's
backlog while accepting pauses: its CPU time over the episode stays low and accept errors are logged once per
interval with a count.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.raw_http import RawConnection, request
from tests.support.server_process import ServerProcess, free_port

LOW_LIMIT = 256
WINDOW_SECONDS = 4.0

# Holds connections at the limit for seconds to measure CPU time and log volume.
pytestmark = pytest.mark.slow


def limited_server(limit: str, *args: str) -> ServerProcess:
    """The real server started by `sh -c 'ulimit <limit> && exec python server.py ...'`."""
    port = free_port()
    server = ServerProcess(port=port)  # for its paths; the command is ours
    arguments = [sys.executable, "server.py", "--address", "127.0.0.1", "--port", str(port),
                 "--log_dir", str(server.workdir / "logs"), "--db_path", str(server.workdir / "data"),
                 "--no-example_jobs", *args]
    server.command = ["/bin/sh", "-c", f'ulimit {limit} && exec "$0" "$@"', *arguments]
    return server


@contextmanager
def idle_connections(port: int, count: int) -> Iterator[list[socket.socket]]:
    """`count` connection attempts that send nothing; non-blocking, so the ones the kernel queues do not wait."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.setblocking(False)
            if sock.connect_ex(("127.0.0.1", port)) not in (0, errno.EINPROGRESS):
                sock.close()
                continue
            sockets.append(sock)
        yield sockets
    finally:
        for sock in sockets:
            sock.close()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def log_lines(server: ServerProcess) -> int:
    files = [server.output_path, *sorted((server.workdir / "logs").glob("*.log*"))]
    return sum(len(path.read_bytes().splitlines()) for path in files if path.exists())


def ping_until_served(port: int, deadline_seconds: float = 30.0) -> int:
    deadline = time.monotonic() + deadline_seconds
    while True:
        try:
            with RawConnection(port, timeout=5) as connection:
                status = connection.exchange(request("GET", "/ping")).status
            if status == 200 or time.monotonic() > deadline:
                return status
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def test_the_soft_limit_is_raised_to_the_hard_limit_at_start_up() -> None:
    with limited_server("-S -n 200", "--log_level", "DEBUG") as server:  # a start-up detail, logged at DEBUG
        hard = int(Path("/proc/self/limits").read_text().split("Max open files")[1].split()[1])
        assert f"soft {hard} (was 200), hard {hard}" in server.output() + "".join(
            path.read_text() for path in (server.workdir / "logs").glob("*.log"))


def test_connections_over_max_connections_get_a_fast_json_503() -> None:
    with limited_server(f"-n {LOW_LIMIT}", "--max_connections", "100") as server, \
            idle_connections(server.port, 100):
        time.sleep(1.0)  # the server has accepted them
        # The start-up probe's connection may still have held a slot when they came (one of them was refused
        # then): a probe that is served keeps its slot, so the next one must be refused.
        probes = [RawConnection(server.port, timeout=10) for _ in range(3)]
        answers = [probe.exchange(request("GET", "/ping")) for probe in probes]
        for probe in probes:
            probe.close()
        refused = [answer for answer in answers if answer.status == 503]
        assert refused and all(answer.status == 200 for answer in answers[:answers.index(refused[0])])
        assert refused[0].closes and refused[0].json()["code"] == 503
        assert "connection limit" in refused[0].json()["message"]
    with limited_server(f"-n {LOW_LIMIT}", "--max_connections", "100") as server:
        with idle_connections(server.port, 150):
            time.sleep(1.0)
        assert ping_until_served(server.port) == 200


def test_at_the_descriptor_limit_accepting_pauses_without_spinning_or_flooding_the_log() -> None:
    with limited_server(f"-n {LOW_LIMIT}", "--max_connections", "100000") as server:
        assert server.process is not None
        lines_before = log_lines(server)
        with idle_connections(server.port, 2 * LOW_LIMIT):
            time.sleep(1.0)  # every descriptor is in use now
            cpu_before = cpu_seconds(server.process.pid)
            time.sleep(WINDOW_SECONDS)
            cpu_used = cpu_seconds(server.process.pid) - cpu_before
        lines_during = log_lines(server) - lines_before
        print(f"at the fd limit: {cpu_used:.2f} s CPU in {WINDOW_SECONDS} s, {lines_during} log lines")
        assert cpu_used < 0.3 * WINDOW_SECONDS, f"{cpu_used:.2f} s of CPU in {WINDOW_SECONDS} s: accept() spins"
        assert lines_during < 50, f"{lines_during} log lines"
        assert ping_until_served(server.port) == 200
        time.sleep(0.5)
        output = server.output() + "".join(path.read_text() for path in (server.workdir / "logs").glob("*.log"))
        assert "Too many open files" in output and "time(s) in the last" in output
