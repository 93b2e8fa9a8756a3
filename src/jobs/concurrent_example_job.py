"""`ConcurrentExampleJob`: a job that must run once per scheduled run in total, however many processes (and
machines sharing the etcd) schedule it. Try it with `--proc 2 --lock_server`: each run is logged by one worker."""

from __future__ import annotations

import logging
import os

from src.utils.concurrency.scheduled_run import current_run
from src.utils.concurrency.single_process_coroutine import single_process_coroutine

logger = logging.getLogger("tornado_boilerplate.jobs")


class ConcurrentExampleJob:
    @staticmethod
    @single_process_coroutine("concurrent-example-job")
    async def run() -> None:
        run = current_run()
        slot = run.slot_id if run is not None else "unscheduled"
        logger.debug("concurrent example job: slot %s ran in process %d", slot, os.getpid())
