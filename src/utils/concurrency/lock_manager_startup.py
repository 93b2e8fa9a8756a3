"""The lock manager component of a worker (with `--lock_server`)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from src.settings import LockServerSettings
from src.utils.concurrency.lock_errors import LockServerUnavailable

if TYPE_CHECKING:
    from src.utils.concurrency.lock_manager import LockManager

logger = logging.getLogger("tornado_boilerplate.locks")


@asynccontextmanager
async def lock_manager_component(settings: LockServerSettings) -> AsyncIterator[LockManager]:
    """This process's `LockManager`; its teardown releases the locks still held. An etcd that does not answer
    yet is reported, not fatal: locks fail with LockServerUnavailable (503 in handlers) until it does."""
    # Imported here: python-etcd (and urllib3) load only in processes that use the lock server.
    from src.utils.concurrency.lock_manager import LockManager  # noqa: PLC0415

    manager = LockManager.init(settings)
    try:
        try:
            await manager.check()
        except LockServerUnavailable as error:
            logger.warning("%s; locks will fail until it answers", error)
        yield manager
    finally:
        await manager.close()
