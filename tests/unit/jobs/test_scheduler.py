"""`Scheduler`: fixed rate on an epoch grid, no overlapping runs, failing runs do not stop a schedule, one-shot
runs, daily runs at a local time (with an injected clock instead of waiting), cancel and shutdown."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest

from src.jobs.scheduler import JobHandle, Scheduler
from src.utils.concurrency.scheduled_run import ScheduledRun, current_run
from src.utils.concurrency.single_process_coroutine import single_process_name

T = TypeVar("T")


def run_in_a_new_loop(scenario: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """For the tests of what is scheduled before any event loop runs: their set-up must run outside one."""
    return asyncio.run(scenario())


class Recorder:
    """A job that records the scheduled run it was started for, and how many of its runs overlap."""

    def __init__(self, clock: Callable[[], float] = time.time, duration: float = 0.0) -> None:
        self.clock = clock
        self.duration = duration
        self.runs: list[ScheduledRun] = []
        self.started_at: list[float] = []
        self.active = 0
        self.most_active = 0

    async def __call__(self) -> None:
        scheduled = current_run()
        assert scheduled is not None
        self.runs.append(scheduled)
        self.started_at.append(self.clock())
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        try:
            await asyncio.sleep(self.duration)
        finally:
            self.active -= 1


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)


async def test_fixed_rate_runs_sit_on_the_epoch_grid_of_the_period() -> None:
    scheduler = Scheduler()
    job = Recorder(duration=0.007)  # the run's own duration must not push the next one later
    handle = scheduler.run_every_millis(job, 40, name="grid")
    await until(lambda: len(job.runs) >= 6)
    handle.cancel()

    slots_ms = [round(scheduled.slot * 1000) for scheduled in job.runs]
    assert all(slot % 40 == 0 for slot in slots_ms)  # every process computes the same slots
    assert all(later > earlier for earlier, later in itertools.pairwise(slots_ms))
    assert all(scheduled.period == 0.04 and scheduled.job == "grid" for scheduled in job.runs)
    # Never early, and each run belongs to the slot it ran in (not a later one: no drift).
    assert all(started >= scheduled.slot for started, scheduled in zip(job.started_at, job.runs, strict=True))
    assert all(started - scheduled.slot < 0.04 for started, scheduled in zip(job.started_at, job.runs, strict=True))


async def test_runs_never_overlap_and_missed_slots_are_skipped_not_bunched() -> None:
    scheduler = Scheduler()
    job = Recorder(duration=0.075)  # longer than three periods
    handle = scheduler.run_every_millis(job, 20)
    await until(lambda: len(job.runs) >= 4)
    handle.cancel()
    await until(lambda: handle.done)

    assert job.most_active == 1
    gaps = [round((b.slot - a.slot) * 1000) for a, b in itertools.pairwise(job.runs)]
    assert all(gap >= 80 and gap % 20 == 0 for gap in gaps)  # the next run starts in the first free slot
    assert handle.skipped_slots >= 3 * len(gaps)


async def test_a_failing_run_is_logged_and_the_schedule_continues(caplog: pytest.LogCaptureFixture) -> None:
    attempts: list[int] = []

    async def flaky() -> None:
        attempts.append(1)
        if len(attempts) <= 2:
            raise RuntimeError(f"boom {len(attempts)}")

    with caplog.at_level(logging.ERROR, logger="tornado_boilerplate.jobs"):
        handle = Scheduler().run_every_millis(flaky, 10, name="flaky")
        await until(lambda: handle.runs >= 4)
        handle.cancel()
    assert handle.failures == 2 and handle.runs >= 4
    failures = [record for record in caplog.records if "job flaky failed" in record.getMessage()]
    assert len(failures) == 2 and failures[0].exc_info is not None
    assert str(failures[0].exc_info[1]) == "boom 1"


async def test_run_in_millis_runs_once() -> None:
    scheduler = Scheduler()
    job = Recorder()
    scheduled_at = time.time()
    handle = scheduler.run_in_millis(job, 60, name="once")
    assert scheduler.jobs() == [handle] and handle.next_run is not None
    await until(lambda: handle.done)
    await asyncio.sleep(0.1)

    assert len(job.runs) == 1 and handle.runs == 1
    assert job.runs[0].period is None and job.runs[0].slot == pytest.approx(scheduled_at + 0.06, abs=0.02)
    assert job.started_at[0] >= job.runs[0].slot
    assert scheduler.jobs() == [] and handle.next_run is None


def shifted_clock(now: datetime) -> Callable[[], float]:
    """A wall clock that reads `now` at this moment and then advances in real time."""
    offset = now.timestamp() - time.time()
    return lambda: time.time() + offset


async def test_daily_time_runs_at_the_local_time_and_then_waits_for_the_next_day() -> None:
    madrid = ZoneInfo("Europe/Madrid")
    clock = shifted_clock(datetime(2024, 6, 1, 6, 59, 59, 900_000, tzinfo=madrid))
    job = Recorder(clock=clock)
    handle = Scheduler(clock=clock).schedule_for_time(job, hour=7, minute=0, second=0, tz="Europe/Madrid")
    assert handle.next_run == datetime(2024, 6, 1, 7, 0, tzinfo=madrid).timestamp()
    await until(lambda: handle.runs == 1, timeout=3)
    await until(lambda: not handle.running)
    await asyncio.sleep(0.05)
    handle.cancel()

    assert len(job.runs) == 1
    assert job.runs[0].slot == datetime(2024, 6, 1, 7, 0, tzinfo=madrid).timestamp()
    assert job.runs[0].period == 86400
    assert job.started_at[0] >= job.runs[0].slot
    assert handle.cancelled and handle.next_run is None


async def test_daily_time_in_the_spring_forward_gap_runs_once_just_after_it() -> None:
    new_york = ZoneInfo("America/New_York")
    # 10 March 2024, 03:29:59.9 EDT: a job for 02:30 (a time that does not exist that day) is due at 03:30.
    clock = shifted_clock(datetime(2024, 3, 10, 7, 29, 59, 900_000, tzinfo=UTC))
    job = Recorder(clock=clock)
    handle = Scheduler(clock=clock).schedule_for_time(job, hour=2, minute=30, tz=new_york)
    await until(lambda: handle.runs == 1 and not handle.running, timeout=3)
    await asyncio.sleep(0.01)
    next_run = handle.next_run
    handle.cancel()

    assert [scheduled.slot for scheduled in job.runs] == [datetime(2024, 3, 10, 7, 30, tzinfo=UTC).timestamp()]
    assert job.runs[0].period == 23 * 3600
    assert next_run == datetime(2024, 3, 11, 2, 30, tzinfo=new_york).timestamp()


async def test_cancel_stops_a_waiting_job_and_lets_a_running_run_finish() -> None:
    scheduler = Scheduler()
    waiting = Recorder()
    handle = scheduler.run_every_millis(waiting, 10_000)
    one_shot = scheduler.run_in_millis(waiting, 30)
    handle.cancel()
    one_shot.cancel()
    await asyncio.sleep(0.1)
    assert waiting.runs == [] and handle.done and one_shot.done and scheduler.jobs() == []

    finished: list[bool] = []
    own: list[JobHandle] = []

    async def cancels_itself() -> None:
        own[0].cancel()
        await asyncio.sleep(0.03)  # still runs to the end
        finished.append(True)

    own.append(scheduler.run_every_millis(cancels_itself, 10))
    await until(lambda: own[0].done)
    assert finished == [True] and own[0].runs == 1


async def test_shutdown_cancels_every_job_and_interrupts_runs_that_do_not_finish(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="tornado_boilerplate.jobs"):
        scheduler = Scheduler()
        quick, stuck = Recorder(duration=0.05), Recorder(duration=60)
        handles = [scheduler.run_every_millis(quick, 10), scheduler.run_every_millis(stuck, 10, name="stuck"),
                   scheduler.schedule_for_time(quick, hour=3), scheduler.run_in_millis(quick, 60_000)]
        await until(lambda: quick.active == 1 and stuck.active == 1)
        started = time.monotonic()
        await scheduler.shutdown(timeout=0.3)
        assert time.monotonic() - started < 2.0
        assert scheduler.jobs() == []
    assert quick.active == 0 and stuck.active == 0  # the quick run finished, the stuck one was interrupted
    assert all(handle.cancelled and handle.done for handle in handles)
    assert any("job:stuck still running at shutdown" in record.getMessage() for record in caplog.records)


async def test_invalid_schedules_are_refused() -> None:
    async def job() -> None:
        return None

    scheduler = Scheduler()
    with pytest.raises(ValueError, match="positive"):
        scheduler.run_every_millis(job, 0)
    with pytest.raises(ValueError, match="negative"):
        scheduler.run_in_millis(job, -1)
    with pytest.raises(ValueError):
        scheduler.schedule_for_time(job, hour=24)
    with pytest.raises(LookupError):
        scheduler.schedule_for_time(job, tz="Mars/Olympus_Mons")
    assert scheduler.jobs() == []


async def test_example_set_up_schedules_each_kind_and_one_single_process_job() -> None:
    scheduler = Scheduler()
    handles = scheduler.example_set_up()
    assert scheduler.jobs() == handles
    await scheduler.shutdown()

    assert sorted(handle.kind for handle in handles) == ["daily", "every", "every", "once"]
    assert [single_process_name(handle.job) for handle in handles].count("concurrent-example-job") == 1


def test_class_level_calls_schedule_on_the_process_scheduler_and_wait_for_the_loop() -> None:
    ran: list[str] = []

    async def once() -> None:
        ran.append("once")

    async def every() -> None:
        ran.append("every")

    async def daily() -> None:
        ran.append("daily")

    # No event loop runs yet: the jobs are registered and start with the loop, as the spec's set-up expects.
    handles = [Scheduler.run_in_millis(once, millis=0), Scheduler.run_every_millis(every, delta_millis=10),
               Scheduler.schedule_for_time(daily)]
    scheduler = Scheduler.get()
    assert [handle.next_run for handle in handles] == [None, None, None]
    assert scheduler.jobs() == handles

    async def scenario() -> None:
        scheduler.start()
        assert all(handle.next_run is not None for handle in handles[1:])
        await until(lambda: ran.count("every") >= 2 and "once" in ran)
        await scheduler.shutdown()

    run_in_a_new_loop(scenario)
    assert "daily" not in ran
    assert Scheduler.get() is not scheduler  # shut down: the next start-up gets a fresh process scheduler


async def test_class_level_example_set_up_in_a_running_loop_starts_at_once() -> None:
    handles = Scheduler.example_set_up()
    assert all(handle.next_run is not None for handle in handles)
    assert Scheduler.get().jobs() == handles
    await Scheduler.get().shutdown()
    assert len(handles) == 4


def test_a_job_cancelled_before_the_loop_runs_never_starts() -> None:
    ran: list[str] = []

    async def job() -> None:
        ran.append("ran")

    scheduler = Scheduler()
    handle = scheduler.run_in_millis(job)
    handle.cancel()
    assert scheduler.jobs() == []

    async def scenario() -> None:
        scheduler.start()
        await asyncio.sleep(0.05)

    run_in_a_new_loop(scenario)
    assert ran == []
