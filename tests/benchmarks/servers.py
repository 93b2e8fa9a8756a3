"""Starting the servers the bench compares: the bare-Tornado reference (in-memory or on the SQLite store), the
FastAPI async peer, or this server, on a free loopback port,
optionally pinned to CPUs, timed from launch to the first 200 and stopped with SIGTERM."""

from __future__ import annotations

import compileall
import contextlib
import http.client
import importlib.util
import os
import signal
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path

from tests.benchmarks import process_stats
from tests.support.server_process import PROJECT_ROOT, free_port

READY_TIMEOUT_SECONDS = 20.0
PEER_STORE_FILE = "tasks.sqlite3"  # in a peer's work directory: tests.benchmarks.peer_store's design


@dataclass(frozen=True)
class ServerSpec:
    """One server configuration. `kind` is "bare" (tests/benchmarks/bare_app.py), "fastapi"
    (tests/benchmarks/fastapi_app.py, always on the SQLite store) or "server" (server.py)."""

    name: str
    kind: str
    proc: int = 1
    loop: str | None = None  # --loop (None: the server's own default; bare Tornado's is asyncio)
    pinned: bool = True  # to the server CPU; False for multi-process runs, which need every core
    seeded: bool = False  # 10,000 tasks stored before the start (this server: a copy of the seeded store)
    gc_mode: str | None = None  # this server only: run through gc_launcher with this mode
    metrics: bool = True  # this server only: False adds --no-metrics
    store: bool = False  # bare only: the tasks in SQLite (peer_store) instead of a dict, with access lines
    http_parser: str | None = None  # this server only: --http_parser (None: the server's default)

    @property
    def on_peer_store(self) -> bool:
        return self.kind == "fastapi" or (self.kind == "bare" and self.store)

    def command(self, port: int, workdir: Path, seed_count: int) -> list[str]:
        database = str(workdir / PEER_STORE_FILE)
        if self.kind == "fastapi":
            return [sys.executable, "-m", "tests.benchmarks.fastapi_app", "--port", str(port), "--db", database]
        if self.kind == "bare":
            return [sys.executable, "-m", "tests.benchmarks.bare_app", "--port", str(port), "--proc", str(self.proc),
                    *self._loop_args(), *(["--db", database] if self.store else
                                           ["--seed", str(seed_count if self.seeded else 0)])]
        entry = (["-m", "tests.benchmarks.gc_launcher", "--gc", self.gc_mode, "--"] if self.gc_mode
                 else ["server.py"])
        # Default logging (console + rotating file) with the canonical line on for /ping too; no example jobs.
        return [sys.executable, *entry, "--address", "127.0.0.1", "--port", str(port), "--proc", str(self.proc),
                *self._loop_args(), "--log_dir", str(workdir / "logs"), "--db_path", str(workdir / "data"),
                "--no-example_jobs", "--log_health_checks",
                *(["--http_parser", self.http_parser] if self.http_parser else []),
                *([] if self.metrics else ["--no-metrics"])]

    def _loop_args(self) -> list[str]:
        return ["--loop", self.loop] if self.loop else []


def compile_bytecode(tree: Path = PROJECT_ROOT) -> None:
    """Compile what the servers import, as a deployment has it: the image compiles src/ when it is built and pip
    compiles the packages it installs, but uv does not by default, and with PYTHONDONTWRITEBYTECODE set every
    start would compile each module again (bare Tornado's start: 172 -> 108 ms). Only stale files are compiled."""
    for folder in (tree / "src", tree / "tests" / "benchmarks", Path(sysconfig.get_paths()["purelib"])):
        compileall.compile_dir(folder, quiet=2, workers=0)


def missing_server_kinds() -> set[str]:
    """The kinds this Python cannot start: the FastAPI peer's packages are in the bench venv only."""
    needed = ("fastapi", "uvicorn", "aiosqlite")
    return {"fastapi"} if any(importlib.util.find_spec(name) is None for name in needed) else set()


