"""What the database, lock, scheduler and outbound-HTTP code call to be counted: one cheap call each, a no-op
until start-up installs the worker's recorder (and with `--no-metrics`).

Instrumented code sits in several layers and must not take a metrics object through every constructor, the
way it does not take a logger; so, like logging, the recorder is process-wide. It is installed once per worker
after the fork and only ever read afterwards. This module imports nothing of prometheus-client.
"""

from __future__ import annotations

from typing import Protocol


class Recorder(Protocol):
    def database(self, operation: str, outcome: str, seconds: float) -> None: ...
    def lock(self, outcome: str, seconds: float) -> None: ...
    def slot(self, job: str, outcome: str) -> None: ...
    def outbound(self, upstream: str, outcome: str, seconds: float, retry: bool) -> None: ...


_recorder: Recorder | None = None


def install(recorder: Recorder | None) -> None:
    """Make `recorder` this process's (None switches recording off again, for tests)."""
    global _recorder  # noqa: PLW0603 - set once per process at start-up, like the logging configuration
    _recorder = recorder


def database_operation(operation: str, outcome: str, seconds: float) -> None:
    """One database call: `operation` is the collection method (find_one, insert_one...), `outcome` ok,
    duplicate, unavailable or error."""
    if _recorder is not None:
        _recorder.database(operation, outcome, seconds)


def lock_acquisition(outcome: str, seconds: float) -> None:
    """One lock acquisition: won, taken, timed_out or unavailable."""
    if _recorder is not None:
        _recorder.lock(outcome, seconds)


def scheduler_slot(job: str, outcome: str) -> None:
    """One scheduled slot of a job: ran, skipped_elsewhere, missed or failed."""
    if _recorder is not None:
        _recorder.slot(job, outcome)


def outbound_call(upstream: str, outcome: str, seconds: float, retry: bool) -> None:
    """One outbound HTTP call to `upstream` (host:port); `retry` when it was not the first attempt."""
    if _recorder is not None:
        _recorder.outbound(upstream, outcome, seconds, retry)
