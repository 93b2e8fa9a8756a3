"""Schemathesis against the real server (embedded store, a real etcd for /locking): every operation of
/openapi.json, deterministic and bounded in time, every check. 0 server errors; every answer conforms to the
document (status, content type, body schema, headers). Tuning, each with its reason, is in schemathesis.toml
beside this file."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.etcd_process import EtcdProcess
from tests.support.server_process import ServerProcess

pytestmark = pytest.mark.contract  # `make test-contract`: about a minute, so outside `make test`

CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES_PER_OPERATION = 12  # x 26 operations, plus the coverage and stateful phases: a few hundred requests
TIME_BUDGET_SECONDS = 40


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with EtcdProcess() as etcd, ServerProcess(
            ["--lock_server", "--lock_server_host", etcd.host, "--lock_server_port", str(etcd.port),
             "--locking_hold_seconds", "0"]) as running:
        yield running


def test_every_operation_conforms_to_the_document(server: ServerProcess, tmp_path: Path) -> None:
    report = tmp_path / "report.xml"
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "run",
               f"{server.url}/openapi.json", "--checks", "all",
               # Deterministic generation: the same cases every run (stronger than a fixed seed).
               "--max-examples", str(EXAMPLES_PER_OPERATION), "--generation-deterministic",
               "--max-time", str(TIME_BUDGET_SECONDS), "--request-timeout", "10", "--workers", "1",
               "--report", "junit", "--report-junit-path", str(report), "--no-color"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIME_BUDGET_SECONDS + 60,
                            cwd=tmp_path, check=False)
    summary = result.stdout[-6000:]
    assert result.returncode == 0, (f"schemathesis failed:\n{summary}\n{result.stderr[-2000:]}\n"
                                    f"{server.output()[-3000:]}")
    assert "Tested:" in summary, summary
    assert "Server error" not in summary, summary
