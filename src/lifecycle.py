"""A worker's life after start-up: the components it set up, each paired with its teardown, and the count of
requests still in flight (the ground floor: imports nothing of src).

Each component is one `@asynccontextmanager`: the code before `yield` sets it up, the code after tears it down,
so the two can never drift apart (aiohttp's `cleanup_ctx` pairs them the same way). `Lifecycle` enters them on
one `contextlib.AsyncExitStack`, so shutdown runs the teardowns in reverse order of set-up, and a failed start-up
tears down exactly what had been set up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import TypeVar

T = TypeVar("T")

TEARDOWN_TIMEOUT_SECONDS = 5.0

# A dependency check for `/health`: a coroutine function that returns when the dependency answers, raises if not.
HealthCheck = Callable[[], Awaitable[object]]


class NotStartedError(RuntimeError):
    """A process-wide object (database, lock manager, HTTP client) used before start-up made it or after
    shutdown closed it: the one error every façade (`Mongo.get()`, `LockManager.get()`...) raises."""

    def __init__(self, what: str, hint: str = "") -> None:
        super().__init__(f"{what} is not started{hint}")
        self.what = what
        # What a client is told (a 503): no internal names.
        self.public_message = f"{what} is not started"


class InFlightRequests:
    """Counts requests between handler creation and finish, so shutdown can wait for them to complete."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def enter(self) -> None:
        self.count += 1
        self._idle.clear()

    def leave(self) -> None:
        self.count -= 1
        if self.count <= 0:
            self.count = 0
            self._idle.set()

    async def wait_idle(self, timeout: float) -> bool:
        """True when every request finished within `timeout` seconds."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True


class Lifecycle:
    """The components a worker started; `shutdown()` tears them down, last started first."""

    def __init__(self) -> None:
        self._stack = AsyncExitStack()

    async def start(self, name: str, component: AbstractAsyncContextManager[T]) -> T:
        """Set `component` up now and return what it yields; its teardown runs at `shutdown()`."""
        return await self._stack.enter_async_context(_bounded_teardown(name, component))

    async def shutdown(self) -> None:
        await self._stack.aclose()


@asynccontextmanager
async def _bounded_teardown(name: str, component: AbstractAsyncContextManager[T]) -> AsyncIterator[T]:
    """A teardown that fails or hangs is logged and given up after a few seconds; the others still run."""
    value = await component.__aenter__()
    try:
        yield value
    finally:
        try:
            await asyncio.wait_for(component.__aexit__(None, None, None), TEARDOWN_TIMEOUT_SECONDS)
        except Exception:  # one failing teardown must not keep the others from running
            logging.getLogger("tornado_boilerplate.server").exception("shutdown hook %s failed", name)
