"""Every slot of a periodic `single_process_coroutine` job is completed exactly once, or reported missed, across
every process and host that shares the etcd cluster.

The design, one key per slot (`<prefix>/.slots/<job>/<slot ms>`) whose value records its state:
- `running:<owner>` — created atomically (create-if-absent) by the one process that runs the slot, with the
  lock TTL, refreshed while the run goes on. If that process dies (or is paused past the TTL) the key expires.
- `done:<owner>` / `failed:<owner>` — written by the runner over its own `running` key (compare-and-swap) when
  the run ends, with a TTL (`marker_ttl`) longer than any process looks back, so no process can run it again.
- `missed:<owner>` — created by the first process that finds the slot absent after its catch-up deadline.

Each time the scheduler calls the job for a slot, the process reads the job's slot keys (one quorum read) and
walks the slots from `lookback` seconds ago (never before its own first slot) up to the current one: a slot
with a key is someone's; an absent slot within its deadline (`catch_up`: by default one period, at least twice
the TTL, so a dead holder's key has expired in time) is created and run here — a slot skipped during an etcd
outage, or whose holder died, is caught up; an absent slot past its deadline is reported missed, once.

A process stalled between choosing a slot and creating its key finds the slot's marker and skips it; if it
created the key after the deadline, it deletes it unrun. A holder that loses its key (paused past the TTL, cut
off from the cluster) learns it: the refresh that finds the key gone cancels the run, and the job can ask
`current_slot().confirm()` (a quorum read) right before its effect. What is exact: one `running` key per slot
at a time, one final marker per slot. What is at-least-once: the job's effect, when a holder dies or loses its
key after the effect and before the marker; guard effects with the fencing token or make them idempotent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from src.utils.concurrency.etcd_member import KeyMissing
from src.utils.concurrency.held_key import HeldKey
from src.utils.concurrency.lock_errors import LockServerUnavailable
from src.utils.concurrency.owned_keys import escape_segment
from src.utils.concurrency.scheduled_run import ScheduledRun, running
from src.utils.concurrency.slot_lease import SlotLease, holding
from src.utils.metrics.hooks import scheduler_slot

if TYPE_CHECKING:
    from src.utils.concurrency.lock_manager import LockManager

R = TypeVar("R")

MAX_SLOTS_LOOKED_AT = 300
MARKER_WRITE_ATTEMPTS = 5

logger = logging.getLogger("tornado_boilerplate.jobs")


@dataclass(frozen=True)
class SlotPolicy:
    """The timings of one job's slots, in seconds."""

    period: float
    ttl: int
    catch_up: float  # a slot may be started until slot + catch_up

    @classmethod
    def of(cls, period: float, ttl: int, catch_up: float | None) -> SlotPolicy:
        return cls(period, ttl, catch_up if catch_up else max(period, 2.0 * ttl))

    @property
    def lookback(self) -> float:
        """How far back a process looks for slots to catch up or report missed."""
        return self.catch_up + max(float(self.ttl), 5 * self.period)

    @property
    def marker_ttl(self) -> int:
        """Done, failed and missed markers outlive every look back (and a stall of up to the deadline)."""
        return int(self.lookback + self.catch_up + self.ttl) + 1


