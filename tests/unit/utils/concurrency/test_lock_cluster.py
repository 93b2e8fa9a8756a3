"""`LockCluster` with stand-in members: failover order, back-off, the single probe when every member is in
back-off, and calls queued behind a hung member answered by their deadline instead of waiting for threads."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from src.utils.concurrency.etcd_member import EtcdMember, MemberFailure
from src.utils.concurrency.lock_cluster import LockCluster
from src.utils.concurrency.lock_errors import LockServerUnavailable


class StandIn:
    """A member whose `check` answers, fails or hangs, counting the calls that reached it."""

    def __init__(self, address: str, mode: str = "ok") -> None:
        self.address = address
        self.mode = mode
        self.calls = 0
        self.release = threading.Event()

    def check(self, key: str) -> None:
        self.calls += 1
        if self.mode == "down":
            raise MemberFailure(f"{self.address}: refused", uncertain=False)
        if self.mode == "hung":
            self.release.wait(10)
            raise MemberFailure(f"{self.address}: no answer", uncertain=True)

    def close(self) -> None:
        self.release.set()


def cluster_of(*members: StandIn, timeout: float = 1.0) -> LockCluster:
    return LockCluster(members, timeout)  # type: ignore[arg-type]


def ask(member: EtcdMember) -> str:
    member.check("/k")
    return member.address


async def test_a_failed_member_is_passed_over_at_once_and_skipped_while_in_back_off() -> None:
    first, second = StandIn("a", "down"), StandIn("b")
    cluster = cluster_of(first, second)

    assert [await cluster.call(ask) for _ in range(3)] == ["b", "b", "b"]
    assert (first.calls, second.calls) == (1, 3)
    cluster.close()


async def test_with_every_member_in_back_off_one_call_probes_and_the_others_fail_at_once() -> None:
    only = StandIn("a", "down")
    cluster = cluster_of(only)

    with pytest.raises(LockServerUnavailable, match="a: refused"):
        await cluster.call(ask)
    only.mode = "ok"
    outcomes = await asyncio.gather(*(cluster.call(ask) for _ in range(5)), return_exceptions=True)
    assert outcomes.count("a") == 1  # the probe, which finds the member back
    assert all(isinstance(outcome, LockServerUnavailable) for outcome in outcomes if outcome != "a")
    assert await cluster.call(ask) == "a"  # and it is used again at once
    cluster.close()


@pytest.mark.slow  # waits out the call deadline
async def test_calls_queued_behind_a_hung_member_are_answered_by_their_deadline() -> None:
    hung = StandIn("a", "hung")
    cluster = cluster_of(hung, timeout=1.0)

    started = time.monotonic()
    outcomes = await asyncio.gather(*(cluster.call(ask) for _ in range(64)), return_exceptions=True)
    assert all(isinstance(outcome, LockServerUnavailable) for outcome in outcomes)
    count, seconds = len(outcomes), time.monotonic() - started
    hung.release.set()
    assert count == 64
    assert seconds < 1.0 + 1.0  # one timeout (and a margin for a loaded machine), not 64 / threads timeouts
    assert hung.calls <= 8  # queued calls never reached the member: it had failed meanwhile
    cluster.close()
