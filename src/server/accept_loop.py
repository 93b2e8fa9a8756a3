"""Accepting connections without spinning at the file-descriptor limit.

Tornado's accept handler lets an `accept()` error escape: at the descriptor limit (EMFILE) the listening socket
stays readable, so the handler fails on every loop turn, using a whole core and logging a traceback each time.
`AcceptLoop` instead pauses accepting for a moment after such an error (the pending connections wait in the
kernel's backlog) and reports the errors through a `RateLimitedLog`: one line per interval, with a count.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable

from tornado.ioloop import IOLoop

PAUSE_SECONDS = 0.1
# Connections accepted per readiness event before other work gets the loop (Tornado's own backlog figure).
_ACCEPTS_PER_EVENT = 128


class RateLimitedLog:
    """A warning logged at most once per `interval` seconds: the first occurrence at once, later ones as a count
    when the interval is over."""

    def __init__(self, logger: logging.Logger, message: str, interval: float = 10.0) -> None:
        self.logger = logger
        self.message = message
        self.interval = interval
        self.total = 0
        self._pending = 0
        self._last_detail = ""
        self._last_logged = -interval
        self._flush_scheduled = False

    def record(self, detail: str) -> None:
        self.total += 1
        self._pending += 1
        self._last_detail = detail
        if time.monotonic() - self._last_logged >= self.interval:
            self._flush()
        elif not self._flush_scheduled:
            self._flush_scheduled = True
            IOLoop.current().call_at(IOLoop.current().time() + self.interval, self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        if self._pending:
            self.logger.warning("%s: %s (%d time(s) in the last %.0f s)", self.message, self._last_detail,
                                self._pending, self.interval)
            self._pending = 0
            self._last_logged = time.monotonic()


class AcceptLoop:
    """Accepts connections on one listening socket and hands each to `on_connection(sock, address)`."""

    def __init__(self, sock: socket.socket, on_connection: Callable[[socket.socket, object], None],
                 errors: RateLimitedLog) -> None:
        self.sock = sock
        self.on_connection = on_connection
        self.errors = errors
        self.io_loop = IOLoop.current()
        self._watching = False
        self._closed = False
        self._watch()

    def close(self) -> None:
        self._closed = True
        self._unwatch()
        self.sock.close()

    def _watch(self) -> None:
        if not self._closed and not self._watching:
            self.io_loop.add_handler(self.sock, self._accept_ready, IOLoop.READ)
            self._watching = True

    def _unwatch(self) -> None:
        if self._watching:
            self.io_loop.remove_handler(self.sock)
            self._watching = False

    def _accept_ready(self, _fd: object, _events: int) -> None:
        for _ in range(_ACCEPTS_PER_EVENT):
            if not self._watching:
                return
            try:
                connection, address = self.sock.accept()
            except BlockingIOError:
                return
            except ConnectionAbortedError:
                continue  # the client gave up while queued: nothing to do
            except OSError as error:  # EMFILE/ENFILE/ENOBUFS/ENOMEM above all: wait for resources to free up
                self.errors.record(f"accept() failed: {error.strerror or error}")
                self._unwatch()
                self.io_loop.call_later(PAUSE_SECONDS, self._watch)
                return
            self.on_connection(connection, address)
