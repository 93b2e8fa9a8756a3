"""Start-up of the scheduler in a worker (called by `start_components`): one `Scheduler` per process."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from src.jobs.job_setup_hook import load_job_setup
from src.jobs.scheduler import Scheduler
from src.server.application_context import ApplicationContext
from src.server.lifecycle import Lifecycle
from src.utils.concurrency.single_process_coroutine import single_process_name

logger = logging.getLogger("tornado_boilerplate.jobs")


def start_scheduler(context: ApplicationContext, lifecycle: Lifecycle, settings: dict[str, Any],
                    environ: Mapping[str, str] = os.environ) -> Scheduler:
    """settings["scheduler"]; the example jobs unless --no-example_jobs; the TB_JOB_SETUP jobs; every job is
    cancelled at shutdown. Warns once when single-process jobs will run in every process (no lock server)."""
    scheduler = Scheduler()
    lifecycle.on_shutdown("scheduler", scheduler.shutdown)
    settings["scheduler"] = scheduler
    if context.server.example_jobs:
        scheduler.example_set_up()
    job_setup = load_job_setup(environ)
    if job_setup is not None:
        job_setup(scheduler)
    single_process_jobs = sorted({name for handle in scheduler.jobs()
                                  if (name := single_process_name(handle.job)) is not None})
    if single_process_jobs and not context.lock_server.enabled:
        logger.warning("the lock server is disabled (--lock_server): single-process jobs %s will run in every "
                       "process", ", ".join(single_process_jobs))
    return scheduler
