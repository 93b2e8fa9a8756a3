"""`@single_process_coroutine(name)`: a scheduled job that runs once per scheduled run across every process and
machine sharing the lock server, instead of once in each process.

The scheduler runs in every worker, so without this each run would happen N times. For a periodic or daily job,
the first process to create the lock `<name>@<slot>` runs it; the others find the key and skip (logged at DEBUG).
The key is not deleted after the run: it is left to expire, with a TTL longer than the period, so a process whose
timer fires late for the same slot still finds it and skips. (Deleting it at the end, as a plain mutex would, lets
such a late process run the slot a second time.) Called outside the Scheduler, or from a one-shot run (which has
no slot shared between processes), the job holds `<name>` while it runs and releases it: never concurrently.

Lock server disabled: the job runs in every process (the server logs one warning at start-up).
Lock server unavailable when a run is due: that run is skipped and logged; the schedule continues.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from src.utils.concurrency.lock_errors import LockServerUnavailable
from src.utils.concurrency.scheduled_run import current_run
from src.utils.metrics.hooks import scheduler_slot

if TYPE_CHECKING:
    from src.utils.concurrency.lock_manager import LockManager

P = ParamSpec("P")
R = TypeVar("R")

SINGLE_PROCESS_ATTRIBUTE = "single_process_name"

logger = logging.getLogger("tornado_boilerplate.jobs")


def single_process_coroutine(
        name: str) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Coroutine[Any, Any, R | None]]]:
    """Decorate a coroutine function; it returns None in the processes where the run was skipped."""
    if not name:
        raise ValueError("single_process_coroutine needs a non-empty name")

    def decorator(coroutine: Callable[P, Awaitable[R]]) -> Callable[P, Coroutine[Any, Any, R | None]]:
        @functools.wraps(coroutine)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
            # Imported here: python-etcd (and urllib3) load only in processes that use the lock server.
            from src.utils.concurrency.lock_manager import LockManager  # noqa: PLC0415

            if not LockManager.enabled():
                return await coroutine(*args, **kwargs)
            manager = LockManager.get()
            lock_id, ttl, per_slot = _run_lock(name, manager)
            try:
                acquired = await manager.acquire(lock_id, blocking=False, silent=True, ttl=ttl)
            except LockServerUnavailable as error:
                logger.warning("job %s: run skipped, the lock server is unavailable: %s", name, error)
                scheduler_slot(name, "missed")
                return None
            if not acquired:
                logger.debug("job %s: %s is taken by another process; skipped here", name, lock_id)
                scheduler_slot(name, "skipped_elsewhere")
                return None
            try:
                result = await coroutine(*args, **kwargs)
            except Exception:
                scheduler_slot(name, "failed")
                raise
            else:
                scheduler_slot(name, "ran")
                return result
            finally:
                if per_slot:
                    manager.let_expire(lock_id)
                else:
                    await _release(manager, lock_id, name)

        setattr(wrapper, SINGLE_PROCESS_ATTRIBUTE, name)
        return wrapper

    return decorator


def _run_lock(name: str, manager: LockManager) -> tuple[str, int | None, bool]:
    """The lock for the current run: (lock id, TTL, whether it is a per-slot lock left to expire)."""
    run = current_run()
    if run is None or run.period is None:
        return name, None, False
    # The slot's key must outlive the slot (plus clock skew between machines); it is refreshed while running.
    return f"{name}@{run.slot_id}", max(manager.ttl, math.ceil(run.period) + 1), True


def single_process_name(job: object) -> str | None:
    """The lock name when `job` is decorated with `single_process_coroutine` (looks through bound methods)."""
    target = getattr(job, "__func__", job)
    name = getattr(target, SINGLE_PROCESS_ATTRIBUTE, None)
    return name if isinstance(name, str) else None


async def _release(manager: LockManager, lock_id: str, name: str) -> None:
    try:
        await manager.release(lock_id)
    except LockServerUnavailable as error:
        logger.warning("job %s: lock %s not released (it expires by its TTL): %s", name, lock_id, error)
