"""Protections every handler gets from `CustomRequestHandler`: security headers on every answer, the optional
API token on write methods, and the optional per-request time limit."""

from __future__ import annotations

import asyncio
import hmac
import itertools
import logging
import weakref
from collections.abc import Callable
from typing import ClassVar

from tornado import httputil
from tornado.web import RequestHandler

from src.model.errors import UnauthorizedError

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WWW_AUTHENTICATE = 'Bearer realm="tornado-boilerplate"'
HSTS = "max-age=31536000"


def security_headers(tls: bool) -> tuple[tuple[str, str], ...]:
    """No MIME sniffing, no referrer leaking to other sites, and HSTS over TLS (the handler also drops the
    `Server` header, so no server version is sent)."""
    headers = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"))
    return (*headers, ("Strict-Transport-Security", HSTS)) if tls else headers


def check_api_token(request: httputil.HTTPServerRequest, token: str | None) -> None:
    """With a token configured, write methods need `Authorization: Bearer <token>` (compared in constant time);
    401 otherwise. Reads, preflights and probes stay open."""
    if token is None or request.method not in WRITE_METHODS:
        return
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(credentials.strip().encode(), token.encode()):
        raise UnauthorizedError("this method requires the API token: Authorization: Bearer <token>")


class RequestDeadline:
    """Calls `on_expiry` if the request is still unanswered after `seconds` (--request_timeout; the connection
    uses it for --body_timeout too).

    Every request of a server has the same limit, so deadlines expire in the order they were set: they wait in
    one queue per loop and limit, served by a single loop timer for the oldest, instead of a timer per request
    that is nearly always cancelled."""

    def __init__(self, seconds: float, on_expiry: Callable[[], None]) -> None:
        self._queue = _DeadlineQueue.of(seconds) if seconds > 0 else None
        self._key = self._queue.add(on_expiry) if self._queue is not None else 0

    def cancel(self) -> None:
        if self._queue is not None:
            self._queue.discard(self._key)
            self._queue = None


class _DeadlineQueue:
    """Deadlines of one length on one loop, oldest first; a timer is set for the oldest only."""

    _queues: ClassVar[weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[float, _DeadlineQueue]]] = (
        weakref.WeakKeyDictionary())
    # The loop asked about last and its queues: a weak-keyed look-up makes a weak reference every time.
    _last: ClassVar[tuple[weakref.ref[asyncio.AbstractEventLoop], dict[float, _DeadlineQueue]] | None] = None

    def __init__(self, loop: asyncio.AbstractEventLoop, seconds: float) -> None:
        self._loop = loop
        self._seconds = seconds
        self._pending: dict[int, tuple[float, Callable[[], None]]] = {}
        self._keys = itertools.count()
        self._timer: asyncio.TimerHandle | None = None

    @classmethod
    def of(cls, seconds: float) -> _DeadlineQueue:
        loop = asyncio.get_running_loop()
        last = cls._last
        if last is not None and last[0]() is loop:
            queues = last[1]
        else:
            queues = cls._queues.setdefault(loop, {})
            cls._last = (weakref.ref(loop), queues)
        queue = queues.get(seconds)
        if queue is None:
            queue = queues[seconds] = cls(loop, seconds)
        return queue

    def add(self, on_expiry: Callable[[], None]) -> int:
        key = next(self._keys)
        due = self._loop.time() + self._seconds
        self._pending[key] = (due, on_expiry)
        if self._timer is None:
            self._timer = self._loop.call_at(due, self._expire)
        return key

    def discard(self, key: int) -> None:
        self._pending.pop(key, None)

    def _expire(self) -> None:
        self._timer = None
        now = self._loop.time()
        while self._pending:
            key = next(iter(self._pending))
            due, on_expiry = self._pending[key]
            if due > now:
                self._timer = self._loop.call_at(due, self._expire)
                return
            del self._pending[key]
            self._loop.call_soon(on_expiry)  # each in its own callback: one that raises stops no other


def log_slow_handler(handler: RequestHandler, seconds: float) -> None:
    logging.getLogger("tornado_boilerplate.server").warning(
        "slow handler %s: %s %s unanswered after %g s (--request_timeout); answered 503",
        type(handler).__name__, handler.request.method, handler.request.path, seconds)
