"""Which scheduled run the current coroutine belongs to.

The `Scheduler` sets it around each run of a job; `single_process_coroutine` reads it to name the run's lock.
Every process computes the same slot for the same run (periodic runs sit on a grid of the period counted from
the Unix epoch, daily runs at the configured local time), which is what lets processes agree on "this run".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple


class ScheduledRun(NamedTuple):
    """One run of a scheduled job: the job's name, its slot and, for a periodic job, its period."""

    job: str
    slot: float  # the run's scheduled time, Unix epoch seconds (not when its timer happened to fire)
    period: float | None  # seconds until the next slot; None for a one-shot run
    since: float | None = None  # a periodic job's first slot in this process: where catching up may start

    @property
    def slot_id(self) -> str:
        """The slot as whole milliseconds since the epoch: the same string in every process."""
        return str(round(self.slot * 1000))


_current: ContextVar[ScheduledRun | None] = ContextVar("scheduled_run", default=None)


def current_run() -> ScheduledRun | None:
    """The scheduled run being executed, or None when the coroutine was not started by the Scheduler."""
    return _current.get()


@contextmanager
def running(run: ScheduledRun) -> Iterator[None]:
    token = _current.set(run)
    try:
        yield
    finally:
        _current.reset(token)
