"""`LockManager`: distributed locks on etcd (v2 API), safe to use from the event loop.

A lock is an etcd key, `<prefix>/<lock id>`, created atomically (`prevExist=false`) with an owner token as its
value and a TTL, so a holder that crashes cannot block the others for longer than the TTL. While a lock is held a
background task refreshes the TTL every third of it. Release is a compare-and-delete on the token, so a holder
whose lock expired can never delete the next holder's key. A blocking acquire watches the key from the index of
the failed create and tries again when it changes (deleted or expired): no polling, and a timeout that holds.

python-etcd's `etcd.Lock` is not used: its `acquire(timeout=...)` never returns, a failed non-blocking acquire
leaves a key behind, and it sets no TTL. Every client call is blocking, so each runs in one of two thread pools
(short calls, and watches, which may wait for seconds) with a client that gives up after `timeout` seconds and
never retries (`etcd_client`). etcd down, hung or misconfigured surfaces as `LockServerUnavailable`.

One manager per process, created after the fork at start-up (`LockManager.init(settings)`); handlers use
`self.lock_manager`, jobs `LockManager.get()`. `close()` releases what the process still holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import string
import time
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, ClassVar, TypeVar

import etcd

from src.settings import LockServerSettings
from src.utils.concurrency.etcd_client import create_client, is_transport_error, unavailable
from src.utils.concurrency.lock_call import LockCall
from src.utils.concurrency.lock_errors import (
    ExistingLockError,
    LockServerDisabled,
    LockServerUnavailable,
    LockTimeoutError,
)
from src.utils.metrics.hooks import lock_acquisition

DEFAULT_KEY_PREFIX = "/tornado-boilerplate/locks"
# A blocking acquire re-checks at least this often, so a waiter notices a lock server that stopped answering.
WATCH_CAP_SECONDS = 5.0
CALL_THREADS = 8
_KEY_SAFE = frozenset(string.ascii_letters + string.digits + "_-@:")
WATCH_THREADS = 16

T = TypeVar("T")

logger = logging.getLogger("tornado_boilerplate.locks")


@dataclass
class _HeldLock:
    lock_id: str
    key: str
    token: str
    ttl: int
    refresher: asyncio.Task[None] | None = field(default=None, repr=False)

    def stop_refreshing(self) -> None:
        if self.refresher is not None:
            self.refresher.cancel()
            self.refresher = None


class LockManager:
    """Acquire and release named locks shared by every process and machine that uses the same etcd."""

    _instance: ClassVar[LockManager | None] = None

    def __init__(self, host: str = "localhost", port: int = 2379, ttl: int = 10, timeout: float = 2.0,
                 key_prefix: str = DEFAULT_KEY_PREFIX) -> None:
        if ttl < 1:
            raise ValueError("lock ttl must be at least 1 second (etcd counts TTLs in whole seconds)")
        self.host = host
        self.port = port
        self.ttl = ttl
        self.timeout = timeout
        self.key_prefix = key_prefix.rstrip("/")
        self._client = create_client(host, port, timeout, pool_size=CALL_THREADS + WATCH_THREADS)
        self._calls = ThreadPoolExecutor(CALL_THREADS, thread_name_prefix="etcd-call")
        self._watches = ThreadPoolExecutor(WATCH_THREADS, thread_name_prefix="etcd-watch")
        self._held: dict[str, _HeldLock] = {}
        self._owner = f"{socket.gethostname()}:{os.getpid()}"
        self._closed = False

    # ---- the process-wide instance ----------------------------------------------------------------------------

    @classmethod
    def init(cls, settings: LockServerSettings) -> LockManager:
        """Create this process's manager from the lock server settings (call once, after the fork)."""
        cls._instance = cls(settings.host, settings.port, settings.ttl, settings.timeout)
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
        if not lock_id:
            raise ValueError("lock id must not be empty")
        escaped = "".join(chr(byte) if chr(byte) in _KEY_SAFE else f"~{byte:02X}" for byte in lock_id.encode())
        return f"{self.key_prefix}/{escaped}"

    def acquire(self, lock_id: str, blocking: bool = True, silent: bool = False, ttl: int | None = None,
                timeout: float | None = None) -> LockCall[bool]:
        """Take the lock `lock_id`; True once it is held (and refreshed in the background until released).
        Must be awaited: `if await manager.acquire(...)`; testing the un-awaited call raises `TypeError`.

        `blocking=False` answers at once; `blocking=True` waits until the holder releases it or its TTL runs
        out, at most `timeout` seconds when given. When the lock cannot be had, `silent=True` returns False;
        otherwise `ExistingLockError` is raised (`LockTimeoutError`, a subclass, when a timeout ran out).
        `LockServerUnavailable` when etcd does not answer within the client timeout.
        """
        return LockCall(self._acquire(lock_id, blocking, silent, ttl, timeout), f"acquire({lock_id!r})")

    async def _acquire(self, lock_id: str, blocking: bool, silent: bool, ttl: int | None,
                       timeout: float | None) -> bool:
        self._ensure_open()
        ttl = self.ttl if ttl is None else int(ttl)
        if ttl < 1:
            raise ValueError("lock ttl must be at least 1 second")
        key = self.key(lock_id)
        token = f"{self._owner}:{uuid.uuid4().hex}"
        started = time.perf_counter()
        try:
            if blocking:
                acquired = await self._wait_and_create(key, token, ttl, timeout)
            else:
                acquired = await self._try_create(key, token, ttl) is None
        except LockServerUnavailable:
            lock_acquisition("unavailable", time.perf_counter() - started)
            raise
        # Not acquired while blocking can only mean the timeout ran out.
        lock_acquisition("won" if acquired else "timed_out" if blocking else "taken", time.perf_counter() - started)
        if acquired:
            self._hold(_HeldLock(lock_id, key, token, ttl))
            return True
        if silent:
            return False
        if blocking and timeout is not None:
            raise LockTimeoutError(lock_id, timeout)
        raise ExistingLockError(lock_id)

    def release(self, lock_id: str) -> LockCall[bool]:
        """Delete the lock if this process still holds it; False when it does not (never held, or it expired and
        maybe went to someone else, whose key is left alone). `LockServerUnavailable` leaves the key to its TTL.
        Must be awaited, like `acquire`."""
        return LockCall(self._release(lock_id), f"release({lock_id!r})")

    async def _release(self, lock_id: str) -> bool:
        held = self._held.pop(lock_id, None)
        if held is None:
            return False
        held.stop_refreshing()
        try:
            await self._call(self._calls, self._client.delete, held.key, prevValue=held.token)
        except (etcd.EtcdKeyNotFound, etcd.EtcdCompareFailed):
            logger.warning("lock %r had already expired (or been taken over) when it was released", lock_id)
            return False
        return True

    def let_expire(self, lock_id: str) -> bool:
        """Stop refreshing a held lock without deleting it: it stays taken until its TTL runs out. Used to keep
        a scheduled run's lock until its slot is over (`single_process_coroutine`)."""
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
        """Whether this process believes it holds `lock_id` (False once a refresh found it lost)."""
        return lock_id in self._held

    def held_locks(self) -> list[str]:
        return list(self._held)

    async def check(self) -> None:
        """Health check: returns when etcd answers a v2 read, raises `LockServerUnavailable` otherwise."""
        self._ensure_open()
        with contextlib.suppress(etcd.EtcdKeyNotFound):  # no lock taken yet: etcd answered, all this checks
            await self._call(self._calls, self._client.read, self.key_prefix)

    async def close(self) -> None:
        """Graceful shutdown: release every lock this process holds, stop the refreshers and the thread pools."""
        if self._closed:
            return
        held = list(self._held)
        results = await asyncio.gather(*(self.release(lock_id) for lock_id in held), return_exceptions=True)
        for lock_id, result in zip(held, results, strict=True):
            if isinstance(result, BaseException):
                logger.warning("lock %r not released at shutdown (it expires by its TTL): %s", lock_id, result)
        self._closed = True
        self._calls.shutdown(wait=False, cancel_futures=True)
        self._watches.shutdown(wait=False, cancel_futures=True)
        if LockManager._instance is self:
            LockManager._instance = None

    # ---- etcd recipe ------------------------------------------------------------------------------------------

    async def _try_create(self, key: str, token: str, ttl: int) -> int | None:
        """Create the key; None when created, else the etcd index at which it was found taken."""
        loop = asyncio.get_running_loop()
        create = partial(self._client.write, key, token, ttl=ttl, prevExist=False)
        future = loop.run_in_executor(self._calls, create)
        try:
            await asyncio.shield(future)
        except asyncio.CancelledError:
            # The caller gave up, but the create may still succeed in its thread: delete it then, or the key
            # would stay taken by nobody until its TTL.
            future.add_done_callback(partial(self._undo_create, key, token))
            raise
        except etcd.EtcdAlreadyExist as error:
            payload = error.payload if isinstance(error.payload, dict) else {}
            return int(payload.get("index", 0))
        except Exception as error:
            if is_transport_error(error):
                raise unavailable(error, self.host, self.port) from error
            raise
        return None

    def _undo_create(self, key: str, token: str, future: asyncio.Future[Any]) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        with contextlib.suppress(RuntimeError):  # the pool is shut down: the key expires by its TTL
            self._calls.submit(self._delete_quietly, key, token)

    def _delete_quietly(self, key: str, token: str) -> None:
        try:
            self._client.delete(key, prevValue=token)
        except Exception as error:  # noqa: BLE001 - best effort in a worker thread; the TTL is the fallback
            logger.debug("could not delete abandoned lock key %s: %s", key, error)

    async def _wait_and_create(self, key: str, token: str, ttl: int, timeout: float | None) -> bool:
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            index = await self._try_create(key, token, ttl)
            if index is None:
                return True
            remaining = WATCH_CAP_SECONDS if deadline is None else deadline - loop.time()
            if remaining <= 0.001:
                return False
            await self._watch(key, index + 1, min(remaining, WATCH_CAP_SECONDS))

    async def _watch(self, key: str, index: int, seconds: float) -> None:
        """Return when the key changes after `index` (released, expired, replaced) or `seconds` pass."""
        watch = self._call(self._watches, self._client.watch, key, index=index, timeout=seconds)
        # Any outcome means: try the create again. The outer bound covers time spent queued for a watch thread.
        with contextlib.suppress(TimeoutError, etcd.EtcdWatchTimedOut, etcd.EtcdEventIndexCleared):
            await asyncio.wait_for(watch, seconds + self.timeout)

    def _hold(self, held: _HeldLock) -> None:
        previous = self._held.get(held.lock_id)
        if previous is not None:  # an earlier hold of this id was lost; its refresher must not touch the new one
            previous.stop_refreshing()
        held.refresher = asyncio.create_task(self._refresh(held), name=f"lock-refresh:{held.lock_id}")
        self._held[held.lock_id] = held

    async def _refresh(self, held: _HeldLock) -> None:
        """Keep a held lock's TTL from running out; stop when the key is found gone or taken over."""
        while True:
            await asyncio.sleep(held.ttl / 3)
            if self._closed:  # taken while the process was shutting down: left to its TTL
                return
            try:
                await self._call(self._calls, self._client.write, held.key, None, ttl=held.ttl, refresh=True,
                                 prevExist=True, prevValue=held.token)
            except (etcd.EtcdKeyNotFound, etcd.EtcdCompareFailed):
                logger.error("lock %r was lost while held: its key expired or was taken over", held.lock_id)
                if self._held.get(held.lock_id) is held:
                    del self._held[held.lock_id]
                return
            except LockServerUnavailable as error:
                logger.warning("lock %r not refreshed (retrying in %.1f s): %s", held.lock_id, held.ttl / 3, error)

    async def _call(self, executor: Executor, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one blocking client call in `executor`; transport failures become `LockServerUnavailable`."""
        self._ensure_open()
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(executor, partial(function, *args, **kwargs))
        except Exception as error:
            if is_transport_error(error):
                raise unavailable(error, self.host, self.port) from error
            raise

    def _ensure_open(self) -> None:
        if self._closed:
            raise LockServerUnavailable("the lock manager is closed (the process is shutting down)")

