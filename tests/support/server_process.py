"""Run the real `python server.py` in a subprocess for integration tests: free port, wait until it answers,
stop it with a signal and collect its exit code and output."""

from __future__ import annotations

import os
import shutil
import signal as signals
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

from tests.support import event_loops, http_parsers

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on `host` that nothing listens on, kept from every other process for a minute.

    Chosen by the kernel (bind to 0), then left in TIME_WAIT by one accepted and closed connection: for the next
    60 s the kernel hands it to no other bind to 0 and no outgoing connection, so a parallel test cannot take it
    between this choice and the bind of the server it is for (which binds with SO_REUSEADDR, as tornado, etcd and
    docker-proxy do). Connections to it are refused meanwhile, as to any closed port.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, 0))
        listener.listen(1)
        address = listener.getsockname()
        with socket.create_connection(address, timeout=5):
            accepted, _ = listener.accept()
            accepted.close()  # closed first: the TIME_WAIT is on this side, the side whose port is `port`
    return int(address[1])


class ServerProcess:
    """`with ServerProcess(["--proc", "2"]) as server: urllib.request.urlopen(server.url + "/ping")`.

    Runs from the project root with the test's Python, on 127.0.0.1 and a free port, logs and embedded data in
    a temporary folder unless the arguments say otherwise. `stop()` sends SIGTERM and returns the exit code.
    `http_parser` chooses the HTTP/1 transport (default: `TB_TEST_HTTP_PARSER`, else the server's own default);
    the event loop is `TB_TEST_LOOP`'s, else the server's default (`--loop` in `args` wins).
    """

    def __init__(self, args: Sequence[str] = (), env: Mapping[str, str] | None = None, port: int | None = None,
                 scheme: str = "http", ready_path: str = "/ping", start_timeout: float = 15.0,
                 command: Sequence[str] | None = None, address: str = "127.0.0.1",
                 http_parser: str | None = None) -> None:
        self.address = address  # another loopback address (127.0.0.2...) stands for another host
        self.port = port or free_port(address)
        self.scheme = scheme
        self.url = f"{scheme}://{address}:{self.port}"
        self.workdir = Path(tempfile.mkdtemp(prefix="tb-server-"))
        # Removed with this object (or at exit), not at stop: tests read the output and logs after stopping.
        weakref.finalize(self, shutil.rmtree, self.workdir, ignore_errors=True)
        self.output_path = self.workdir / "output.log"
        base = [sys.executable, "server.py", "--address", address, "--port", str(self.port),
                "--log_dir", str(self.workdir / "logs"), "--db_path", str(self.workdir / "data"),
                "--no-example_jobs", *http_parsers.server_args(http_parser or http_parsers.selected()),
                *event_loops.server_args(event_loops.selected())]
        self.command = list(command) if command is not None else [*base, *args]
        self.env = {**os.environ, **(env or {})}
        self.ready_path = ready_path
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.returncode: int | None = None

    def start(self) -> ServerProcess:
        self._output = self.output_path.open("wb")
        self.process = subprocess.Popen(self.command, cwd=PROJECT_ROOT, env=self.env, stdout=self._output,
                                        stderr=subprocess.STDOUT)
        if self.ready_path:
            self.wait_ready()
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.output()}")
            if self._answers():
                return
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"server did not answer within {self.start_timeout} s:\n{self.output()}")

    def wait_workers_listening(self, workers: int, timeout: float = 30.0) -> None:
        """Until `workers` processes (`--proc N`) have logged that they listen: an answer proves one only."""
        deadline = time.monotonic() + timeout
        while self.output().count('msg="listening on') < workers:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{workers} workers did not listen within {timeout} s:\n{self.output()[-2000:]}")
            time.sleep(0.05)

    def _answers(self) -> bool:
        if self.scheme == "https":
            with socket.socket() as probe:
                return probe.connect_ex((self.address, self.port)) == 0
        try:
            with urllib.request.urlopen(self.url + self.ready_path, timeout=1) as response:
                return bool(response.status < 500)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def output(self) -> str:
        return self.output_path.read_text(errors="replace") if self.output_path.exists() else ""

    def signal(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def stop(self, signum: int = signals.SIGTERM, timeout: float = 20.0) -> int:
        """Send `signum`, wait for the exit, return the exit code (kills after `timeout`)."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signum)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self.returncode = self.process.returncode
        self._output.close()
        return self.returncode

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.process is not None and self.process.poll() is None:
            self.stop()
