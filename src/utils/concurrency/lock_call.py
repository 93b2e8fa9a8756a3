"""`LockCall`: what `LockManager.acquire()` and `release()` return — a coroutine that refuses to be used as a bool.

The spec's `if LockManager.get().acquire(lock_id):` reads naturally but, without `await`, tests a coroutine
object, which is always true: the caller goes on as if it held a lock it never took. A `LockCall` is awaited
exactly like the coroutine it wraps (and accepted by `asyncio.create_task`/`gather`), but `bool()` of it raises
`TypeError`, and one that is dropped without being awaited warns (RuntimeWarning) when it is collected.
"""

from __future__ import annotations

import warnings
from collections.abc import Coroutine, Generator
from types import TracebackType
from typing import Any, TypeVar

T = TypeVar("T")


class LockCall(Coroutine[Any, Any, T]):
    """A coroutine of a lock operation (`description`, e.g. `acquire('report')`) that must be awaited."""

    __slots__ = ("_coroutine", "_description", "_started")

    def __init__(self, coroutine: Coroutine[Any, Any, T], description: str) -> None:
        self._coroutine = coroutine
        self._description = description
        self._started = False

    def __bool__(self) -> bool:
        self._started = True
        self._coroutine.close()
        raise TypeError(f"LockManager.{self._description} is a coroutine: await it "
                        f"(`if await manager.{self._description}:`); without await it is always true")

    def __await__(self) -> Generator[Any, None, T]:
        self._started = True
        return self._coroutine.__await__()

    def send(self, value: Any) -> Any:
        self._started = True
        return self._coroutine.send(value)

    def throw(self, typ: Any, val: Any = None, tb: TracebackType | None = None) -> Any:
        self._started = True
        if val is None and tb is None:
            return self._coroutine.throw(typ)
        return self._coroutine.throw(typ, val, tb)

    def close(self) -> None:
        self._started = True
        self._coroutine.close()

    def __del__(self) -> None:
        if not self._started:
            self._coroutine.close()  # the wrapped coroutine's own warning would name an internal method
            warnings.warn(f"LockManager.{self._description} was never awaited: the lock operation did not happen",
                          RuntimeWarning, stacklevel=2)

    def __repr__(self) -> str:
        return f"<LockCall {self._description}>"
