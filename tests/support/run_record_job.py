"""A job for the exactly-once test, added to real server processes with
`TB_JOB_SETUP=tests.support.run_record_job:set_up` (see `src/jobs/job_setup_hook.py`).

Every `TB_RUN_RECORD_MILLIS` (default 200) ms, decorated with `single_process_coroutine`, it appends
`<slot> <pid>` to the file named by `TB_RUN_RECORD_FILE`. Appends of one short line are atomic, so the processes
share the file safely, and the test counts how often each slot ran in total.
"""

from __future__ import annotations

import os

from src.jobs.scheduler import Scheduler
from src.utils.concurrency.scheduled_run import current_run
from src.utils.concurrency.single_process_coroutine import single_process_coroutine


@single_process_coroutine("run-record")
async def record_run() -> None:
    run = current_run()
    line = f"{run.slot_id if run else 'unscheduled'} {os.getpid()}\n".encode()
    descriptor = os.open(os.environ["TB_RUN_RECORD_FILE"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, line)
    finally:
        os.close(descriptor)


def set_up(scheduler: Scheduler) -> None:
    scheduler.run_every_millis(record_run, float(os.environ.get("TB_RUN_RECORD_MILLIS", "200")), name="run-record")
