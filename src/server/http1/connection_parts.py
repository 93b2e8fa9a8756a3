"""Two small parts of an httptools connection: the IOStream look-alike the server's bookkeeping talks to, and
the connection's one timer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from src.server.http1.protocol import HTTP1Protocol


class TransportStream:
    """The part of Tornado's IOStream the server's bookkeeping and `_HTTPRequestContext` use."""

    def __init__(self, channel: HTTP1Protocol) -> None:
        self._channel = channel
        self.socket: Any = None  # the transport's socket, for its address family

    def close(self) -> None:
        self._channel.close_transport()

    def closed(self) -> bool:
        return self._channel.closing


class Deadline:
    """Calls `on_expiry` once the deadline last set passes. One timer per connection, re-armed lazily when the
    deadline moves, instead of a timer made and cancelled per request."""

    def __init__(self, on_expiry: Callable[[], None]) -> None:
        self._on_expiry = on_expiry
        self._when: float | None = None
        self._timer: asyncio.TimerHandle | None = None

    def set(self, seconds: float | None) -> None:
        """Expire `seconds` from now (None: not at all)."""
        loop = asyncio.get_running_loop()
        self._when = None if seconds is None else loop.time() + seconds
        if self._when is not None and self._timer is None:
            self._timer = loop.call_at(self._when, self._check)

    def clear(self) -> None:
        self._when = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _check(self) -> None:
        self._timer = None
        if self._when is None:
            return
        loop = asyncio.get_running_loop()
        if loop.time() >= self._when:
            self._when = None
            self._on_expiry()
        else:
            self._timer = loop.call_at(self._when, self._check)
