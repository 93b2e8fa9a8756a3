"""Latency of `LockManager` calls against a real etcd, as a handler or job sees them (event loop -> executor ->
HTTP -> etcd -> back), and the longest event-loop stall meanwhile.

    make bench-locks                               # or: .venv/bin/python -m tests.benchmarks.lock_latency
    make bench-locks ARGS="--count 5000 --host 127.0.0.1 --port 2379"   # against an etcd you run (make etcd)

Without --port it starts its own etcd (v2 enabled, data on disk so each write pays the fsync it pays in
production, free loopback ports) and stops it after. Measured, one call at a time: a non-blocking `acquire`
(create with prevExist=false + TTL) and the `release` (compare-and-delete) that follows; a failed non-blocking
`acquire` of a held lock; and the hand-over to a blocked waiter (release -> the waiter's watch fires -> its
create succeeds). Prints p50/p90/p99/max in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from src.utils.concurrency.lock_manager import LockManager
from tests.support.etcd_process import EtcdProcess


def _summary(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)

    def at(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000

    return (f"{name:<24}n={len(ordered):<5} p50={at(0.50):6.2f} ms  p90={at(0.90):6.2f} ms  "
            f"p99={at(0.99):6.2f} ms  max={ordered[-1] * 1000:6.2f} ms mean={statistics.fmean(ordered) * 1000:6.2f}")


async def _largest_gap(stop: asyncio.Event) -> float:
    largest, previous = 0.0, time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.005)
        now = time.perf_counter()
        largest, previous = max(largest, now - previous), now
    return largest


async def measure(host: str, port: int, count: int) -> None:
    manager = LockManager(host, port, ttl=10, timeout=2.0)
    waiter = LockManager(host, port, ttl=10, timeout=2.0)
    acquire, release, refused, handover = [], [], [], []
    stop = asyncio.Event()
    gap = asyncio.create_task(_largest_gap(stop))
    for index in range(count):
        lock_id = f"bench-{index % 50}"
        started = time.perf_counter()
        await manager.acquire(lock_id, blocking=False)
        acquired = time.perf_counter()
        assert await waiter.acquire(lock_id, blocking=False, silent=True) is False
        refused.append(time.perf_counter() - acquired)
        released_at = time.perf_counter()
        await manager.release(lock_id)
        release.append(time.perf_counter() - released_at)
        acquire.append(acquired - started)
    for index in range(max(20, count // 10)):
        lock_id = f"bench-handover-{index}"
        await manager.acquire(lock_id)
        waiting = asyncio.create_task(waiter.acquire(lock_id, timeout=10))
        await asyncio.sleep(0.02)  # the waiter is watching by now
        released_at = time.perf_counter()
        await manager.release(lock_id)
        await waiting
        handover.append(time.perf_counter() - released_at)
        await waiter.release(lock_id)
    stop.set()
    largest_gap = await gap
    await manager.close()
    await waiter.close()
    for name, samples in (("acquire (free lock)", acquire), ("release", release),
                          ("acquire (held: refused)", refused), ("hand-over to a waiter", handover)):
        print(_summary(name, samples))
    print(f"largest event-loop gap during the run: {largest_gap * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=2000, help="acquire/release pairs (default 2000)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, help="an etcd already running (v2 enabled); default: start one")
    arguments = parser.parse_args()
    if arguments.port is not None:
        asyncio.run(measure(arguments.host, arguments.port, arguments.count))
        return
    with EtcdProcess(data_in_memory=False) as etcd:
        print(f"etcd {etcd.url} (data on disk in {etcd.workdir})")
        asyncio.run(measure(etcd.host, etcd.port, arguments.count))


if __name__ == "__main__":
    main()
