"""`GET /locking/{lock_id}`: the spec's lock example. Holds the distributed lock `lock_id` for
`--locking_hold_seconds` (default 2 s), then answers 200 `{"lock": id}`. A request for an id that is held (by this
or any other process sharing the etcd) gets 409; with the lock server off or unreachable, 503."""

from __future__ import annotations

import asyncio

from src.model.errors import ConflictError, ServiceUnavailableError
from src.request_handlers.custom_request_handler import CustomRequestHandler
from src.utils.concurrency.lock_errors import ExistingLockError, LockServerUnavailable


class ExampleLockingHandler(CustomRequestHandler):
    SUPPORTED_METHODS = ("GET", "OPTIONS")

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
