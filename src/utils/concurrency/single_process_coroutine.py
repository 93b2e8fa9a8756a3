"""`@single_process_coroutine(name)`: a scheduled job that runs once per scheduled run across every process and
machine sharing the lock server, instead of once in each process.

The scheduler runs in every worker, so without this each run would happen N times. For a periodic job every
slot is completed exactly once or reported missed (`slot_runner` states the design and the guarantee): the one
process that creates the slot's key runs it; a slot whose holder died, or that passed during an etcd outage, is
caught up within its deadline (`--lock_catch_up`); later it is logged as missed. Inside the run,
`current_slot()` gives the slot's fencing token and `confirm()`. Called outside the Scheduler, or from a
one-shot run (which has no slot shared between processes), the job holds the lock `<name>` while it runs and
releases it: never concurrently.

Lock server disabled: the job runs in every process (the server logs one warning at start-up).
"""

from __future__ import annotations

import functools
import logging
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
            from src.utils.concurrency.slot_runner import SlotRunner  # noqa: PLC0415

            if not LockManager.enabled():
                return await coroutine(*args, **kwargs)
            manager = LockManager.get()
            run = current_run()
            if run is not None and run.period is not None:
                return await SlotRunner(manager, name).run(run, lambda: coroutine(*args, **kwargs))
            return await _run_exclusively(manager, name, lambda: coroutine(*args, **kwargs))

        setattr(wrapper, SINGLE_PROCESS_ATTRIBUTE, name)
        return wrapper

    return decorator


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


async def _run_exclusively(manager: LockManager, name: str, job: Callable[[], Awaitable[R]]) -> R | None:
    """An unscheduled (or one-shot) call: hold the lock `name` while it runs; skipped when it is held."""
    try:
        acquired = await manager.acquire(name, blocking=False, silent=True)
    except LockServerUnavailable as error:
        logger.warning("job %s: run skipped, the lock server is unavailable: %s", name, error)
        scheduler_slot(name, "missed")
        return None
    if not acquired:
        logger.debug("job %s: %s is held by another process; skipped here", name, name)
        scheduler_slot(name, "skipped_elsewhere")
        return None
    try:
        result = await job()
    except Exception:
        scheduler_slot(name, "failed")
        raise
    finally:
        await _release(manager, name, name)
    scheduler_slot(name, "ran")
    return result
