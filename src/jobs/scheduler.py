"""`Scheduler`: run coroutines later, periodically or daily on the process's event loop.

- `run_every_millis(job, delta)`: fixed rate. Runs sit on a grid of `delta` counted from the Unix epoch, so they
  never drift and every process on every machine computes the same run times (which is what
  `single_process_coroutine` needs to run each of them once in total). Runs never overlap: slots that pass while
  a run is still going, or while the loop was stalled, are skipped rather than run back to back.
- `run_in_millis(job, delay)`: once.
- `schedule_for_time(job, hour, minute, second, tz)`: daily at a local time, across DST changes (`daily_time`).

A run that raises is logged with its traceback and the schedule continues. Each method returns a `JobHandle`
whose `cancel()` stops the job; `shutdown()` cancels every job at graceful shutdown. The wall clock is
injectable (`clock`), so tests put "now" next to a daily time instead of waiting for it.

As in the spec, the four scheduling methods can be called on the class (`Scheduler.run_in_millis(job, millis=100)`,
`Scheduler.example_set_up()`): they then schedule on the process's scheduler, `Scheduler.get()`, which the server
start-up starts. Jobs scheduled before the event loop runs (at import time, in `server.py`) wait and take effect
when it starts; their delays and grids count from then.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import time as time_of_day
from datetime import tzinfo
from types import MethodType
from typing import Any, ClassVar, Concatenate, Generic, ParamSpec, TypeVar, cast

from src.jobs.concurrent_example_job import ConcurrentExampleJob
from src.jobs.daily_time import next_daily_time
from src.jobs.example_job import ExampleJob
from src.utils.concurrency.scheduled_run import ScheduledRun, running

Job = Callable[[], Awaitable[object]]
Clock = Callable[[], float]
P = ParamSpec("P")
R = TypeVar("R")

logger = logging.getLogger("tornado_boilerplate.jobs")


class JobHandle:
    """A scheduled job: what it is, when it runs next, how its runs went; `cancel()` stops it."""

    def __init__(self, name: str, kind: str, job: Job) -> None:
        self.name = name
        self.job = job
        self.kind = kind  # "every", "once" or "daily"
        self.next_run: float | None = None  # Unix seconds of the next slot
        self.runs = 0
        self.failures = 0
        self.skipped_slots = 0
        self.running = False
        self._cancelled = False
        self._task: asyncio.Task[None] | None = None
        self._waiting = False  # scheduled before the event loop ran; starts with it

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    @property
    def done(self) -> bool:
        if self._waiting:
            return self._cancelled
        return self._task is None or self._task.done()

    def cancel(self) -> None:
        """No further runs. A run in progress finishes (it is not interrupted); a waiting one never starts."""
        self._cancelled = True
        self.next_run = None
        self._waiting = False
        if self._task is not None and not self.running:
            self._task.cancel()

    def __repr__(self) -> str:
        return f"JobHandle({self.name!r}, {self.kind}, runs={self.runs}, cancelled={self._cancelled})"


class _OnInstanceOrProcessScheduler(Generic[P, R]):
    """A method that, called on the class, runs on the process's scheduler (`Scheduler.get()`), as the spec's
    class-level calls do; called on an instance, on that instance."""

    def __init__(self, method: Callable[Concatenate[Scheduler, P], R]) -> None:
        self._method = method
        self.__doc__ = method.__doc__
        self.__name__ = method.__name__

    def __get__(self, instance: Scheduler | None, owner: type[Scheduler]) -> Callable[P, R]:
        target = instance if instance is not None else owner.get()
        return cast(Callable[P, R], MethodType(self._method, target))


class Scheduler:
    """One per process (`Scheduler.get()`), started by the server's start-up; every job runs in its own task on
    the running event loop."""

    _process_scheduler: ClassVar[Scheduler | None] = None

    def __init__(self, clock: Clock = time.time) -> None:
        self._clock = clock
        self._handles: list[JobHandle] = []
        self._waiting: list[tuple[JobHandle, Callable[[], Coroutine[Any, Any, None]]]] = []

    @classmethod
    def get(cls) -> Scheduler:
        """The process's scheduler, created on first use (jobs may be scheduled before the server starts)."""
        if cls._process_scheduler is None:
            cls._process_scheduler = cls()
        return cls._process_scheduler

    def start(self) -> None:
        """Start the jobs scheduled before the event loop ran (call from the running loop; start-up does)."""
        asyncio.get_running_loop()
        waiting, self._waiting = self._waiting, []
        for handle, make_loop in waiting:
            if handle._waiting:
                handle._waiting = False
                self._launch(handle, make_loop())

    # ---- scheduling -------------------------------------------------------------------------------------------

    @_OnInstanceOrProcessScheduler
    def run_every_millis(self, coroutine: Job, delta_millis: float, name: str | None = None) -> JobHandle:
        """Run `coroutine()` every `delta_millis` ms, on the epoch-aligned grid (first run at the next slot)."""
        if delta_millis <= 0:
            raise ValueError("delta_millis must be positive")
        handle = JobHandle(name or _job_name(coroutine), "every", coroutine)
        period = delta_millis / 1000

        def make_loop() -> Coroutine[Any, Any, None]:
            first_slot = math.floor(self._clock() / period) + 1
            handle.next_run = first_slot * period
            return self._every(handle, coroutine, period, first_slot)

        return self._start(handle, make_loop)

    @_OnInstanceOrProcessScheduler
    def run_in_millis(self, coroutine: Job, millis: float = 0, name: str | None = None) -> JobHandle:
        """Run `coroutine()` once, `millis` ms from now."""
        if millis < 0:
            raise ValueError("millis must not be negative")
        handle = JobHandle(name or _job_name(coroutine), "once", coroutine)

        def make_loop() -> Coroutine[Any, Any, None]:
            handle.next_run = self._clock() + millis / 1000
            return self._once(handle, coroutine, handle.next_run)

        return self._start(handle, make_loop)

    @_OnInstanceOrProcessScheduler
    def schedule_for_time(self, coroutine: Job, hour: int = 0, minute: int = 0, second: int = 0, *,
                          tz: tzinfo | str = "UTC", name: str | None = None) -> JobHandle:
        """Run `coroutine()` every day at hour:minute:second local time in `tz` (a tzinfo or an IANA name)."""
        at = time_of_day(hour, minute, second)  # validates the ranges
        if isinstance(tz, str):
            from zoneinfo import ZoneInfo  # noqa: PLC0415 - with its time zone data, only for daily jobs

            zone: tzinfo = ZoneInfo(tz)
        else:
            zone = tz
        handle = JobHandle(name or _job_name(coroutine), "daily", coroutine)

        def make_loop() -> Coroutine[Any, Any, None]:
            handle.next_run = next_daily_time(self._clock(), at, zone).timestamp()
            return self._daily(handle, coroutine, at, zone, handle.next_run)

        return self._start(handle, make_loop)

    def jobs(self) -> list[JobHandle]:
        """The jobs still scheduled (finished one-shots and cancelled jobs drop out)."""
        self._handles = [handle for handle in self._handles if not handle.done]
        return list(self._handles)

    def cancel_all(self) -> None:
        for handle in self._handles:
            handle.cancel()
        self._waiting.clear()

    async def shutdown(self, timeout: float = 3.0) -> None:
        """Graceful shutdown: cancel every job, let runs in progress finish within `timeout`, then interrupt."""
        self.cancel_all()
        tasks = [handle._task for handle in self._handles if handle._task is not None and not handle._task.done()]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=timeout)
            for task in pending:
                logger.warning("job %s still running at shutdown; interrupted", task.get_name())
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=1.0)
        self._handles.clear()
        if Scheduler._process_scheduler is self:  # the next start-up in this process gets a fresh one
            Scheduler._process_scheduler = None

    @_OnInstanceOrProcessScheduler
    def example_set_up(self) -> list[JobHandle]:
        """The spec's examples of each way to schedule (switched off with --no-example_jobs)."""
        return [
            self.run_in_millis(ExampleJob.run_once, millis=5_000, name="example-once"),
            self.run_every_millis(ExampleJob.run, delta_millis=60_000, name="example-every-minute"),
            self.schedule_for_time(ExampleJob.run_daily, hour=0, minute=0, second=0, tz="UTC", name="example-daily"),
            self.run_every_millis(ConcurrentExampleJob.run, delta_millis=10_000, name="concurrent-example"),
        ]

    # ---- the job loops ----------------------------------------------------------------------------------------

    def _start(self, handle: JobHandle, make_loop: Callable[[], Coroutine[Any, Any, None]]) -> JobHandle:
        self._handles.append(handle)
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no loop yet: the job starts with it (`start()`)
            handle._waiting = True
            self._waiting.append((handle, make_loop))
            return handle
        self.start()  # jobs scheduled before the loop ran go first
        self._launch(handle, make_loop())
        return handle

    @staticmethod
    def _launch(handle: JobHandle, loop: Coroutine[Any, Any, None]) -> None:
        handle._task = asyncio.get_running_loop().create_task(loop, name=f"job:{handle.name}")
        handle._task.add_done_callback(_report_crash)

    async def _every(self, handle: JobHandle, job: Job, period: float, slot_number: int) -> None:
        since = slot_number * period
        while not handle.cancelled:
            handle.next_run = slot_number * period
            await self._sleep_until(handle.next_run)
            # Woken late (stalled loop, clock step)? Run the latest slot that is due, not a burst of old ones.
            # (max(): floating-point division may put a time exactly on a slot just below it.)
            due = max(slot_number, math.floor(self._clock() / period))
            handle.skipped_slots += due - slot_number
            await self._run(handle, job, ScheduledRun(handle.name, due * period, period, since))
            # Slots that passed during the run are skipped too: runs never overlap, the grid never shifts.
            following = math.floor(self._clock() / period) + 1
            handle.skipped_slots += max(0, following - due - 1)
            slot_number = max(due + 1, following)

    async def _once(self, handle: JobHandle, job: Job, slot: float) -> None:
        await self._sleep_until(slot)
        handle.next_run = None
        await self._run(handle, job, ScheduledRun(handle.name, slot, None))

    async def _daily(self, handle: JobHandle, job: Job, at: time_of_day, zone: tzinfo, slot: float) -> None:
        while not handle.cancelled:
            handle.next_run = slot
            await self._sleep_until(slot)
            following = next_daily_time(max(slot, self._clock()), at, zone).timestamp()
            await self._run(handle, job, ScheduledRun(handle.name, slot, following - slot))
            slot = next_daily_time(max(slot, self._clock()), at, zone).timestamp()

    async def _sleep_until(self, moment: float) -> None:
        # Re-read the clock after each sleep: the loop's timer and the wall clock may disagree by a little.
        while (remaining := moment - self._clock()) > 0:
            await asyncio.sleep(remaining)

    async def _run(self, handle: JobHandle, job: Job, run: ScheduledRun) -> None:
        handle.running = True
        handle.runs += 1
        try:
            with running(run):
                await job()
        except Exception:
            handle.failures += 1
            logger.exception("job %s failed; its schedule continues", handle.name)
        finally:
            handle.running = False


def _job_name(job: Job) -> str:
    """`ExampleJob.run` for a method or function, the class name for a callable object."""
    return str(getattr(job, "__qualname__", None) or type(job).__qualname__)


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("scheduler task %s stopped unexpectedly", task.get_name(), exc_info=task.exception())
