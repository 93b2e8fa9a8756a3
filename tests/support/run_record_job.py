"""A job for the exactly-once tests, added to real server processes with
`TB_JOB_SETUP=tests.support.run_record_job:set_up` (see `src/jobs/job_setup_hook.py`).

Every `TB_RUN_RECORD_MILLIS` (default 200) ms, decorated with `single_process_coroutine`, it appends lines to the
file named by `TB_RUN_RECORD_FILE`: `start <slot> <pid> <host>` when a run begins, then, after
`TB_RUN_RECORD_WORK_MILLIS` (default 0) ms of work and a quorum check that the slot is still this process's,
`done <slot> <pid> <host> <fencing token>` — the run's effect. Appends of one short line are atomic, so the
processes share the file safely, and the test counts how often each slot was completed in total.

Fault injection for the cluster test: when the file `TB_RUN_RECORD_STALL_FILE` appears, the first process to
claim it (an atomic rename) stops dead for `TB_RUN_RECORD_STALL_SECONDS` (a blocking sleep: the whole process,
as in a stop-the-world pause) between choosing a slot and creating its key, and records `stall <slot> <pid>`.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from src.jobs.scheduler import Scheduler
from src.utils.concurrency.owned_keys import OwnedKeys
from src.utils.concurrency.scheduled_run import current_run
from src.utils.concurrency.single_process_coroutine import single_process_coroutine
from src.utils.concurrency.slot_lease import current_slot


def record(*fields: object) -> None:
    line = (" ".join(str(field) for field in fields) + "\n").encode()
    descriptor = os.open(os.environ["TB_RUN_RECORD_FILE"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, line)
    finally:
        os.close(descriptor)


@single_process_coroutine("run-record")
async def record_run() -> None:
    run, lease = current_run(), current_slot()
    slot = run.slot_id if run else "unscheduled"
    host = os.environ.get("TB_RUN_RECORD_HOST", "-")
    record("start", slot, os.getpid(), host)
    work = float(os.environ.get("TB_RUN_RECORD_WORK_MILLIS", "0")) / 1000
    if work:
        await asyncio.sleep(work)
    if lease is not None and not await lease.confirm():
        record("lost", slot, os.getpid(), host)
        return
    record("done", slot, os.getpid(), host, lease.fencing_token if lease else 0)


def _stall_before_create(marker: str, seconds: float) -> None:
    original = OwnedKeys.create

    async def create(self: OwnedKeys, name: str, key: str, ttl: int, state: str = "") -> Any:
        if state == "running:" and os.path.exists(marker):
            try:
                os.rename(marker, f"{marker}.{os.getpid()}")  # only one process wins the claim
            except OSError:
                pass
            else:
                time.sleep(seconds)
                record("stall", name.rpartition("@")[2], os.getpid())
        return await original(self, name, key, ttl, state)

    OwnedKeys.create = create  # type: ignore[method-assign]


def set_up(scheduler: Scheduler) -> None:
    marker = os.environ.get("TB_RUN_RECORD_STALL_FILE")
    if marker:
        _stall_before_create(marker, float(os.environ.get("TB_RUN_RECORD_STALL_SECONDS", "3")))
    scheduler.run_every_millis(record_run, float(os.environ.get("TB_RUN_RECORD_MILLIS", "200")), name="run-record")
