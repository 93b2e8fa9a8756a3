"""`single_process_coroutine` on a real etcd: one run per slot across processes, including in a process whose
timer fires after another process's run has finished; outside the scheduler, never concurrently."""

from __future__ import annotations

import asyncio

import pytest

from src.utils.concurrency.lock_manager import LockManager
from src.utils.concurrency.scheduled_run import ScheduledRun, running
from src.utils.concurrency.single_process_coroutine import single_process_coroutine
from tests.support.etcd_process import EtcdProcess


def test_each_slot_runs_once_even_for_a_process_that_comes_late(etcd: EtcdProcess, lock_id: str) -> None:
    ran: list[str] = []

    @single_process_coroutine(lock_id)
    async def job(process: str) -> str:
        ran.append(process)
        return process

    async def in_process(manager: LockManager, process: str, slot: float) -> str | None:
        # Each "process" has its own manager; the decorator finds it with LockManager.get().
        LockManager._instance = manager
        try:
            with running(ScheduledRun("job", slot, 0.2)):
                return await job(process)
        finally:
            LockManager._instance = None

    async def scenario() -> None:
        first = LockManager(etcd.host, etcd.port, ttl=2)
        second = LockManager(etcd.host, etcd.port, ttl=2)
        slot = 1_700_000_000.0
        assert await in_process(first, "first", slot) == "first"
        assert await in_process(second, "second", slot) is None  # after the first run ended: still skipped
        assert await in_process(first, "first", slot) is None
        assert await in_process(second, "second", slot + 0.2) == "second"  # the next slot is a new run
        # The slot's key is left to expire (nobody holds it locally), not deleted.
        assert first.held_locks() == [] and second.held_locks() == []
        assert await first.acquire(f"{lock_id}@1700000000000", blocking=False, silent=True) is False
        await first.close()
        await second.close()

    asyncio.run(scenario())
    assert ran == ["first", "second"]


def test_unscheduled_calls_never_overlap_and_release_afterwards(etcd: EtcdProcess, lock_id: str) -> None:
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

    first, second, later = asyncio.run(scenario())
    assert {first, second} in ({"a", None}, {"b", None})  # one of the concurrent calls ran, the other skipped
    assert later == "c"
    assert ran == [first or second, "c"]


@pytest.mark.parametrize("raises", [False, True])
def test_a_slot_lock_is_kept_after_the_run_whatever_its_outcome(etcd: EtcdProcess, lock_id: str,
                                                                raises: bool) -> None:
    @single_process_coroutine(lock_id)
    async def job() -> None:
        if raises:
            raise RuntimeError("the job failed")

    async def scenario() -> None:
        manager = LockManager(etcd.host, etcd.port, ttl=2)
        LockManager._instance = manager
        try:
            with running(ScheduledRun("job", 1_700_000_000.4, 0.2)):
                if raises:
                    with pytest.raises(RuntimeError):
                        await job()
                else:
                    await job()
            assert await manager.acquire(f"{lock_id}@1700000000400", blocking=False, silent=True) is False
        finally:
            await manager.close()

    asyncio.run(scenario())
