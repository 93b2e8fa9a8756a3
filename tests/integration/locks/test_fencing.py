"""Fencing tokens on a real etcd, both APIs: every later holder of a lock gets a larger token, and a store write
guarded by it (`write_fenced`, on the embedded store) refuses the stale holder — one paused past its TTL, whose
lock another process took meanwhile — however late its write arrives."""

from __future__ import annotations

from pathlib import Path

from src.database.embedded.client import EmbeddedClient
from src.database.fenced_write import write_fenced
from src.utils.concurrency.lock_manager import LockManager
from tests.support.etcd_process import EtcdProcess


async def test_a_stale_holders_write_is_rejected(etcd: EtcdProcess, lock_api: str, lock_id: str,
                                                 tmp_path: Path) -> None:
    client = EmbeddedClient(tmp_path)
    reports = client["app"]["reports"]
    paused = LockManager(etcd.host, etcd.port, ttl=1, timeout=2.0, api=lock_api)
    later = LockManager(etcd.host, etcd.port, ttl=1, timeout=2.0, api=lock_api)
    assert await paused.acquire(lock_id, blocking=False)
    stale_token = paused.fencing_token(lock_id)
    assert stale_token is not None
    assert await write_fenced(reports, "daily", {"by": "paused", "step": 1}, stale_token)
    paused.let_expire(lock_id)  # as if the process stopped: nothing refreshes the lock any more
    assert await later.acquire(lock_id, timeout=10)  # granted once the paused holder's key expired
    fresh_token = later.fencing_token(lock_id)
    assert fresh_token is not None and fresh_token > stale_token
    assert await write_fenced(reports, "daily", {"by": "later", "step": 2}, fresh_token)
    # The paused holder wakes up, still believing it holds the lock, and writes: refused.
    assert await write_fenced(reports, "daily", {"by": "paused", "step": 3}, stale_token) is False
    assert await write_fenced(reports, "other", {"by": "paused"}, stale_token)  # another document: fine
    document = await reports.find_one({"_id": "daily"})
    assert document is not None
    assert (document["by"], document["step"], document["fence"]) == ("later", 2, fresh_token)
    await later.release(lock_id)
    await paused.close()
    await later.close()
    await client.aclose()
