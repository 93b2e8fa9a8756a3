"""Start-up of the lock manager in a worker (called by `start_components`)."""

from __future__ import annotations

import logging
from typing import Any

from src.server.application_context import ApplicationContext
from src.server.lifecycle import Lifecycle
from src.utils.concurrency.lock_errors import LockServerUnavailable

logger = logging.getLogger("tornado_boilerplate.locks")


async def start_lock_manager(context: ApplicationContext, lifecycle: Lifecycle, settings: dict[str, Any]) -> None:
    """With `--lock_server`: this process's `LockManager` as settings["lock_manager"], a `lock_server` health
    check, and a shutdown hook that releases the locks still held. An etcd that does not answer yet is reported,
    not fatal: locks fail with LockServerUnavailable (503 in handlers) until it does."""
    if not context.lock_server.enabled:
        return
    # Imported here: python-etcd (and urllib3) load only in processes that use the lock server.
    from src.utils.concurrency.lock_manager import LockManager  # noqa: PLC0415

    manager = LockManager.init(context.lock_server)
    lifecycle.on_shutdown("lock_manager", manager.close)
    settings["lock_manager"] = manager
    settings.setdefault("health_checks", {})["lock_server"] = manager.check
    try:
        await manager.check()
    except LockServerUnavailable as error:
        logger.warning("%s; locks will fail until it answers", error)
