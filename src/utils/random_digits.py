"""Random hex digits for the ids and tokens made per request (request and trace ids, document revisions).

Each `os.urandom` call is a system call, during which the event loop's thread lets go of the GIL (and may then
wait for the store's thread to give it back); a write needed two. Here the digits come from a pool of
`os.urandom` bytes drawn 4 KiB at a time: the same randomness, one system call per ~100 requests. A forked child
empties its pool first, so no two processes hand out the same digits.
"""

from __future__ import annotations

import os
import threading

_POOL_BYTES = 4096


class _Pool:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._digits = ""
        self._taken = 0

    def take(self, count: int) -> str:
        with self._lock:  # two threads must never get the same digits
            start = self._taken
            end = start + count
            if end > len(self._digits):
                self._digits = os.urandom(max(_POOL_BYTES, count)).hex()
                start, end = 0, count
            self._taken = end
            return self._digits[start:end]

    def empty(self) -> None:
        self._lock = threading.Lock()  # a lock held at the fork stays held in the child
        self._digits = ""
        self._taken = 0


_pool = _Pool()
os.register_at_fork(after_in_child=_pool.empty)


def random_hex(count: int) -> str:
    """`count` random hex digits (lowercase), from `os.urandom`'s bytes."""
    return _pool.take(count)