class SlotRunner:
    """Runs the slots of one job (`name`) in this process, through the process's `LockManager`."""

    def __init__(self, manager: LockManager, name: str) -> None:
        self.manager = manager
        self.name = name
        self.directory = f"{manager.key_prefix}/.slots/{escape_segment(name)}"

    def key(self, slot_ms: int) -> str:
        return f"{self.directory}/{slot_ms:015d}"

    async def run(self, run: ScheduledRun, job: Callable[[], Awaitable[R]]) -> R | None:
        """Handle every slot of the window that ends at `run`; the result of `run`'s own slot when it ran here."""
        assert run.period is not None
        policy = SlotPolicy.of(run.period, self.manager.ttl, self.manager.catch_up)
        current = int(run.slot_id)
        try:
            taken = await self.manager.cluster.call(lambda member: member.read_prefix(self.directory))
        except LockServerUnavailable as error:
            logger.warning("job %s: slot %s not started yet, the lock server is unavailable (caught up within "
                           "%.1f s of its time if it answers by then): %s", self.name, current, policy.catch_up, error)
            return None
        result: R | None = None
        for slot_ms in self._window(run, policy):
            if self.key(slot_ms) in taken:
                if slot_ms == current:
                    logger.debug("job %s: slot %s is another process's; skipped here", self.name, slot_ms)
                    scheduler_slot(self.name, "skipped_elsewhere")
                continue
            if time.time() > slot_ms / 1000 + policy.catch_up:
                await self._report_missed(slot_ms, policy)
                continue
            outcome = await self._run_slot(slot_ms, run, policy, job)
            if slot_ms == current:
                result = outcome
        return result

    def _window(self, run: ScheduledRun, policy: SlotPolicy) -> list[int]:
        """The slots to look at, oldest first: from `lookback` ago (never before this process's first slot)."""
        current = int(run.slot_id)
        if run.since is None:
            return [current]
        period_ms = round(policy.period * 1000)
        oldest = max(round(run.since * 1000), current - round(policy.lookback * 1000))
        count = min(MAX_SLOTS_LOOKED_AT, max(0, (current - oldest) // period_ms))
        return [current - step * period_ms for step in range(count, -1, -1)]

    async def _run_slot(self, slot_ms: int, run: ScheduledRun, policy: SlotPolicy,
                        job: Callable[[], Awaitable[R]]) -> R | None:
        label = f"{self.name}@{slot_ms}"
        try:
            held = await self.manager.keys.create(label, self.key(slot_ms), policy.ttl, state="running:")
        except LockServerUnavailable as error:
            logger.warning("job %s: slot %s not started, the lock server is unavailable: %s", self.name, slot_ms, error)
            return None
        if not isinstance(held, HeldKey):
            scheduler_slot(self.name, "skipped_elsewhere")
            return None
        if time.time() > slot_ms / 1000 + policy.catch_up:  # stalled between choosing the slot and creating it
            logger.warning("job %s: slot %s was locked only after its catch-up deadline; not started",
                           self.name, slot_ms)
            await self._quietly_delete(held)
            return None
        self.manager.keys.keep(held)
        lease = SlotLease(self.name, str(slot_ms), held.fencing_token, lambda: self.manager.keys.confirm(held))
        with running(ScheduledRun(run.job, slot_ms / 1000, run.period, run.since)), holding(lease):
            task = asyncio.create_task(_call(job), name=f"slot:{label}")
        lost = asyncio.create_task(held.lost.wait())
        try:
            await asyncio.wait([task, lost], return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:  # shutdown: give the slot back, so another process can take it over
            task.cancel()
            await self._quietly_delete(held)
            raise
        finally:
            lost.cancel()
        if not task.done():
            task.cancel()
            logger.error("job %s: slot %s cancelled: its key was lost while running (another process may take it "
                         "over)", self.name, slot_ms)
            return None
        if isinstance(task.exception(), LockServerUnavailable):  # e.g. `confirm()` before the effect: not done
            logger.warning("job %s: slot %s not completed, the lock server was unavailable during the run; given "
                           "back to be caught up: %s", self.name, slot_ms, task.exception())
            await self._give_back(held)
            return None
        failed = task.exception() is not None
        await self._mark(held, "failed:" if failed else "done:", policy)
        scheduler_slot(self.name, "failed" if failed else "ran")
        return task.result()

    async def _mark(self, held: HeldKey, state: str, policy: SlotPolicy) -> None:
        """Swap the running key for its final marker; retried while the key is still ours and refreshed."""
        marker = state + held.token.removeprefix("running:")
        for attempt in range(MARKER_WRITE_ATTEMPTS):
            # No refresh during a swap: it would find the key changed and report it lost. Between attempts the
            # key is refreshed again, so a swap that found no member answering can wait out an election.
            held.stop_refreshing()
            try:
                await self.manager.cluster.call(lambda member: member.replace(held.key, held.token, marker,
                                                                              policy.marker_ttl, held.grant.lease))
            except KeyMissing:
                logger.error("job %s: %s finished, but its key had been lost meanwhile: the slot may run again "
                             "elsewhere (guard its effect with the fencing token)", self.name, held.name)
                break
            except LockServerUnavailable as error:
                logger.warning("job %s: %s finished; its marker is not written yet (attempt %d): %s", self.name,
                               held.name, attempt + 1, error)
                self.manager.keys.keep(held)
                await asyncio.sleep(min(1.0, held.ttl / 3))
                continue
            break
        held.stop_refreshing()

    async def _report_missed(self, slot_ms: int, policy: SlotPolicy) -> None:
        try:
            created = await self.manager.keys.create(f"{self.name}@{slot_ms}", self.key(slot_ms), policy.marker_ttl,
                                                     state="missed:")
        except LockServerUnavailable:
            return  # another process, or this one at its next run, reports it
        if isinstance(created, HeldKey):
            logger.warning("job %s: slot %s missed: not started within its catch-up deadline of %.1f s",
                           self.name, slot_ms, policy.catch_up)
            scheduler_slot(self.name, "missed")

    async def _give_back(self, held: HeldKey) -> None:
        """Delete the key of a slot that did not complete, so it can be caught up; while no member answers, tried
        again for one TTL. Left to expire, the key could outlast the slot's catch-up deadline: a new etcd v3 leader
        (the election that made the run fail, often) renews every lease it takes over."""
        deadline = time.monotonic() + held.ttl
        while True:
            try:
                await asyncio.shield(self.manager.keys.delete(held))
                return
            except LockServerUnavailable as error:
                pause = min(1.0, held.ttl / 3)
                if time.monotonic() + pause > deadline:
                    logger.warning("job %s: %s not given back, it expires by its TTL: %s", self.name, held.name, error)
                    return
                await asyncio.sleep(pause)

    async def _quietly_delete(self, held: HeldKey) -> None:
        try:
            await asyncio.shield(self.manager.keys.delete(held))
        except (LockServerUnavailable, asyncio.CancelledError):
            held.stop_refreshing()  # it expires by its TTL


async def _call(job: Callable[[], Awaitable[R]]) -> R:
    return await job()

