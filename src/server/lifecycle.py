"""What a worker process runs when it stops: shutdown hooks, and the count of requests still in flight."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable

ShutdownHook = Callable[[], Awaitable[object] | object]

HOOK_TIMEOUT_SECONDS = 5.0


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
    """Shutdown hooks registered by the components a worker starts; run last-registered first."""

    def __init__(self) -> None:
        self._hooks: list[tuple[str, ShutdownHook]] = []

    def on_shutdown(self, name: str, hook: ShutdownHook) -> None:
        self._hooks.append((name, hook))

    async def shutdown(self) -> None:
        logger = logging.getLogger("tornado_boilerplate.server")
        while self._hooks:
            name, hook = self._hooks.pop()
            try:
                result = hook()
                if inspect.isawaitable(result):
                    await asyncio.wait_for(result, HOOK_TIMEOUT_SECONDS)
            except Exception:  # one failing hook must not keep the others from running
                logger.exception("shutdown hook %s failed", name)
