"""`LockManager`: distributed locks on an etcd cluster (v2 or v3 API), safe to use from the event loop.

A lock is an etcd key, `<prefix>/<lock id>`, created atomically (v2 `prevExist=false`, v3 a transaction on
`create_revision == 0`) with an owner token as its value and a TTL (v3: a lease), so a holder that crashes
cannot block the others for longer than the TTL. While a lock is held a background task refreshes it
(`held_key`). Release is a compare-and-delete on the token, so a holder whose lock expired can never delete the
next holder's key. A blocking acquire watches the key from the revision of the failed create and tries again
when it changes (deleted or expired): no polling, and a timeout that holds.

Each holder gets a fencing token, `fencing_token(lock_id)`: the etcd revision of its create, larger for every
later holder of the same lock. A store that remembers the largest token it has seen and refuses smaller ones is
safe even from a holder that was paused past its TTL and still believes it holds the lock; `confirm(lock_id)`
(a quorum read) is the check for effects that cannot be fenced.

python-etcd's `etcd.Lock` is not used: its `acquire(timeout=...)` never returns, a failed non-blocking acquire
leaves a key behind, and it sets no TTL. Every client call is blocking and runs in a thread of its member
(`lock_cluster`), with failover between members and a deadline of `timeout` seconds; etcd down, hung or
misconfigured surfaces as `LockServerUnavailable`.

One manager per process, created after the fork at start-up (`LockManager.init(settings)`); handlers use
`self.lock_manager`, jobs `LockManager.get()`. `close()` releases what the process still holds.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import ClassVar

from src.settings import LockServerSettings
from src.utils.concurrency.etcd_member import EtcdMember
from src.utils.concurrency.held_key import HeldKey
from src.utils.concurrency.lock_call import LockCall
from src.utils.concurrency.lock_cluster import LockCluster
from src.utils.concurrency.lock_errors import (
    ExistingLockError,
    LockServerDisabled,
    LockServerUnavailable,
    LockTimeoutError,
)
from src.utils.concurrency.owned_keys import OwnedKeys, escape_segment
from src.utils.metrics.hooks import lock_acquisition

DEFAULT_KEY_PREFIX = "/tornado-boilerplate/locks"
# A blocking acquire re-checks at least this often, so a waiter notices a lock server that stopped answering.
WATCH_CAP_SECONDS = 5.0

logger = logging.getLogger("tornado_boilerplate.locks")


class LockManager:
    """Acquire and release named locks shared by every process and machine that uses the same etcd."""

    _instance: ClassVar[LockManager | None] = None

    def __init__(self, host: str = "localhost", port: int = 2379, ttl: int = 10, timeout: float = 2.0,
                 key_prefix: str = DEFAULT_KEY_PREFIX, *, api: str = "v2", catch_up: float | None = None) -> None:
        if ttl < 1:
            raise ValueError("lock ttl must be at least 1 second (etcd counts TTLs in whole seconds)")
        self.host = host
        self.port = port
        self.ttl = ttl
        self.timeout = timeout
        self.api = api
        self.catch_up = catch_up  # slot catch-up deadline, seconds; None: the default (`slot_runner`)
        self.key_prefix = key_prefix.rstrip("/")
        self.cluster = LockCluster.connect(host, port, timeout, api, check_key=self.key_prefix)
        self.keys = OwnedKeys(self.cluster, owner=f"{socket.gethostname()}:{os.getpid()}")
        self._held: dict[str, HeldKey] = {}

    # ---- the process-wide instance ----------------------------------------------------------------------------

    @classmethod
    def init(cls, settings: LockServerSettings) -> LockManager:
        """Create this process's manager from the lock server settings (call once, after the fork)."""
        cls._instance = cls(settings.host, settings.port, settings.ttl, settings.timeout, api=settings.api,
                            catch_up=settings.catch_up or None)
        return cls._instance

    @classmethod
    def get(cls) -> LockManager:
        """This process's manager; `LockServerDisabled` when the server runs without `--lock_server`."""
        if cls._instance is None:
            raise LockServerDisabled("the lock server is disabled (start with --lock_server)")
        return cls._instance

    @classmethod
    def enabled(cls) -> bool:
        return cls._instance is not None

    # ---- locks ------------------------------------------------------------------------------------------------

    def key(self, lock_id: str) -> str:
        """The etcd key of a lock: one path segment under the prefix, whatever the id holds (`/`, `..`, spaces).
        Letters, digits and `_-@:` are kept; every other byte becomes `~XX` (etcd decodes `%XX` in paths)."""
        return f"{self.key_prefix}/{escape_segment(lock_id)}"

    def acquire(self, lock_id: str, blocking: bool = True, silent: bool = False, ttl: int | None = None,
                timeout: float | None = None) -> LockCall[bool]:
        """Take the lock `lock_id`; True once it is held (and refreshed in the background until released).
        Must be awaited: `if await manager.acquire(...)`; testing the un-awaited call raises `TypeError`.

        `blocking=False` answers at once; `blocking=True` waits until the holder releases it or its TTL runs
        out, at most `timeout` seconds when given. When the lock cannot be had, `silent=True` returns False;
        otherwise `ExistingLockError` is raised (`LockTimeoutError`, a subclass, when a timeout ran out).
        `LockServerUnavailable` when no etcd member answers within the client timeout.
        """
        return LockCall(self._acquire(lock_id, blocking, silent, ttl, timeout), f"acquire({lock_id!r})")

    def release(self, lock_id: str) -> LockCall[bool]:
        """Delete the lock if this process still holds it; False when it does not (never held, or it expired and
        maybe went to someone else, whose key is left alone). `LockServerUnavailable` leaves the key to its TTL.
        Must be awaited, like `acquire`."""
        return LockCall(self._release(lock_id), f"release({lock_id!r})")

    def let_expire(self, lock_id: str) -> bool:
        """Stop refreshing a held lock without deleting it: it stays taken until its TTL runs out."""
        held = self._held.pop(lock_id, None)
        if held is None:
            return False
        held.stop_refreshing()
        return True

    @asynccontextmanager
    async def lock(self, lock_id: str, blocking: bool = True, ttl: int | None = None,
                   timeout: float | None = None) -> AsyncIterator[None]:
        """`async with manager.lock("id"):` holds the lock for the block; raises like `acquire(silent=False)`.
        A release that fails is logged, not raised: the block's own outcome matters more, and the key expires."""
        await self.acquire(lock_id, blocking=blocking, silent=False, ttl=ttl, timeout=timeout)
        try:
            yield
        finally:
            try:
                await self.release(lock_id)
            except LockServerUnavailable as error:
                logger.warning("lock %r not released (it expires within %d s): %s", lock_id, ttl or self.ttl, error)

    def holds(self, lock_id: str) -> bool:
        """Whether this process believes it holds `lock_id`: False once a refresh found it lost, and once no
        refresh succeeded for a whole TTL (it may have expired). `confirm()` asks etcd."""
        held = self._held.get(lock_id)
        return held is not None and not held.lost.is_set() and not held.possibly_expired()

    async def confirm(self, lock_id: str) -> bool:
        """Whether etcd still holds this process's key for `lock_id` (a quorum read): the check to make right
        before an effect that the fencing token cannot guard. `LockServerUnavailable` when nobody answers, or
        when the answer came a whole TTL after the last refresh (this process was paused meanwhile)."""
        held = self._held.get(lock_id)
        if held is None:
            return False
        if await self.keys.confirm(held):
            return True
        self._forget(held)
        return False

    def fencing_token(self, lock_id: str) -> int | None:
        """The fencing token of the held lock `lock_id` (None when not held): the etcd revision of its create,
        larger for every later holder. Pass it with each write the lock guards; the store keeps the largest
        token seen and rejects writes carrying a smaller one (see docs/locks-and-scheduler.md)."""
        held = self._held.get(lock_id)
        return held.fencing_token if held is not None else None

    def held_locks(self) -> list[str]:
        return list(self._held)

    async def check(self) -> dict[str, object]:
        """Health check: `{"status": "ok"}` when every member answers, `"degraded"` when some do (a quorum
        still answers), `LockServerUnavailable` when none does."""
        return await self.cluster.check()

    async def close(self) -> None:
        """Graceful shutdown: release every lock this process holds, stop the refreshers and the threads."""
        if self.cluster.closed:
            return
        held = list(self._held)
        results = await asyncio.gather(*(self._release(lock_id) for lock_id in held), return_exceptions=True)
        for lock_id, result in zip(held, results, strict=True):
            if isinstance(result, BaseException):
                logger.warning("lock %r not released at shutdown (it expires by its TTL): %s", lock_id, result)
        self.cluster.close()
        if LockManager._instance is self:
            LockManager._instance = None

    # ---- the lock recipe --------------------------------------------------------------------------------------

    async def _acquire(self, lock_id: str, blocking: bool, silent: bool, ttl: int | None,
                       timeout: float | None) -> bool:
        ttl = self.ttl if ttl is None else int(ttl)
        if ttl < 1:
            raise ValueError("lock ttl must be at least 1 second")
        key = self.key(lock_id)
        started = time.perf_counter()
        try:
            held = await (self._wait_and_create(lock_id, key, ttl, timeout) if blocking
                          else self._create_once(lock_id, key, ttl))
        except LockServerUnavailable:
            lock_acquisition("unavailable", time.perf_counter() - started)
            raise
        # Not acquired while blocking can only mean the timeout ran out.
        lock_acquisition("won" if held else "timed_out" if blocking else "taken", time.perf_counter() - started)
        if held is not None:
            self._hold(held)
            return True
        if silent:
            return False
        if blocking and timeout is not None:
            raise LockTimeoutError(lock_id, timeout)
        raise ExistingLockError(lock_id)

    async def _create_once(self, lock_id: str, key: str, ttl: int) -> HeldKey | None:
        outcome = await self.keys.create(lock_id, key, ttl)
        return outcome if isinstance(outcome, HeldKey) else None

    async def _wait_and_create(self, lock_id: str, key: str, ttl: int, timeout: float | None) -> HeldKey | None:
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            outcome = await self.keys.create(lock_id, key, ttl)
            if isinstance(outcome, HeldKey):
                return outcome
            remaining = WATCH_CAP_SECONDS if deadline is None else deadline - loop.time()
            if remaining <= 0.001:
                return None
            seconds = min(remaining, WATCH_CAP_SECONDS)
            # Any outcome means: try the create again (released, expired, replaced, or nothing in `seconds`).
            await self.cluster.call(partial(_watch, key=key, after=outcome + 1, seconds=seconds), watch=True,
                                    seconds=seconds)

    async def _release(self, lock_id: str) -> bool:
        held = self._held.pop(lock_id, None)
        if held is None:
            return False
        if not await self.keys.delete(held):
            logger.warning("lock %r had already expired (or been taken over) when it was released", lock_id)
            return False
        return True

    def _hold(self, held: HeldKey) -> None:
        previous = self._held.get(held.name)
        if previous is not None:  # an earlier hold of this id was lost; its refresher must not touch the new one
            previous.stop_refreshing()
        self._held[held.name] = held
        self.keys.keep(held)

    def _forget(self, held: HeldKey) -> None:
        if self._held.get(held.name) is held:
            del self._held[held.name]


def _watch(member: EtcdMember, key: str, after: int, seconds: float) -> None:
    member.watch(key, after, seconds)
