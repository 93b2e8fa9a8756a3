"""The scheduler at worker start-up: example jobs behind a setting, extra jobs from TB_JOB_SETUP, one warning
when single-process jobs will run everywhere, and every job cancelled by the shutdown hook."""

from __future__ import annotations

import logging

import pytest

from src.jobs.job_setup_hook import load_job_setup
from src.jobs.scheduler import Scheduler
from src.jobs.scheduler_startup import scheduler_component
from src.lifecycle import Lifecycle
from src.server.features import examples
from src.utils.command_line.argument_parsing_utils import ArgumentParsingUtils

registered: list[Scheduler] = []


def record_setup(scheduler: Scheduler) -> None:
    registered.append(scheduler)


async def start(argv: list[str], environ: dict[str, str]) -> tuple[Scheduler, list[str]]:
    lifecycle = Lifecycle()
    context = ArgumentParsingUtils.parse(argv, {})
    scheduler = await lifecycle.start("scheduler", scheduler_component(context, [examples.schedule_jobs], environ))
    names = sorted(handle.name for handle in scheduler.jobs())
    await lifecycle.shutdown()
    assert scheduler.jobs() == []
    return scheduler, names


async def test_example_jobs_are_scheduled_unless_switched_off(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="tornado_boilerplate.jobs"):
        _, names = await start([], {})
    assert names == ["concurrent-example", "example-daily", "example-every-minute", "example-once"]
    assert caplog.records == []  # one process: each single-process job runs once anyway, nothing to warn about

    _, names = await start(["--proc", "2"], {})
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 1 and "concurrent-example-job will run in every process" in warnings[0]

    caplog.clear()
    _, names = await start(["--no-example_jobs"], {})
    assert names == [] and caplog.records == []


async def test_job_setup_hook_adds_jobs_and_bad_targets_fail_start_up() -> None:
    registered.clear()
    scheduler, _ = await start(["--no-example_jobs"], {"TB_JOB_SETUP": f"{__name__}:record_setup"})
    assert registered == [scheduler]
    assert load_job_setup({}) is None and load_job_setup({"TB_JOB_SETUP": " "}) is None
    with pytest.raises(ValueError, match=r"package\.module:function"):
        load_job_setup({"TB_JOB_SETUP": "no_colon"})
    with pytest.raises(ValueError, match="not a function"):
        load_job_setup({"TB_JOB_SETUP": f"{__name__}:registered"})
    with pytest.raises(ModuleNotFoundError):
        load_job_setup({"TB_JOB_SETUP": "no.such.module:set_up"})