class RunningServer:
    """A started server: its URL, process ids, start-up time and idle memory."""

    def __init__(self, spec: ServerSpec, workdir: Path, seed_count: int, cpus: str | None) -> None:
        self.spec = spec
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = spec.command(self.port, workdir, seed_count)
        if cpus:
            command = ["taskset", "-c", cpus, *command]
        workdir.mkdir(parents=True, exist_ok=True)
        self._output = (workdir / f"{spec.name}.out").open("wb")
        started = time.perf_counter()
        self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=self._output, stderr=subprocess.STDOUT)
        try:
            self.startup_ms = _wait_first_200(self, started)
            # CPU time (every process, user + system) up to the first 200: unlike the wall clock, it hardly moves
            # when other programs load the machine.
            self.startup_cpu_ms = self.cpu_seconds() * 1000.0
            self._wait_workers()
            time.sleep(0.5)  # let start-up work (logging, gc.freeze) settle before sampling idle memory
            self.idle_rss = self.rss_per_process()
            self.idle_pss = max((process_stats.pss_bytes(pid) for pid in self.worker_pids()), default=0)
        except BaseException:  # a SIGTERM to the bench too (SystemExit): the caller never gets this server
            self.stop()
            raise

    @property
    def pid(self) -> int:
        return self.process.pid

    def pids(self) -> list[int]:
        return process_stats.process_tree(self.pid)

    def worker_pids(self) -> list[int]:
        """The processes that serve requests (the supervisor of --proc N only forwards signals)."""
        tree = self.pids()
        return tree[1:] if self.spec.proc > 1 else tree

    def cpu_seconds(self) -> float:
        return process_stats.cpu_seconds(self.pids())

    def cpu_nanoseconds(self) -> int:
        return process_stats.cpu_nanoseconds(self.pids())

    def rss_per_process(self) -> int:
        """The largest resident set among the serving processes."""
        return max((process_stats.rss_bytes(pid) for pid in self.worker_pids()), default=0)

    def output(self) -> str:
        if not self._output.closed:
            self._output.flush()
        return (self.workdir / f"{self.spec.name}.out").read_text(errors="replace")

    def stop(self, timeout: float = 20.0) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                for pid in reversed(self.pids()):
                    _kill(pid)
                self.process.wait(5)
        self._output.close()
        return self.process.returncode

    def _wait_workers(self) -> None:
        """With --proc N, wait until all N workers exist and each has had time to listen."""
        if self.spec.proc == 1:
            return
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while len(self.worker_pids()) < self.spec.proc or len(self.pids()) < self.spec.proc + 1:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.spec.name}: {self.spec.proc} workers did not start:\n{self.output()}")
            time.sleep(0.02)
        time.sleep(0.5)


def _wait_first_200(server: RunningServer, started: float) -> float:
    """Milliseconds from launch to the first `200` on /ping (polled every 2 ms)."""
    deadline = started + READY_TIMEOUT_SECONDS
    while time.perf_counter() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.spec.name} exited with {server.process.returncode}:\n{server.output()}")
        if _ping(server.port):
            return (time.perf_counter() - started) * 1000.0
        time.sleep(0.002)
    raise StartTimeoutError(f"{server.spec.name} did not answer within {READY_TIMEOUT_SECONDS} s:\n{server.output()}"
                            f"{_stacks(server.process.pid)}")


class StartTimeoutError(RuntimeError):
    """A server that neither answered nor exited in time (what it was doing is in the message)."""


def _stacks(pid: int) -> str:
    """py-spy's dump of a stuck process's threads, when py-spy is there (the bench venv has it)."""
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists():
        return ""
    dump = subprocess.run([str(spy), "dump", "--pid", str(pid)], capture_output=True, text=True, timeout=30,
                          check=False)
    return f"\npy-spy dump of {pid}:\n{dump.stdout}{dump.stderr}"


def _ping(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        connection.request("GET", "/ping")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
