"""Exactly once per scheduled run: two workers of one server (`--proc 2`) and a third, separate server share one
etcd, and each schedules the same `single_process_coroutine` job every 200 ms. Every run appends `<slot> <pid>` to
a shared file (`tests/support/run_record_job.py`); after 5 s no slot is done twice, and every slot between the
first and the moment the servers are told to stop is done once or reported missed (the contract: on a machine so
loaded that no process ran for the catch-up deadline, a slot is reported missed, never run late or twice)."""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

from tests.support.etcd_process import EtcdProcess
from tests.support.server_process import ServerProcess

PERIOD_MS = 200
RUN_SECONDS = 5.0
SETTLE_SECONDS = 1.0  # slots this close to the stop may still be running when it comes: not counted
MISSED = re.compile(r"job run-record: slot (\d+) missed")


def logs_of(server: ServerProcess) -> str:
    return "\n".join([server.output(), *(path.read_text(errors="replace")
                                         for path in (server.workdir / "logs").glob("*.log*"))])


def test_every_slot_runs_exactly_once_across_three_processes(etcd: EtcdProcess, tmp_path: Path) -> None:
    record = tmp_path / "runs.txt"
    env = {"TB_JOB_SETUP": "tests.support.run_record_job:set_up", "TB_RUN_RECORD_FILE": str(record),
           "TB_RUN_RECORD_MILLIS": str(PERIOD_MS)}
    args = ["--lock_server", "--lock_server_host", etcd.host, "--lock_server_port", str(etcd.port)]
    with ServerProcess([*args, "--proc", "2"], env=env) as pair, ServerProcess(args, env=env) as single:
        time.sleep(RUN_SECONDS)
        counted_to = (time.time() - SETTLE_SECONDS) * 1000
        assert single.stop() == 0
        assert pair.stop() == 0
        missed = Counter(int(slot) for server in (pair, single) for slot in MISSED.findall(logs_of(server)))
    lines = [line.split() for line in record.read_text().splitlines() if line.startswith("done ")]
    runs_per_slot = Counter(int(fields[1]) for fields in lines)
    pids = Counter(fields[2] for fields in lines)
    print(f"{len(runs_per_slot)} slots, {len(lines)} runs, {sum(missed.values())} missed, "
          f"runs per process: {dict(pids)}")

    assert len(runs_per_slot) >= RUN_SECONDS * 1000 / PERIOD_MS / 2  # the job really ran for those seconds
    assert {slot: count for slot, count in runs_per_slot.items() if count != 1} == {}
    assert all(slot % PERIOD_MS == 0 for slot in runs_per_slot)
    slots = range(min(runs_per_slot), int(counted_to), PERIOD_MS)
    assert [slot for slot in slots if runs_per_slot[slot] + missed[slot] != 1] == []  # none left out
    assert len(pids) >= 2  # the runs really were spread over processes, not all in one by chance
