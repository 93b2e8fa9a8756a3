"""A separate process that uses the `LockManager`, for the lock tests (run with `python -m`):

- `hold HOST PORT LOCK_ID TTL`: acquire the lock, print `held`, then sleep until killed (the kill -9 test).
- `count HOST PORT LOCK_ID COUNTER_KEY N`: N times, under the lock, read the counter key and write it back plus
  one, as two separate etcd calls, so increments are lost unless the lock really excludes the other processes.
"""

from __future__ import annotations

import asyncio
import sys

from src.utils.concurrency.etcd_v2 import create_client
from src.utils.concurrency.lock_manager import LockManager


async def hold(manager: LockManager, lock_id: str, ttl: int) -> None:
    await manager.acquire(lock_id, ttl=ttl)
    print("held", flush=True)
    await asyncio.sleep(3600)


async def count(manager: LockManager, lock_id: str, counter_key: str, times: int) -> None:
    counter = create_client(manager.host, manager.port, timeout=5.0)
    for _ in range(times):
        async with manager.lock(lock_id, timeout=30):
            current = int((await asyncio.to_thread(counter.read, counter_key)).value)
            await asyncio.to_thread(counter.write, counter_key, current + 1)
    await manager.close()
    print("done", flush=True)


def main(argv: list[str]) -> None:
    mode, host, port, lock_id, *rest = argv
    manager = LockManager(host, int(port), ttl=5, timeout=5.0)
    if mode == "hold":
        asyncio.run(hold(manager, lock_id, int(rest[0])))
    elif mode == "count":
        asyncio.run(count(manager, lock_id, rest[0], int(rest[1])))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
