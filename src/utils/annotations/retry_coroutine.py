"""`retry_coroutine`: run a coroutine again when it fails with a transient error.

    @retry_coroutine(attempts=3, base_delay=0.1, max_delay=1.0, deadline=8.0)
    async def fetch(self) -> Any: ...

Between tries it sleeps with exponential backoff, capped, with full jitter (a uniform draw in
`[0, min(max_delay, base_delay * multiplier ** (try - 1))]`), so callers that failed together do not retry
together. Only the exception types in `retry_on` are retried (by default the transient outbound failures:
unavailable, timed out, 5xx; never a 4xx); anything else, and the last failure, reaches the caller unchanged.
The deadline bounds the whole call, tries and sleeps together: a try still running when it passes is cancelled
and `RetryDeadlineError` is raised, and no sleep starts that would end after it (the last failure is raised at
once instead). Cancelling the caller stops everything at once: `CancelledError` is never retried. Every try is
logged; `current_attempt()` tells code running inside a try which one it is (the HTTP connector logs it).
Retry only what is safe to repeat: narrow `retry_on` for calls that are not idempotent.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import random
import time
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from typing import Any, NamedTuple, ParamSpec, TypeVar, overload

from src.model.errors.upstream_errors import TRANSIENT_UPSTREAM_ERRORS

P = ParamSpec("P")
T = TypeVar("T")

Sleep = Callable[[float], Awaitable[object]]
CoroutineFunction = Callable[P, Awaitable[T]]

_attempt: ContextVar[int] = ContextVar("retry_attempt", default=1)

logger = logging.getLogger("tornado_boilerplate.retry")


class RetryDeadlineError(TimeoutError):
    """The overall deadline passed while a try was still running; that try was cancelled."""

    def __init__(self, name: str, deadline: float, attempt: int) -> None:
        super().__init__(f"{name}: the deadline of {deadline:g} s passed during attempt {attempt}")
        self.deadline = deadline
        self.attempt = attempt


def current_attempt() -> int:
    """The number (1-based) of the try running now; 1 outside any retried coroutine."""
    return _attempt.get()


class RetryPolicy(NamedTuple):
    """How `retry_coroutine` retries; `draw` (uniform in [0, 1)), `sleep` and `clock` are injectable for tests.
    A NamedTuple, not a frozen dataclass, which would compile its methods at every start: `checked()` refuses
    options that make no sense, as `retry_coroutine` does when it decorates."""

    attempts: int = 3
    base_delay: float = 0.1
    max_delay: float = 2.0
    multiplier: float = 2.0
    retry_on: tuple[type[BaseException], ...] = TRANSIENT_UPSTREAM_ERRORS
    deadline: float | None = 10.0
    draw: Callable[[], float] = random.random
    sleep: Sleep = asyncio.sleep
    clock: Callable[[], float] = time.monotonic
    log: logging.Logger = logger

    def checked(self) -> RetryPolicy:
        """This policy; ValueError for options that make no sense."""
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0 or self.multiplier < 1:
            raise ValueError("delays must be >= 0 and the multiplier >= 1")
        if self.deadline is not None and self.deadline <= 0:
            raise ValueError("the deadline must be positive (or None for no deadline)")
        return self

    def ceiling(self, attempt: int) -> float:
        """The largest delay after failed try number `attempt`: exponential, capped at `max_delay`."""
        return min(self.max_delay, self.base_delay * self.multiplier ** (attempt - 1))

    def delay(self, attempt: int) -> float:
        """Full jitter: uniform in [0, ceiling]."""
        return self.draw() * self.ceiling(attempt)

    async def run(self, name: str, call: Callable[[], Awaitable[T]]) -> T:
        started = self.clock()
        attempt = 1
        while True:
            token = _attempt.set(attempt)
            try:
                result = await self._try_once(name, call, attempt, started)
            except (asyncio.CancelledError, RetryDeadlineError):
                raise  # even when `retry_on` is as broad as BaseException
            except self.retry_on as error:
                failure: BaseException = error
            else:
                self.log.log(logging.INFO if attempt > 1 else logging.DEBUG,
                             "retry %s: attempt %d/%d succeeded", name, attempt, self.attempts)
                return result
            finally:
                _attempt.reset(token)
            await self._pause_or_give_up(name, attempt, failure, started)
            attempt += 1

    async def _try_once(self, name: str, call: Callable[[], Awaitable[T]], attempt: int, started: float) -> T:
        if self.deadline is None:
            return await call()
        remaining = self.deadline - (self.clock() - started)
        if remaining <= 0:
            raise RetryDeadlineError(name, self.deadline, attempt)
        try:
            async with asyncio.timeout(remaining) as scope:
                return await call()
        except TimeoutError:
            if not scope.expired():
                raise  # the call's own timeout, not the deadline
        self.log.warning("retry %s: attempt %d/%d cut by the deadline of %g s; giving up", name, attempt,
                         self.attempts, self.deadline)
        raise RetryDeadlineError(name, self.deadline, attempt)

    async def _pause_or_give_up(self, name: str, attempt: int, failure: BaseException, started: float) -> None:
        """Sleep before the next try, or raise `failure` when no try is left or the deadline would pass."""
        if attempt >= self.attempts:
            self.log.warning("retry %s: attempt %d/%d failed (%s); giving up", name, attempt, self.attempts,
                             _describe(failure))
            raise failure
        delay = self.delay(attempt)
        if self.deadline is not None:
            remaining = self.deadline - (self.clock() - started)
            if delay >= remaining:
                self.log.warning("retry %s: attempt %d/%d failed (%s); giving up, the deadline of %g s is "
                                 "%.3f s away", name, attempt, self.attempts, _describe(failure), self.deadline,
                                 max(remaining, 0.0))
                raise failure
        self.log.warning("retry %s: attempt %d/%d failed (%s); retrying in %.3f s", name, attempt, self.attempts,
                         _describe(failure), delay)
        await self.sleep(delay)  # a cancellation here propagates at once: no further tries


@overload
def retry_coroutine(function: CoroutineFunction[P, T], /) -> Callable[P, Coroutine[Any, Any, T]]: ...


@overload
def retry_coroutine(
    function: None = None, /, *, attempts: int = ..., base_delay: float = ..., max_delay: float = ...,
    multiplier: float = ..., retry_on: tuple[type[BaseException], ...] = ..., deadline: float | None = ...,
    draw: Callable[[], float] = ..., sleep: Sleep = ..., clock: Callable[[], float] = ...,
    log: logging.Logger = ...,
) -> Callable[[CoroutineFunction[P, T]], Callable[P, Coroutine[Any, Any, T]]]: ...


def retry_coroutine(function: Any = None, /, **options: Any) -> Any:
    """Decorate a coroutine function (bare `@retry_coroutine`, or with `RetryPolicy` fields as options).

    Misuse fails here, at decoration time, with a message saying what to write instead: a positional argument
    that is not a coroutine function (`@retry_coroutine(SomeError)` would otherwise turn the decorated function
    into a coroutine object), or a plain `def` whose result could not be awaited."""
    if function is not None:
        _check_decorated(function)
    policy = RetryPolicy(**options).checked()

    def decorate(wrapped: CoroutineFunction[P, T]) -> Callable[P, Coroutine[Any, Any, T]]:
        _check_decorated(wrapped)
        name = getattr(wrapped, "__qualname__", repr(wrapped))

        @functools.wraps(wrapped)
        async def retrying(*args: P.args, **kwargs: P.kwargs) -> T:
            return await policy.run(name, lambda: wrapped(*args, **kwargs))

        retrying.retry_policy = policy  # type: ignore[attr-defined]
        return retrying

    if function is not None:
        return decorate(function)
    return decorate


def _check_decorated(candidate: object) -> None:
    if isinstance(candidate, type) and issubclass(candidate, BaseException):
        raise TypeError(f"retry_coroutine({candidate.__name__}): pass the errors to retry as a keyword, "
                        f"@retry_coroutine(retry_on=({candidate.__name__},))")
    if isinstance(candidate, tuple):
        raise TypeError("retry_coroutine((...)): pass the errors to retry as a keyword, "
                        "@retry_coroutine(retry_on=(...))")
    call = getattr(candidate, "__call__", None)  # noqa: B004 - an object with `async def __call__` qualifies
    if not (inspect.iscoroutinefunction(candidate) or inspect.iscoroutinefunction(call)):
        shown = getattr(candidate, "__qualname__", None) or repr(candidate)
        raise TypeError(f"retry_coroutine decorates coroutine functions (async def); {shown} is not one "
                        "(options are keywords: @retry_coroutine(attempts=3))")


def _describe(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
