"""`make bench` stopped with SIGTERM (a CI job's timeout) stops the servers it started, instead of leaving them
serving."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.benchmarks import process_stats
from tests.support.server_process import PROJECT_ROOT

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (make install-requirements)")


def test_a_terminated_bench_stops_its_servers(tmp_path: Path) -> None:
    bench = subprocess.Popen(
        [sys.executable, "-m", "tests.benchmarks.bench", "--suite", "footprint", "--rounds", "1", "--duration", "30",
         "--only", "bare GET /ping", "--results", str(tmp_path)],
        cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    servers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while not servers:  # the bare reference started and being measured
            assert time.monotonic() < deadline, "the bench started no server within 60 s"
            assert bench.poll() is None, f"the bench exited with {bench.returncode}"
            time.sleep(0.2)
            servers = [pid for pid in process_stats.process_tree(bench.pid)[1:] if _is_server(pid)]
        bench.send_signal(signal.SIGTERM)
        assert bench.wait(60) == 128 + signal.SIGTERM
        for pid in servers:
            assert not _alive(pid), f"server {pid} outlived the bench"
    finally:
        if bench.poll() is None:
            bench.kill()
            bench.wait()
        for pid in servers:  # never leave one behind, even when the test fails
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def _is_server(pid: int) -> bool:
    try:
        return b"tests.benchmarks.bare_app" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
