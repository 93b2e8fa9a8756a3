"""Run nx-27017 (a MongoDB wire-protocol server on SQLite, from PyPI) for integration tests: a free loopback port,
data in a temporary folder, wait until it answers a ping, stop it (and remove its data) afterwards.

It stands in for MongoDB over the wire: the drivers' real code paths (connection pool, server selection, wire
messages, error codes) run against it. It is not MongoDB, so it never judges MongoDB semantics: the collection
contract suite does, against a real MongoDB (`MONGODB_URI`). `stop()` then `start()` again keeps the data, as a
database restarted in place.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

from tests.support.server_process import free_port

NX_27017 = Path(sys.executable).with_name("nx-27017")


class Nx27017Process:
    """`with Nx27017Process() as mongodb: python server.py --db_uri mongodb.uri`."""

    def __init__(self, start_timeout: float = 20.0) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.workdir = Path(tempfile.mkdtemp(prefix="tb-nx-27017-"))
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None

    def uri(self, database: str = "tornado_boilerplate") -> str:
        return f"mongodb://{self.host}:{self.port}/{database}"

    def command(self) -> list[str]:
        if not NX_27017.exists():
            raise RuntimeError(f"{NX_27017} is missing: `make prepare` installs nx-27017 (requirements-dev.txt)")
        return [str(NX_27017), "--host", self.host, "--port", str(self.port), "--data-dir", str(self.workdir / "data"),
                "--log-file", str(self.workdir / "nx-27017.log"), "--pid-file", str(self.workdir / "nx-27017.pid")]

    def start(self) -> Nx27017Process:
        with (self.workdir / "output.log").open("ab") as output:
            self.process = subprocess.Popen(self.command(), stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nx-27017 exited with {self.process.returncode}:\n{self.output()}")
            if self._answers():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nx-27017 did not answer within {self.start_timeout} s:\n{self.output()}")

    def _answers(self) -> bool:
        """Ready when a MongoDB `hello` gets an answer (the port may accept before the handler is up)."""
        from pymongo import MongoClient  # noqa: PLC0415 -- only the fixture's readiness probe needs the sync client

        try:
            with socket.create_connection((self.host, self.port), timeout=1):
                pass
        except OSError:
            return False
        client: MongoClient[dict[str, object]] = MongoClient(self.uri(), serverSelectionTimeoutMS=1000)
        try:
            client.admin.command("ping")
            return True
        except Exception:
            return False
        finally:
            client.close()

    def output(self) -> str:
        parts = [path.read_text(errors="replace") for path in (self.workdir / "output.log",
                                                                self.workdir / "nx-27017.log") if path.exists()]
        return "\n".join(parts)[-4000:]

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not exit: connections are refused afterwards."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def __enter__(self) -> Nx27017Process:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)
