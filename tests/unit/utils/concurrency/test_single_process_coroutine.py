"""`single_process_coroutine` where no lock can be had: lock server disabled (the job runs everywhere) or
unavailable (the run is skipped and logged, the caller carries on)."""

from __future__ import annotations

import logging

import pytest

from src.settings import LockServerSettings
from src.utils.concurrency.lock_manager import LockManager
from src.utils.concurrency.scheduled_run import ScheduledRun, current_run, running
from src.utils.concurrency.single_process_coroutine import single_process_coroutine, single_process_name
from tests.support.server_process import free_port

calls: list[str] = []


@single_process_coroutine("unit-job")
async def job(value: str) -> str:
    calls.append(value)
    return value.upper()


class Job:
    @single_process_coroutine("unit-method-job")
    async def run(self) -> None:
        calls.append("method")


def test_the_decorated_function_keeps_its_name_and_says_it_is_single_process() -> None:
    assert job.__name__ == "job"
    assert single_process_name(job) == "unit-job"
    assert single_process_name(Job().run) == "unit-method-job"
    assert single_process_name(lambda: None) is None
    with pytest.raises(ValueError, match="non-empty"):
        single_process_coroutine("")


async def test_lock_server_disabled_runs_the_job_in_this_process() -> None:
    calls.clear()
    assert not LockManager.enabled()
    assert await job("a") == "A"
    await Job().run()
    assert calls == ["a", "method"]


async def test_lock_server_unavailable_skips_the_run_and_logs_it(caplog: pytest.LogCaptureFixture) -> None:
    calls.clear()

    async def scenario() -> str | None:
        manager = LockManager.init(LockServerSettings(enabled=True, host="127.0.0.1", port=free_port()))
        try:
            with running(ScheduledRun("unit-job", 1_700_000_000.2, 0.2)):
                return await job("b")
        finally:
            await manager.close()

    with caplog.at_level(logging.WARNING, logger="tornado_boilerplate.jobs"):
        assert await scenario() is None
    assert calls == []
    assert any("job unit-job: slot 1700000000200 not started yet, the lock server is unavailable"
               in record.getMessage() for record in caplog.records)


def test_scheduled_run_context_is_scoped() -> None:
    assert current_run() is None
    scheduled = ScheduledRun("j", 1_700_000_000.2, 0.2)
    with running(scheduled):
        assert current_run() is scheduled
        assert scheduled.slot_id == "1700000000200"
    assert current_run() is None
