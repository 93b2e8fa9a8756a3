"""`LockCluster`: the etcd members of `--lock_server_host h1:2379,h2,h3`, with failover and fail-fast.

A call goes to the member that answered last, and to the next one at once when that one fails: refused at once,
or no answer within its share of `--lock_timeout` (the timeout split over up to three attempts), so a member
that is down or hung costs a fraction of the timeout, never all of it. A member that failed is skipped for
`BACKOFF_SECONDS`; when every member is in back-off one call at a time probes the one that failed first, and
the others fail at once. Each member has its own threads, so a hung member cannot hold the threads the others
need, and a call counts the time it waits for a thread against its deadline: whatever the number of callers,
each gets its answer or `LockServerUnavailable` within `--lock_timeout` (no queue behind a dead member).

`check()` (the `/health` check) asks every member at once, ignoring back-off: all answer -> ok; some -> degraded
(the cluster still has a quorum: each answer is a quorum read); none -> `LockServerUnavailable`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from src.settings import parse_members
from src.utils.concurrency.etcd_member import EtcdMember, MemberFailure
from src.utils.concurrency.lock_errors import LockServerUnavailable

T = TypeVar("T")

BACKOFF_SECONDS = 1.0
MAX_ATTEMPTS = 3
CALL_THREADS = 8
WATCH_THREADS = 16
PROBE_TIMEOUT_SECONDS = 1.0


class _Member:
    """A member with its threads and its recent failures."""

    def __init__(self, member: EtcdMember, index: int) -> None:
        self.member = member
        self.index = index
        self.calls = ThreadPoolExecutor(CALL_THREADS, thread_name_prefix=f"etcd-{index}-call")
        self.watches = ThreadPoolExecutor(WATCH_THREADS, thread_name_prefix=f"etcd-{index}-watch")
        self.probes = ThreadPoolExecutor(1, thread_name_prefix=f"etcd-{index}-probe")
        self.failed_until = 0.0
        self.probing = False
        self.last_error = ""

    def usable(self, now: float) -> bool:
        return now >= self.failed_until

    def failed(self, reason: str) -> None:
        self.failed_until = time.monotonic() + BACKOFF_SECONDS
        self.last_error = reason

    def answered(self) -> None:
        self.failed_until = 0.0

    def shutdown(self) -> None:
        for executor in (self.calls, self.watches, self.probes):
            executor.shutdown(wait=False, cancel_futures=True)
        self.member.close()


class LockCluster:
    """Run blocking `EtcdMember` operations on the cluster from the event loop, with failover."""

    def __init__(self, members: Sequence[EtcdMember], timeout: float, check_key: str = "/health") -> None:
        if not members:
            raise ValueError("the lock server needs at least one etcd member")
        self.timeout = timeout
        self.check_key = check_key
        self._members = [_Member(member, index) for index, member in enumerate(members)]
        self._preferred = 0
        self._closed = False

    @classmethod
    def connect(cls, host: str, port: int, timeout: float, api: str = "v2", check_key: str = "/health") -> LockCluster:
        """The cluster of `host` ("h1:2379,h2,h3"; `port` where an entry has none) through `api` (v2 or v3);
        each member's client is bounded by its share of `timeout` (`attempt_timeout`)."""
        addresses = parse_members(host, port)
        attempt = timeout / min(len(addresses), MAX_ATTEMPTS)
        pool = CALL_THREADS + WATCH_THREADS + 1
        members: list[EtcdMember]
        if api == "v3":
            from src.utils.concurrency.etcd_v3 import EtcdV3Member  # noqa: PLC0415 - only processes that use v3

            members = [EtcdV3Member(member_host, member_port, attempt, pool) for member_host, member_port in addresses]
        elif api == "v2":
            from src.utils.concurrency.etcd_v2 import EtcdV2Member  # noqa: PLC0415 - python-etcd only when used

            members = [EtcdV2Member(member_host, member_port, attempt, pool) for member_host, member_port in addresses]
        else:
            raise ValueError(f"lock api must be v2 or v3, not {api!r}")
        return cls(members, timeout, check_key)

    @property
    def attempt_timeout(self) -> float:
        """How long one member may take to answer: the call's timeout shared over up to three attempts."""
        return self.timeout / min(len(self._members), MAX_ATTEMPTS)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def addresses(self) -> list[str]:
        return [member.member.address for member in self._members]

    async def call(self, operation: Callable[[EtcdMember], T], *, watch: bool = False, seconds: float = 0.0,
                   abandoned: Callable[[EtcdMember, T], object] | None = None) -> T:
        """`operation(member)` on the first member that answers, within the timeout (plus `seconds` for a watch).
        Answers about keys (`KeyTaken`, `KeyMissing`) are returned as raised; `LockServerUnavailable` when no
        member answered. `abandoned(member, result)` runs in a thread when the caller was cancelled but the
        operation went on and succeeded (to undo a create nobody will use)."""
        if self._closed:
            raise LockServerUnavailable("the lock manager is closed (the process is shutting down)")
        deadline = time.monotonic() + self.timeout + seconds
        failures: list[str] = []
        for member in self._candidates():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                result = await self._attempt(member, operation, min(remaining, self.attempt_timeout + seconds),
                                             watch, abandoned)
            except MemberFailure as failure:
                member.failed(str(failure))
                failures.append(str(failure))
                continue
            finally:
                member.probing = False
            member.answered()
            self._preferred = member.index
            return result
        if not failures:
            raise LockServerUnavailable("lock server unavailable: every member failed within the last "
                                        f"{BACKOFF_SECONDS:g} s ({self._recent_errors()})")
        raise LockServerUnavailable("lock server unavailable: " + "; ".join(failures))

    async def check(self) -> dict[str, object]:
        """Health of the cluster: `{"status": "ok"|"degraded", "members": {address: "ok"|reason}}`."""
        if self._closed:
            raise LockServerUnavailable("the lock manager is closed (the process is shutting down)")
        outcomes = await asyncio.gather(*(self._probe(member) for member in self._members))
        members = dict(zip(self.addresses, outcomes, strict=True))
        answering = sum(outcome == "ok" for outcome in outcomes)
        if answering == 0:
            raise LockServerUnavailable("lock server unavailable: no member answers ("
                                        + "; ".join(f"{address}: {reason}" for address, reason in members.items())
                                        + ")")
        return {"status": "ok" if answering == len(outcomes) else "degraded", "members": members}

    def close(self) -> None:
        self._closed = True
        for member in self._members:
            member.shutdown()

    # ---- internals ----------------------------------------------------------------------------------------

    def _candidates(self) -> list[_Member]:
        """Members to try, in order: the usable ones, the last that answered first; when none is usable, one
        probe of the member whose back-off started first (if no other call is probing it)."""
        now = time.monotonic()
        ordered = self._members[self._preferred:] + self._members[:self._preferred]
        usable = [member for member in ordered if member.usable(now)]
        if usable:
            return usable
        waiting = sorted((member for member in ordered if not member.probing), key=lambda member: member.failed_until)
        if not waiting:
            return []
        waiting[0].probing = True
        return [waiting[0]]

    async def _attempt(self, member: _Member, operation: Callable[[EtcdMember], T], bound: float, watch: bool,
                       abandoned: Callable[[EtcdMember, T], object] | None) -> T:
        started_by = time.monotonic() + bound
        executor = member.watches if watch else member.calls
        try:
            future = executor.submit(self._guarded, member, operation, started_by)
        except RuntimeError:  # shut down
            raise LockServerUnavailable("the lock manager is closed (the process is shutting down)") from None
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), bound)
        except TimeoutError:
            raise MemberFailure(f"{member.member.address}: no answer within {bound:.2g} s", uncertain=True) from None
        except asyncio.CancelledError:
            if abandoned is not None:
                future.add_done_callback(partial(_after_abandoned, member, abandoned))
            raise

    @staticmethod
    def _guarded(member: _Member, operation: Callable[[EtcdMember], T], started_by: float) -> T:
        """In the thread: give up without asking when the call waited its whole bound for a thread, or the
        member failed meanwhile (a queue of calls behind a hung member drains at once)."""
        now = time.monotonic()
        if now >= started_by:
            raise MemberFailure(f"{member.member.address}: no thread free within the timeout", uncertain=False)
        if not member.usable(now) and not member.probing:
            raise MemberFailure(f"{member.member.address}: failed just now ({member.last_error})", uncertain=False)
        return operation(member.member)

    async def _probe(self, member: _Member) -> str:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(member.probes, partial(member.member.check, self.check_key))
        try:
            await asyncio.wait_for(future, min(self.timeout, PROBE_TIMEOUT_SECONDS))
        except TimeoutError:
            return f"no answer within {min(self.timeout, PROBE_TIMEOUT_SECONDS):g} s"
        except MemberFailure as failure:
            member.failed(str(failure))
            return str(failure)
        member.answered()
        return "ok"

    def _recent_errors(self) -> str:
        return "; ".join(member.last_error for member in self._members if member.last_error) or "no detail"


def _after_abandoned(member: _Member, abandoned: Callable[[EtcdMember, Any], object], future: Future[Any]) -> None:
    if future.cancelled() or future.exception() is not None:
        return
    result = future.result()
    try:
        member.calls.submit(abandoned, member.member, result)
    except RuntimeError:  # shut down: what was created expires by its TTL
        return
