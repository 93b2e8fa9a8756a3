"""The scheduler component of a worker: one `Scheduler` per process, every job cancelled at teardown."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager

from src.jobs.job_setup_hook import load_job_setup
from src.jobs.scheduler import Scheduler
from src.settings import ApplicationContext
from src.utils.concurrency.single_process_coroutine import single_process_name

logger = logging.getLogger("tornado_boilerplate.jobs")


# What a feature schedules at start-up (the examples feature: `Scheduler.example_set_up()`).
JobSetUp = Callable[[Scheduler, ApplicationContext], None]


@asynccontextmanager
async def scheduler_component(context: ApplicationContext, job_setups: Sequence[JobSetUp] = (),
                              environ: Mapping[str, str] = os.environ) -> AsyncIterator[Scheduler]:
    """The process's `Scheduler.get()`, with the jobs scheduled before start-up, the features' jobs
    (`job_setups`), then the TB_JOB_SETUP jobs. Warns once when single-process jobs will run in every one of
    several processes (`--proc` other than 1 and no lock server); one process runs each of them once anyway."""
    scheduler = Scheduler.get()
    try:
        scheduler.start()
        for set_up in job_setups:
            set_up(scheduler, context)
        job_setup = load_job_setup(environ)
        if job_setup is not None:
            job_setup(scheduler)
        single_process_jobs = sorted({name for handle in scheduler.jobs()
                                      if (name := single_process_name(handle.job)) is not None})
        if single_process_jobs and not context.lock_server.enabled:
            level = logging.DEBUG if context.server.proc == 1 else logging.WARNING
            logger.log(level, "the lock server is disabled (--lock_server): single-process jobs %s will run in every "
                       "process", ", ".join(single_process_jobs))
        yield scheduler
    finally:
        await scheduler.shutdown()
