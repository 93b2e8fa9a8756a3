"""`acquire()`/`release()` must be awaited: testing the un-awaited call raises TypeError, dropping it warns, and
awaiting it (directly, in a task or in gather) gives the lock operation's result."""

from __future__ import annotations

import asyncio
import gc
import warnings

import pytest

from src.utils.concurrency.lock_call import LockCall
from src.utils.concurrency.lock_manager import LockManager


async def test_truth_test_of_an_unawaited_acquire_raises_type_error() -> None:
    manager = LockManager("127.0.0.1", 1, timeout=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no "never awaited" warning on top of the TypeError
        with pytest.raises(TypeError, match="await it"):
            if manager.acquire("report"):
                pytest.fail("an un-awaited acquire passed as true")
        with pytest.raises(TypeError, match=r"release\('report'\).*await it"):
            bool(manager.release("report"))
        gc.collect()


def test_an_acquire_never_awaited_warns() -> None:
    manager = LockManager("127.0.0.1", 1, timeout=0.2)
    with pytest.warns(RuntimeWarning, match=r"acquire\('report'\) was never awaited"):
        manager.acquire("report")
        gc.collect()


async def test_lock_call_awaits_like_its_coroutine_in_tasks_and_gather() -> None:
    async def answer(value: int) -> int:
        await asyncio.sleep(0)
        return value

    direct = await LockCall(answer(1), "acquire('a')")
    task = await asyncio.create_task(LockCall(answer(2), "acquire('b')"))
    gathered = await asyncio.gather(LockCall(answer(3), "release('c')"))
    assert [direct, task, *gathered] == [1, 2, 3]


async def test_release_of_a_lock_not_held_awaits_to_false_without_asking_etcd() -> None:
    manager = LockManager("127.0.0.1", 1, timeout=0.2)
    assert await manager.release("never-held") is False
