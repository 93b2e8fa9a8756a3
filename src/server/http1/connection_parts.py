"""Two small parts of an httptools connection: the IOStream look-alike the server's bookkeeping talks to, and
the connection's one timer."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from src.request_handlers.request_guards import RequestDeadline

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
    """Calls `on_expiry` once the deadline last set passes, on the server's shared deadline queues
    (`RequestDeadline`: one loop timer per length of deadline), instead of a timer made and cancelled per request."""

    def __init__(self, on_expiry: Callable[[], None]) -> None:
        self._on_expiry = on_expiry
        self._pending: RequestDeadline | None = None

    def set(self, seconds: float | None) -> None:
        """Expire `seconds` from now (None: not at all)."""
        self.clear()
        if seconds is not None:
            self._pending = RequestDeadline(seconds, self._on_expiry)

    def clear(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
