"""Schemathesis against the real server (embedded store, a real etcd for /locking): every operation of
/openapi.json, every phase (the stateful one included), every check. 0 server errors; every answer conforms to the
document (status, content type, body schema, headers). The cases are the same on every machine: derandomized
generation and a fixed number of them, no time budget (schemathesis.toml beside this file says why for each
setting). `make fuzz-contract` hunts with random seeds for cases this fixed set does not meet."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.etcd_process import EtcdProcess
from tests.support.server_process import ServerProcess

CONFIG = Path(__file__).with_name("schemathesis.toml")
# A hang guard only: the run is a fixed amount of work (about a minute on a loaded 2-core machine), never cut short.
HANG_GUARD_SECONDS = 600

# `make test-contract`: about a minute, so outside `make test`. The suite's 120 s per test would cut the run short on
# a machine loaded past that minute (80 s measured at load 14 on 2 cores): the hang guard above bounds it instead.
pytestmark = [pytest.mark.contract, pytest.mark.timeout(HANG_GUARD_SECONDS + 60)]


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
               "--report", "junit", "--report-junit-path", str(report), "--no-color"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=HANG_GUARD_SECONDS,
                            cwd=tmp_path, check=False)
    summary = result.stdout[-6000:]
    assert result.returncode == 0, (f"schemathesis failed:\n{summary}\n{result.stderr[-2000:]}\n"
                                    f"{server.output()[-3000:]}")
    assert "Server error" not in summary, summary
    # Every operation was tested and every phase ran (the examples phase has no examples in the document to run).
    selected = re.search(r"Selected: (\d+)/(\d+)", summary)
    assert selected is not None and selected[1] == selected[2], summary
    assert f"Tested: {selected[2]}" in summary, summary
    for phase in ("Coverage", "Fuzzing", "Stateful"):
        assert f"✅ {phase}" in summary, (phase, summary)
