"""`LockManager` against a real etcd: acquire/release, non-blocking, silent, blocking with a timeout, the async
context manager, TTL expiry after a holder is killed, refresh, and what a failed acquire leaves behind."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import etcd as python_etcd
import pytest

from src.utils.concurrency.etcd_v2 import create_client
from src.utils.concurrency.lock_errors import ExistingLockError, LockTimeoutError
from src.utils.concurrency.lock_manager import LockManager
from tests.support.etcd_process import EtcdProcess
from tests.support.server_process import PROJECT_ROOT


@asynccontextmanager
async def lock_managers(etcd: EtcdProcess, count: int, ttl: int = 5) -> AsyncIterator[list[LockManager]]:
    """`count` managers (as separate processes would have), closed after the block."""
    managers = [LockManager(etcd.host, etcd.port, ttl=ttl, timeout=2.0) for _ in range(count)]
    try:
        yield managers
    finally:
        for manager in managers:
            await manager.close()


def key_exists(etcd: EtcdProcess, key: str) -> bool:
    client = create_client(etcd.host, etcd.port, timeout=2.0)
    try:
        client.read(key)
    except python_etcd.EtcdKeyNotFound:
        return False
    return True


async def test_acquire_then_release_frees_the_lock(etcd: EtcdProcess, lock_id: str) -> None:
    async with lock_managers(etcd, 2) as (first, second):
        assert await first.acquire(lock_id) is True
        assert first.holds(lock_id) and first.held_locks() == [lock_id]
        assert key_exists(etcd, first.key(lock_id))
        assert await first.release(lock_id) is True
        assert not first.holds(lock_id)
        assert not key_exists(etcd, first.key(lock_id))
        assert await second.acquire(lock_id, blocking=False) is True
        assert await second.release(lock_id) is True
        assert await second.release(lock_id) is False  # no longer held: nothing to do


async def test_non_blocking_acquire_of_a_held_lock_raises_or_returns_false_when_silent(etcd: EtcdProcess,
                                                                                       lock_id: str) -> None:
    async with lock_managers(etcd, 2) as (holder, other):
        await holder.acquire(lock_id)
        with pytest.raises(ExistingLockError) as raised:
            await other.acquire(lock_id, blocking=False)
        assert raised.value.lock_id == lock_id
        assert not isinstance(raised.value, LockTimeoutError)
        assert await other.acquire(lock_id, blocking=False, silent=True) is False
        # The same process is no exception: a lock is not re-entrant.
        assert await holder.acquire(lock_id, blocking=False, silent=True) is False
        assert holder.holds(lock_id)


async def test_failed_non_blocking_acquire_leaves_nothing_behind(etcd: EtcdProcess, lock_id: str) -> None:
    async with lock_managers(etcd, 3) as (holder, other, third):
        await holder.acquire(lock_id)
        key = holder.key(lock_id)
        token = create_client(etcd.host, etcd.port, 2.0).read(key).value
        assert await other.acquire(lock_id, blocking=False, silent=True) is False
        assert create_client(etcd.host, etcd.port, 2.0).read(key).value == token  # the holder's key, untouched
        await holder.release(lock_id)
        assert not key_exists(etcd, key)  # nothing of the failed attempt remains
        started = time.monotonic()
        assert await third.acquire(lock_id, blocking=False) is True  # at once, not after some TTL
        assert time.monotonic() - started < 1.0


async def test_blocking_acquire_waits_for_the_release(etcd: EtcdProcess, lock_id: str) -> None:
    async with lock_managers(etcd, 2) as (holder, waiter):
        await holder.acquire(lock_id)
        waiting = asyncio.create_task(waiter.acquire(lock_id, timeout=10))
        await asyncio.sleep(0.5)
        assert not waiting.done()
        released_at = time.monotonic()
        await holder.release(lock_id)
        assert await waiting is True
        # Woken by the watch on the key, not by polling or a TTL.
        assert time.monotonic() - released_at < 1.0
        assert waiter.holds(lock_id)


async def test_blocking_acquire_with_a_timeout_gives_up_on_time(etcd: EtcdProcess, lock_id: str) -> None:
    async with lock_managers(etcd, 2) as (holder, waiter):
        await holder.acquire(lock_id, ttl=30)
        started = time.monotonic()
        with pytest.raises(LockTimeoutError) as raised:
            await waiter.acquire(lock_id, timeout=0.8)
        waited = time.monotonic() - started
        assert 0.7 < waited < 3.0
        assert isinstance(raised.value, ExistingLockError) and raised.value.timeout == 0.8
        assert await waiter.acquire(lock_id, timeout=0.3, silent=True) is False
        assert not waiter.holds(lock_id) and holder.holds(lock_id)


async def test_context_manager_holds_the_lock_for_the_block(etcd: EtcdProcess, lock_id: str) -> None:
    async with lock_managers(etcd, 2) as (first, second):
        async with first.lock(lock_id):
            assert first.holds(lock_id)
            with pytest.raises(ExistingLockError):
                async with second.lock(lock_id, blocking=False):
                    pytest.fail("entered a lock someone else holds")
        assert not first.holds(lock_id)
        with pytest.raises(RuntimeError):
            async with second.lock(lock_id, blocking=False):
                raise RuntimeError("the block fails")
        assert not second.holds(lock_id)  # released on the way out of a failing block too
        assert await first.acquire(lock_id, blocking=False) is True


async def test_lock_ids_are_escaped_into_one_key(etcd: EtcdProcess) -> None:
    async with lock_managers(etcd, 1) as (manager,):
        assert manager.key("a/../b c") == f"{manager.key_prefix}/a~2F~2E~2E~2Fb~20c"
        assert manager.key("job@1700000000000") == f"{manager.key_prefix}/job@1700000000000"
        for lock_id in ("a/../b c", "..", "ü~%2F", "a/b"):
            assert await manager.acquire(lock_id, blocking=False) is True
            assert key_exists(etcd, manager.key(lock_id))
        assert await manager.acquire("a/b", blocking=False, silent=True) is False
        for lock_id in ("a/../b c", "..", "ü~%2F", "a/b"):
            assert await manager.release(lock_id) is True
        with pytest.raises(ValueError, match="empty"):
            await manager.acquire("")


async def test_refresh_keeps_a_long_holder_s_lock(etcd: EtcdProcess, lock_id: str) -> None:
    async with lock_managers(etcd, 2, ttl=1) as (holder, other):
        await holder.acquire(lock_id, ttl=1)
        for _ in range(6):  # 3 s: three times the TTL
            await asyncio.sleep(0.5)
            assert await other.acquire(lock_id, blocking=False, silent=True) is False
        assert holder.holds(lock_id)
        assert await holder.release(lock_id) is True


async def test_lock_of_a_killed_holder_expires_within_its_ttl(etcd: EtcdProcess, lock_id: str) -> None:
    ttl = 2
    holder = subprocess.Popen(
        [sys.executable, "-m", "tests.support.lock_worker", "hold", etcd.host, str(etcd.port), lock_id, str(ttl)],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == b"held"

        async with lock_managers(etcd, 1) as (waiter,):
            assert await waiter.acquire(lock_id, blocking=False, silent=True) is False
            holder.kill()  # SIGKILL: no release, no more refreshes
            holder.wait(5)
            killed_at = time.monotonic()
            assert await waiter.acquire(lock_id, timeout=ttl + 3) is True
            waited = time.monotonic() - killed_at
        assert waited < ttl + 1
    finally:
        holder.kill()
        holder.wait(5)


def test_four_processes_incrementing_under_the_lock_lose_nothing(etcd: EtcdProcess, lock_id: str) -> None:
    counter_key = f"/tornado-boilerplate-tests/{lock_id}"
    create_client(etcd.host, etcd.port, 2.0).write(counter_key, 0)
    workers = [subprocess.Popen([sys.executable, "-m", "tests.support.lock_worker", "count", etcd.host,
                                 str(etcd.port), lock_id, counter_key, "200"],
                                cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
               for _ in range(4)]
    try:
        outputs = [worker.communicate(timeout=90)[0] for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
            worker.wait(5)
    assert [worker.returncode for worker in workers] == [0, 0, 0, 0], outputs
    assert int(create_client(etcd.host, etcd.port, 2.0).read(counter_key).value) == 800


async def test_close_releases_every_lock_the_process_still_holds(etcd: EtcdProcess, lock_id: str) -> None:
    async with lock_managers(etcd, 2) as (manager, other):
        await manager.acquire(f"{lock_id}-1")
        await manager.acquire(f"{lock_id}-2", ttl=60)
        await manager.close()
        assert manager.held_locks() == []
        assert not key_exists(etcd, manager.key(f"{lock_id}-1"))
        assert not key_exists(etcd, manager.key(f"{lock_id}-2"))
        assert await other.acquire(f"{lock_id}-2", blocking=False) is True
