"""`GET /locking/{lock_id}`: the spec's lock example. Holds the distributed lock `lock_id` for
`--locking_hold_seconds` (default 2 s), then answers 200 `{"lock": id}`. A request for an id that is held (by this
or any other process sharing the etcd) gets 409; with the lock server off or unreachable, 503."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from src.model.errors import ConflictError, ServiceUnavailableError
from src.request_handlers.custom_request_handler import CustomRequestHandler
from src.utils.concurrency.lock_errors import ExistingLockError, LockServerUnavailable

if TYPE_CHECKING:
    from src.utils.concurrency.lock_manager import LockManager


class ExampleLockingHandler(CustomRequestHandler):
    SUPPORTED_METHODS = ("GET", "OPTIONS")

    def initialize(self, lock_manager: LockManager | None) -> None:
        self._lock_manager = lock_manager

    @property
    def lock_manager(self) -> LockManager:
        """The process's `LockManager`; 503 when the lock server is switched off."""
        if self._lock_manager is None:
            raise ServiceUnavailableError("the lock server is disabled (start with --lock_server)")
        return self._lock_manager

    async def get(self, lock_id: str) -> None:
        manager = self.lock_manager
        self.log_fields["lock"] = lock_id
        try:
            async with manager.lock(lock_id, blocking=False):
                await asyncio.sleep(self.context.server.locking_hold_seconds)
        except ExistingLockError:
            raise ConflictError(f"lock {lock_id!r} is held by another request") from None
        except LockServerUnavailable as error:
            raise ServiceUnavailableError("the lock server is unavailable", lock_error=str(error)) from None
        self.make_response({"lock": lock_id})
