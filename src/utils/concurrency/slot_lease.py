"""`current_slot()`: inside a run of a periodic `single_process_coroutine` job, the slot this process holds —
its fencing token, and `confirm()`, a quorum read that says whether the slot's key is still this process's.

Pass `fencing_token` with the job's writes to a store that keeps the largest token it has seen and refuses
smaller ones: a holder that was paused past its TTL and woke after another process took the slot over then
cannot overwrite the newer run's work. Where the effect cannot carry a token, `await confirm()` right before it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SlotLease:
    """The slot of a periodic job this process holds, with its fencing token."""

    job: str
    slot_id: str  # the slot, milliseconds since the epoch (as in `ScheduledRun.slot_id`)
    fencing_token: int  # the etcd revision at which this process took the slot: larger for any later taker
    _confirm: Callable[[], Awaitable[bool]] = field(repr=False)

    async def confirm(self) -> bool:
        """Whether etcd still holds this process's key for the slot (a quorum read); `LockServerUnavailable`
        when no member answers, or when the answer came a whole TTL after the key's last refresh (this process
        was paused meanwhile, so the key may have expired since): the run is then given back, not completed."""
        return await self._confirm()


_current: ContextVar[SlotLease | None] = ContextVar("slot_lease", default=None)


def current_slot() -> SlotLease | None:
    """The slot held by the running job, or None outside a per-slot run."""
    return _current.get()


@contextmanager
def holding(lease: SlotLease) -> Iterator[None]:
    token = _current.set(lease)
    try:
        yield
    finally:
        _current.reset(token)
