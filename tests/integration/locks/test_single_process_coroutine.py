"""`single_process_coroutine` slot semantics on a real etcd, for both APIs: each slot completed once across
processes (a late process skips it); a slot whose holder died is taken over within its deadline; a slot past its
deadline is reported missed once and never run; a stall between choosing a slot and locking it does not run it
late; a holder that loses its key is cancelled; a slot given back while etcd is down is freed once it answers;
failures are final; outside the scheduler, never concurrently."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from src.utils.concurrency import held_key
from src.utils.concurrency.held_key import HeldKey
from src.utils.concurrency.lock_manager import LockManager
from src.utils.concurrency.scheduled_run import ScheduledRun, current_run, running
from src.utils.concurrency.single_process_coroutine import single_process_coroutine
from src.utils.concurrency.slot_lease import current_slot
from src.utils.concurrency.slot_runner import SlotRunner
from tests.support.etcd_process import EtcdProcess

PERIOD = 0.2


def slot_now(offset: int = 0) -> float:
    return (math.floor(time.time() / PERIOD) + offset) * PERIOD


def managers(etcd: EtcdProcess, api: str, count: int = 2, catch_up: float | None = None) -> list[LockManager]:
    return [LockManager(etcd.host, etcd.port, ttl=1, timeout=2.0, api=api, catch_up=catch_up) for _ in range(count)]


async def in_process(manager: LockManager, job: Callable[[], Awaitable[Any]], slot: float,
                     since: float | None = None) -> Any:
    """Call `job` as the scheduler of the process owning `manager` would for `slot`."""
    LockManager._instance = manager
    try:
        with running(ScheduledRun("job", slot, PERIOD, slot if since is None else since)):
            return await job()
    finally:
        LockManager._instance = None


def slot_recorder(name: str, ran: list[str]) -> Callable[[], Awaitable[None]]:
    """A single-process job that appends the slot of each of its runs to `ran`."""
    @single_process_coroutine(name)
    async def job() -> None:
        run = current_run()
        ran.append(run.slot_id if run else "?")

    return job


async def test_each_slot_runs_once_even_for_a_process_that_comes_late(etcd: EtcdProcess, lock_api: str,
                                                                      lock_id: str) -> None:
    ran: list[tuple[str | None, int | None]] = []

    @single_process_coroutine(lock_id)
    async def job() -> str:
        run, lease = current_run(), current_slot()
        ran.append((run.slot_id if run else None, lease.fencing_token if lease else None))
        return "ran"

    first, second = managers(etcd, lock_api)
    slot = slot_now()
    assert await in_process(first, job, slot) == "ran"
    assert await in_process(second, job, slot) is None  # after the first run ended: still skipped
    assert await in_process(first, job, slot) is None
    assert await in_process(second, job, slot + PERIOD, since=slot) == "ran"  # the next slot is a new run
    await first.close()
    await second.close()
    assert len(ran) == 2 and ran[0][0] != ran[1][0]
    assert ran[0][1] is not None and ran[1][1] is not None and ran[1][1] > ran[0][1]  # fencing tokens grow


async def test_a_slot_whose_holder_died_is_taken_over_within_its_deadline(etcd: EtcdProcess, lock_api: str,
                                                                          lock_id: str) -> None:
    ran: list[str] = []
    job = slot_recorder(lock_id, ran)

    dead, alive = managers(etcd, lock_api, catch_up=6.0)
    slot = slot_now()
    # A holder that created the slot's key and died: nobody refreshes it, it expires after its 1 s TTL.
    key = SlotRunner(dead, lock_id).key(round(slot * 1000))
    held = await dead.keys.create("dead", key, 1, state="running:")
    assert isinstance(held, HeldKey)
    assert await in_process(alive, job, slot) is None  # still held: skipped
    while await alive.cluster.call(lambda member: member.read(key)) is not None:
        await asyncio.sleep(0.1)
    await in_process(alive, job, slot_now(), since=slot)  # a later slot's run catches the dead one up
    assert str(round(slot * 1000)) in ran
    await dead.close()
    await alive.close()
    assert len(ran) == len(set(ran))


async def test_a_slot_past_its_deadline_is_reported_missed_once_and_never_run(etcd: EtcdProcess, lock_api: str,
                                                                              lock_id: str,
                                                                              caplog: pytest.LogCaptureFixture) -> None:
    ran: list[str] = []
    job = slot_recorder(lock_id, ran)

    with caplog.at_level(logging.WARNING, logger="tornado_boilerplate.jobs"):
        first, second = managers(etcd, lock_api, catch_up=0.5)
        old = slot_now(-5)  # 1 s ago, past the 0.5 s deadline; nobody ran it
        current = slot_now()
        await in_process(first, job, current, since=old)
        await in_process(second, job, current, since=old)
        await first.close()
        await second.close()
    missed = [record.getMessage() for record in caplog.records if "missed" in record.getMessage()]
    assert len(missed) >= 3  # the old slots up to the deadline, each once (two processes looked)
    assert len(missed) == len(set(missed))
    assert len(ran) <= 3 and len(ran) == len(set(ran))  # only slots within the deadline ran, once each


async def test_a_stall_between_choosing_a_slot_and_locking_it_does_not_run_it_late(etcd: EtcdProcess, lock_api: str,
                                                                                   lock_id: str) -> None:
    ran: list[str] = []

    @single_process_coroutine(lock_id)
    async def job() -> None:
        ran.append("ran")

    (manager,) = managers(etcd, lock_api, count=1, catch_up=0.5)
    create = manager.keys.create

    async def stalled_create(*args: Any, **kwargs: Any) -> Any:
        time.sleep(1.0)  # the whole process stops (a GC pause, SIGSTOP) right before the create
        return await create(*args, **kwargs)

    manager.keys.create = stalled_create  # type: ignore[method-assign]
    slot = slot_now()
    assert await in_process(manager, job, slot) is None
    manager.keys.create = create  # type: ignore[method-assign]
    runner = SlotRunner(manager, lock_id)
    # The key it created too late was deleted, so the slot is not left "running" by nobody.
    state = await manager.cluster.call(lambda member: member.read(runner.key(round(slot * 1000))))
    assert state is None or state.value.startswith("missed:")
    await manager.close()
    assert ran == []


async def test_a_holder_that_loses_its_key_is_cancelled_and_confirm_says_so(etcd: EtcdProcess, lock_api: str,
                                                                            lock_id: str,
                                                                            caplog: pytest.LogCaptureFixture) -> None:
    progress: list[str] = []

    @single_process_coroutine(lock_id)
    async def job() -> None:
        lease = current_slot()
        assert lease is not None and await lease.confirm()
        progress.append("started")
        await asyncio.sleep(5)
        progress.append("effect")  # never reached: the run is cancelled when its key is found lost

    with caplog.at_level(logging.ERROR):
        holder, other = managers(etcd, lock_api)
        slot = slot_now()
        running_job = asyncio.create_task(in_process(holder, job, slot))
        while not progress:
            await asyncio.sleep(0.01)
        key = SlotRunner(holder, lock_id).key(round(slot * 1000))
        state = await other.cluster.call(lambda member: member.read(key))
        assert state is not None and state.value.startswith("running:")
        await other.cluster.call(lambda member: member.delete(key, state.value, state.lease))  # taken away
        assert await asyncio.wait_for(running_job, 10) is None
        await holder.close()
        await other.close()
    assert progress == ["started"]
    assert any("lost" in record.getMessage() for record in caplog.records)


async def test_a_slot_given_back_while_etcd_is_down_is_freed_once_it_answers(own_etcd: EtcdProcess, lock_api: str,
                                                                             lock_id: str) -> None:
    """A run whose confirm() reaches no member gives its slot back: the key goes as soon as etcd answers again, so
    the slot can be caught up, not only once its TTL (here longer than the whole test) has run out."""
    manager = LockManager(own_etcd.host, own_etcd.port, ttl=30, timeout=2.0, api=lock_api)
    restarts: list[asyncio.Task[None]] = []

    async def restart_soon() -> None:
        await asyncio.sleep(0.5)
        await asyncio.to_thread(own_etcd.start)

    @single_process_coroutine(lock_id)
    async def job() -> None:
        lease = current_slot()
        assert lease is not None
        own_etcd.stop()
        try:
            await lease.confirm()  # LockServerUnavailable: no member answers
        finally:
            restarts.append(asyncio.create_task(restart_soon()))  # after the first give-back attempt fails

    slot = slot_now()
    assert await in_process(manager, job, slot) is None
    await restarts[0]
    key = SlotRunner(manager, lock_id).key(round(slot * 1000))
    assert await manager.cluster.call(lambda member: member.read(key)) is None
    await manager.close()


async def test_a_failed_run_is_final_and_its_error_reaches_the_scheduler(etcd: EtcdProcess, lock_api: str,
                                                                  lock_id: str) -> None:
    attempts: list[str] = []

    @single_process_coroutine(lock_id)
    async def job() -> None:
        attempts.append("run")
        raise RuntimeError("the job failed")

    first, second = managers(etcd, lock_api)
    slot = slot_now()
    with pytest.raises(RuntimeError, match="the job failed"):
        await in_process(first, job, slot)
    assert await in_process(second, job, slot) is None  # not run again elsewhere
    await first.close()
    await second.close()
    assert attempts == ["run"]


async def test_unscheduled_calls_never_overlap_and_release_afterwards(etcd: EtcdProcess, lock_id: str) -> None:
    ran: list[str] = []

    @single_process_coroutine(lock_id)
    async def job(name: str) -> str:
        ran.append(name)
        await asyncio.sleep(0.3)
        return name

    async def scenario() -> list[str | None]:
        LockManager._instance = LockManager(etcd.host, etcd.port, ttl=2)
        try:
            results = list(await asyncio.gather(job("a"), job("b")))
            results.append(await job("c"))  # the lock was released after "a": a later call runs
            return results
        finally:
            await LockManager.get().close()

    first, second, later = await scenario()
    assert {first, second} in ({"a", None}, {"b", None})  # one of the concurrent calls ran, the other skipped
    assert later == "c"
    assert ran == [first or second, "c"]


async def test_a_confirm_answered_a_ttl_after_the_last_refresh_gives_the_slot_back(
        etcd: EtcdProcess, lock_api: str, lock_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A process paused while its quorum read was in flight gets etcd's "yours" only afterwards; by then the key may
    have expired and been taken over, so confirm() must not vouch for it: the run is given back, its effect not
    done. The pause is simulated by moving the key's clock a TTL ahead while the read is out."""
    manager = LockManager(etcd.host, etcd.port, ttl=30, timeout=2.0, api=lock_api)
    effects: list[str] = []
    real_monotonic = time.monotonic

    class PausedClock:
        @staticmethod
        def monotonic() -> float:
            return real_monotonic() + 31

    @single_process_coroutine(lock_id)
    async def job() -> None:
        lease = current_slot()
        assert lease is not None and await lease.confirm()  # not paused: vouched for
        monkeypatch.setattr(held_key, "time", PausedClock)
        try:
            await lease.confirm()
        finally:
            monkeypatch.setattr(held_key, "time", time)
        effects.append("effect")  # never reached

    slot = slot_now()
    assert await in_process(manager, job, slot) is None
    assert effects == []
    key = SlotRunner(manager, lock_id).key(round(slot * 1000))
    assert await manager.cluster.call(lambda member: member.read(key)) is None  # given back, not left to its TTL
    await manager.close()
