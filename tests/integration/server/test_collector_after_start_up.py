"""server.py starts with the garbage collector off (start-up makes next to no garbage) and every serving process
turns it on once started, with what start-up built frozen out of its collections: one process and `--proc 2`.

Each process reports its collector state through a job added with `TB_JOB_SETUP` (this module's `set_up`),
which writes `<pid> <enabled> <frozen objects>` to a file of its own every 50 ms."""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path

import pytest

from src.jobs.scheduler import Scheduler
from tests.support.server_process import ServerProcess

REPORT_DIRECTORY = "TB_TEST_GC_REPORT_DIR"
DEADLINE_SECONDS = 20.0  # generous: only a collector that never comes on runs into it


async def _report() -> None:
    path = Path(os.environ[REPORT_DIRECTORY]) / str(os.getpid())
    path.write_text(f"{os.getpid()} {gc.isenabled()} {gc.get_freeze_count()}\n")


def set_up(scheduler: Scheduler) -> None:
    scheduler.run_every_millis(_report, 50, name="gc-report")


def _states(directory: Path) -> dict[int, tuple[bool, int]]:
    states = {}
    for report in directory.iterdir():
        fields = report.read_text().split()
        if len(fields) == 3:  # a report being rewritten is read at the next poll
            states[int(fields[0])] = (fields[1] == "True", int(fields[2]))
    return states


@pytest.mark.parametrize("processes", [1, 2])
def test_each_serving_process_collects_garbage_once_started(tmp_path: Path, processes: int) -> None:
    env = {"TB_JOB_SETUP": f"{__name__}:set_up", REPORT_DIRECTORY: str(tmp_path)}
    with ServerProcess(["--proc", str(processes)], env=env) as server:
        if processes > 1:
            server.wait_workers_listening(processes)
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            states = _states(tmp_path)
            if len(states) == processes and all(enabled for enabled, _ in states.values()):
                break
            assert time.monotonic() < deadline, f"collector states after {DEADLINE_SECONDS} s: {states}"
            time.sleep(0.05)
    assert all(frozen > 10_000 for _, frozen in states.values()), states  # start-up's objects, left alone
