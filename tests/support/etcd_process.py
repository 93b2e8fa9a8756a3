"""Run a real etcd (`/usr/bin/etcd`, v2 API enabled) for integration tests: free loopback client and peer ports,
a temporary data directory, wait until it answers, stop it (and remove its data) afterwards. One member alone, or
one of an `EtcdCluster` (`tests/support/etcd_cluster.py`).

`pause()`/`resume()` SIGSTOP/SIGCONT it (an etcd that accepts connections but never answers); `stop()` ends it
(connections refused); `kill()` is SIGKILL, and `start()` again restarts it on its data.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from tests.support.server_process import free_port

ETCD_BINARY = shutil.which("etcd") or "/usr/bin/etcd"
# Data in memory when the machine has a tmpfs: etcd fsyncs every write, which a test gains nothing from.
_MEMORY_DIR = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


class EtcdProcess:
    """`with EtcdProcess() as etcd: LockManager(etcd.host, etcd.port, ...)`."""

    def __init__(self, start_timeout: float = 15.0, data_in_memory: bool = True, host: str = "127.0.0.1",
                 name: str = "tb-test") -> None:
        self.host = host
        self.name = name
        self.port = free_port(host)
        self.peer_port = free_port(host)
        self.initial_cluster = f"{name}={self.peer_url}"
        self.workdir = Path(tempfile.mkdtemp(prefix="tb-etcd-", dir=_MEMORY_DIR if data_in_memory else None))
        self.output_path = self.workdir / "etcd.log"
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.paused = False

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def peer_url(self) -> str:
        return f"http://{self.host}:{self.peer_port}"

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def command(self) -> list[str]:
        client_url = self.url
        return [ETCD_BINARY, "--enable-v2=true", "--name", self.name, "--data-dir", str(self.workdir / "data"),
                "--listen-client-urls", client_url, "--advertise-client-urls", client_url,
                "--listen-peer-urls", self.peer_url, "--initial-advertise-peer-urls", self.peer_url,
                "--initial-cluster", self.initial_cluster, "--initial-cluster-token", self.initial_cluster,
                "--log-level", "warn"]

    def launch(self) -> None:
        """Start the process without waiting for it (the members of a cluster wait for each other)."""
        with self.output_path.open("ab") as output:
            self.process = subprocess.Popen(self.command(), stdout=output, stderr=subprocess.STDOUT)
        self.paused = False

    def start(self) -> EtcdProcess:
        self.launch()
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"etcd exited with {self.process.returncode}:\n{self.output()}")
            if self._answers():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"etcd did not answer within {self.start_timeout} s:\n{self.output()}")

    def _answers(self) -> bool:
        """Ready when the v2 keys API answers (a plain /version answers before the v2 store is up)."""
        try:
            with urllib.request.urlopen(self.url + "/v2/keys/", timeout=1) as response:
                return "node" in json.loads(response.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            return False

    def output(self) -> str:
        return self.output_path.read_text(errors="replace") if self.output_path.exists() else ""

    def pause(self, timeout: float = 10.0) -> None:
        """SIGSTOP: the kernel still accepts connections, but nothing answers them. Returns once every etcd thread
        is stopped: `kill` only queues the signal, and until one of etcd's threads is scheduled to take it (ms on
        a loaded machine) the others keep serving, so a request sent right after it could still be answered."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)
        self.paused = True
        deadline = time.monotonic() + timeout
        while not self._all_threads_stopped():
            if time.monotonic() > deadline:
                raise RuntimeError(f"etcd (pid {self.process.pid}) did not stop within {timeout} s of SIGSTOP")
            time.sleep(0.001)

    def _all_threads_stopped(self) -> bool:
        """Every thread in state T (stopped) per /proc/<pid>/task/*/stat; a thread that exits meanwhile is gone."""
        assert self.process is not None
        tasks = Path(f"/proc/{self.process.pid}/task")
        for task in tasks.iterdir():
            try:
                stat = (task / "stat").read_text()
            except FileNotFoundError:
                continue
            if stat.rpartition(")")[2].split()[0] not in ("T", "t"):
                return False
        return True

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)
        self.paused = False

    def kill(self) -> None:
        """SIGKILL, as a crash would; `start()` restarts it on the same data."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            if self.paused:
                self.resume()
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> EtcdProcess:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
