"""A 3-member etcd cluster (127.0.0.2-4): calls fail over to another member when one is stopped or hung, a member
that failed is skipped for a while, health is `degraded` while a quorum answers, and without a quorum every call
fails cleanly within the timeout. Each test runs against both etcd APIs."""

from __future__ import annotations

import time

import pytest

from src.utils.concurrency.lock_errors import LockServerUnavailable
from src.utils.concurrency.lock_manager import LockManager
from tests.support.etcd_cluster import EtcdCluster


def manager_for(cluster: EtcdCluster, api: str, timeout: float = 3.0) -> LockManager:
    return LockManager(cluster.endpoints, 2379, ttl=3, timeout=timeout, api=api)


async def test_a_stopped_member_is_failed_over_and_health_is_degraded(etcd_cluster: EtcdCluster, lock_api: str,
                                                                      lock_id: str) -> None:
    manager = manager_for(etcd_cluster, lock_api)
    other = manager_for(etcd_cluster, lock_api)
    assert (await manager.check())["status"] == "ok"
    etcd_cluster.members[0].stop()  # the member every call goes to first
    assert await manager.acquire(lock_id, blocking=False) is True
    assert await other.acquire(lock_id, blocking=False, silent=True) is False  # still one lock for all
    token = manager.fencing_token(lock_id)
    assert token is not None and token > 0
    health = await manager.check()
    assert health["status"] == "degraded"
    members = health["members"]
    assert isinstance(members, dict)
    assert members[etcd_cluster.members[1].address] == "ok"
    assert members[etcd_cluster.members[0].address] != "ok"
    assert await manager.confirm(lock_id) is True
    assert await manager.release(lock_id) is True
    assert await other.acquire(lock_id, blocking=False) is True
    assert (other.fencing_token(lock_id) or 0) > token  # a later holder, a larger token
    await manager.close()
    await other.close()


async def test_a_hung_member_is_skipped_after_one_failure(etcd_cluster: EtcdCluster, lock_api: str,
                                                          lock_id: str) -> None:
    manager = manager_for(etcd_cluster, lock_api, timeout=6.0)  # each member gets 2 s
    await manager.check()
    # What a release costs on this machine right now with every member answering: a loaded machine stretches it.
    assert await manager.acquire(f"{lock_id}-warm-up", blocking=False) is True
    started = time.monotonic()
    assert await manager.release(f"{lock_id}-warm-up") is True
    answering = time.monotonic() - started
    etcd_cluster.members[0].pause()
    try:
        started = time.monotonic()
        assert await manager.acquire(lock_id, blocking=False) is True  # waits for the hung member once
        first = time.monotonic() - started
        started = time.monotonic()
        assert await manager.release(lock_id) is True  # goes straight to a member that answers
        second = time.monotonic() - started
    finally:
        etcd_cluster.members[0].resume()
    await manager.close()
    print(f"hung member: first call {first:.2f} s, next call {second * 1000:.1f} ms "
          f"(with every member answering: {answering * 1000:.1f} ms)")
    assert first < 6.0
    # Asking the hung member again would cost its 2 s share on top of the call itself: it was not asked.
    assert second < 2.0 + answering


async def test_without_a_quorum_calls_fail_cleanly_within_the_timeout(etcd_cluster: EtcdCluster, lock_api: str,
                                                                      lock_id: str) -> None:
    manager = manager_for(etcd_cluster, lock_api, timeout=2.0)
    await manager.check()
    etcd_cluster.members[1].stop()
    etcd_cluster.members[2].stop()  # one member left: it answers nothing that needs a quorum
    for call in (lambda: manager.acquire(lock_id, blocking=False), manager.check,
                 lambda: manager.acquire(lock_id, blocking=True, timeout=10)):
        started = time.monotonic()
        with pytest.raises(LockServerUnavailable, match="lock server unavailable"):
            await call()
        assert time.monotonic() - started < 2.0 + 1.5  # the timeout, and a margin for a loaded machine
    await manager.close()
