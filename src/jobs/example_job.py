"""`ExampleJob`: what a scheduled job looks like. It runs in every process (see `ConcurrentExampleJob` for a job
that must run once in total)."""

from __future__ import annotations

import logging
import os

logger = logging.getLogger("tornado_boilerplate.jobs")


class ExampleJob:
    """Each method is a job: a coroutine function taking no arguments, handed to the `Scheduler` as
    `ExampleJob.run` (no instance needed, as in the spec)."""

    @staticmethod
    async def run() -> None:
        logger.debug("example job: periodic run in process %d", os.getpid())

    @staticmethod
    async def run_once() -> None:
        logger.debug("example job: one-shot run in process %d", os.getpid())

    @staticmethod
    async def run_daily() -> None:
        logger.debug("example job: daily run in process %d", os.getpid())
