"""Latency of `LockManager` calls against a real etcd, as a handler or job sees them (event loop -> executor ->
HTTP -> etcd -> back), the longest event-loop stall meanwhile, and how long locks are unavailable after the
cluster's leader is killed.

    make bench-locks                                  # 3-member cluster on 127.0.0.2-4, both APIs
    make bench-locks ARGS="--single --api v3"         # one member
    make bench-locks ARGS="--count 5000 --host 127.0.0.1 --port 2379"   # against an etcd you run (make etcd)

Without --port it starts its own etcd (v2 enabled, data on disk so each write pays the fsync it pays in
production, free loopback ports): a 3-member cluster unless --single, and stops it after. Measured per API, one
call at a time: a non-blocking `acquire` (create-if-absent + TTL) and the `release` (compare-and-delete) that
follows; a failed non-blocking `acquire` of a held lock; and the hand-over to a blocked waiter (release -> the
waiter's watch fires -> its create succeeds). Prints p50/p90/p99/max in milliseconds. On a cluster, then: the
leader is killed (SIGKILL) while acquire/release pairs run back to back; recovery is the time from the kill to
the end of the first acquire that started after it and succeeded (the leader is restarted between rounds).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from src.utils.concurrency.lock_errors import LockServerUnavailable
from src.utils.concurrency.lock_manager import LockManager
from tests.support.etcd_cluster import EtcdCluster
from tests.support.etcd_process import EtcdProcess
from tests.support.loop_gap import LoopGapMeter

RECOVERY_ROUNDS = 3


def _summary(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)

    def at(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000

    return (f"{name:<24}n={len(ordered):<5} p50={at(0.50):6.2f} ms  p90={at(0.90):6.2f} ms  "
            f"p99={at(0.99):6.2f} ms  max={ordered[-1] * 1000:6.2f} ms mean={statistics.fmean(ordered) * 1000:6.2f}")


async def measure(host: str, port: int, count: int, api: str = "v2") -> None:
    print(f"--- lock api {api}, {host}")
    manager = LockManager(host, port, ttl=10, timeout=2.0, api=api)
    waiter = LockManager(host, port, ttl=10, timeout=2.0, api=api)
    await _until_answering(manager)
    acquire, release, refused, handover = [], [], [], []
    unavailable = 0
    meter = LoopGapMeter()  # the machine's load (time waiting for a CPU) is not counted
    meter.start()
    for index in range(count):
        lock_id = f"bench-{index}"
        try:
            started = time.perf_counter()
            await manager.acquire(lock_id, blocking=False)
            acquired = time.perf_counter()
            assert await waiter.acquire(lock_id, blocking=False, silent=True) is False
            refused.append(time.perf_counter() - acquired)
            released_at = time.perf_counter()
            await manager.release(lock_id)
            release.append(time.perf_counter() - released_at)
            acquire.append(acquired - started)
        except LockServerUnavailable:  # counted, not hidden: a slow fsync can outlast a member's share
            unavailable += 1
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
    await meter.stop()
    await manager.close()
    await waiter.close()
    for name, samples in (("acquire (free lock)", acquire), ("release", release),
                          ("acquire (held: refused)", refused), ("hand-over to a waiter", handover)):
        print(_summary(name, samples))
    print(f"largest event-loop gap during the run: {meter.largest * 1000:.1f} ms; "
          f"{unavailable} of {count} rounds failed with LockServerUnavailable")


async def _until_answering(manager: LockManager, seconds: float = 30.0) -> None:
    """After a restart the cluster may still be electing or catching up: wait until every member answers."""
    deadline = time.perf_counter() + seconds
    while True:
        try:
            if (await manager.check())["status"] == "ok":
                return
        except LockServerUnavailable:
            if time.perf_counter() > deadline:
                raise
        if time.perf_counter() > deadline:
            return  # degraded: measured as it is
        await asyncio.sleep(0.2)


async def leader_kill_recovery(cluster: EtcdCluster, api: str) -> None:
    """Seconds from killing the leader to the end of the first acquire started after the kill that succeeded."""
    manager = LockManager(cluster.endpoints, 2379, ttl=10, timeout=2.0, api=api)
    for round_number in range(RECOVERY_ROUNDS):
        await asyncio.to_thread(cluster.wait_for_leader)
        await _until_answering(manager)
        leader = cluster.leader()
        assert leader is not None
        for index in range(20):  # warm: connections open to every member the calls use
            await manager.acquire(f"recovery-warm-{index}", blocking=False)
            await manager.release(f"recovery-warm-{index}")
        await asyncio.to_thread(leader.kill)  # returns once the process is gone
        killed_at = time.perf_counter()
        failures, index = 0, 0
        while True:
            index += 1
            started = time.perf_counter()
            try:
                acquired = await manager.acquire(f"recovery-{round_number}-{index}", blocking=False)
            except LockServerUnavailable:
                failures += 1
                if time.perf_counter() - killed_at > 60:
                    raise
                await asyncio.sleep(0.005)  # every member in back-off fails at once: do not spin
                continue
            if acquired and started >= killed_at:
                recovered = time.perf_counter() - killed_at
                break
            await manager.release(f"recovery-{round_number}-{index}")
        print(f"leader kill {round_number + 1}: locks again after {recovered * 1000:7.1f} ms "
              f"({failures} calls failed meanwhile)")
        await asyncio.to_thread(leader.start)
    await manager.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=2000, help="acquire/release pairs (default 2000)")
    parser.add_argument("--host", default="127.0.0.1", help="etcd member(s), h1:2379,h2,... (with --port)")
    parser.add_argument("--port", type=int, help="an etcd already running (v2 enabled); default: start one")
    parser.add_argument("--api", choices=("v2", "v3", "both"), default="both")
    parser.add_argument("--single", action="store_true", help="start one etcd member instead of a 3-member cluster")
    arguments = parser.parse_args()
    apis = ("v2", "v3") if arguments.api == "both" else (arguments.api,)
    if arguments.port is not None:
        for api in apis:
            asyncio.run(measure(arguments.host, arguments.port, arguments.count, api))
        return
    if arguments.single:
        with EtcdProcess(data_in_memory=False) as etcd:
            print(f"etcd {etcd.url} (data on disk in {etcd.workdir})")
            for api in apis:
                asyncio.run(measure(etcd.host, etcd.port, arguments.count, api))
        return
    with EtcdCluster(data_in_memory=False) as cluster:
        print(f"etcd cluster {cluster.endpoints} (data on disk)")
        for api in apis:
            asyncio.run(measure(cluster.endpoints, 2379, arguments.count, api))
            asyncio.run(leader_kill_recovery(cluster, api))


if __name__ == "__main__":
    main()
