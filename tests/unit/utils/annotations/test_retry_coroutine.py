"""`retry_coroutine`: which errors are retried, backoff with full jitter, deadline, cancellation, logging.

Sleep, random draw and clock are injected: no test here waits for a real backoff."""

from __future__ import annotations

import asyncio
import logging
import random

import pytest

from src.model.errors.upstream_errors import (
    UpstreamBadResponse,
    UpstreamClientError,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from src.utils.annotations.retry_coroutine import (
    RetryDeadlineError,
    RetryPolicy,
    current_attempt,
    retry_coroutine,
)

URL = "http://upstream.test/x"


class FakeTime:
    """A clock that only moves when the retried code sleeps (or a test advances it)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Script:
    """A coroutine function that raises the scripted errors in turn, then returns `result`."""

    def __init__(self, *errors: BaseException, result: object = "done") -> None:
        self.errors = list(errors)
        self.result = result
        self.calls = 0
        self.attempts_seen: list[int] = []

    async def __call__(self) -> object:
        self.calls += 1
        self.attempts_seen.append(current_attempt())
        if self.errors:
            raise self.errors.pop(0)
        return self.result


def retried(script: Script, time_: FakeTime, **options):
    return retry_coroutine(sleep=time_.sleep, clock=time_.clock, draw=lambda: 0.5, **options)(script)


async def test_transient_failures_are_retried_until_success():
    time_ = FakeTime()
    script = Script(UpstreamError("503", upstream_status=503, method="GET", url=URL),
                    UpstreamUnavailable("refused", method="GET", url=URL))
    assert await retried(script, time_)() == "done"
    assert script.calls == 3
    assert script.attempts_seen == [1, 2, 3]
    assert time_.sleeps == [0.05, 0.1]  # draw 0.5 x base 0.1 x 2^(n-1)


async def test_timeouts_are_transient_by_default():
    time_ = FakeTime()
    script = Script(UpstreamTimeout("slow", method="GET", url=URL))
    assert await retried(script, time_)() == "done"
    assert script.calls == 2


@pytest.mark.parametrize("error", [
    UpstreamClientError("404", upstream_status=404, method="GET", url=URL),
    UpstreamBadResponse("not json", method="GET", url=URL),
    ValueError("a bug"),
])
async def test_non_transient_errors_are_raised_at_once(error):
    time_ = FakeTime()
    script = Script(error)
    with pytest.raises(type(error)) as raised:
        await retried(script, time_)()
    assert raised.value is error
    assert script.calls == 1
    assert time_.sleeps == []


async def test_the_last_failure_is_raised_after_every_attempt():
    time_ = FakeTime()
    errors = [UpstreamError(f"try {n}", method="GET", url=URL) for n in range(5)]
    script = Script(*errors)
    with pytest.raises(UpstreamError) as raised:
        await retried(script, time_, attempts=4)()
    assert raised.value is errors[3]
    assert script.calls == 4
    assert len(time_.sleeps) == 3


async def test_retry_on_chooses_what_is_retried():
    time_ = FakeTime()
    script = Script(KeyError("a"), KeyError("b"))
    assert await retried(script, time_, retry_on=(KeyError,))() == "done"
    assert script.calls == 3
    script = Script(UpstreamError("5xx", method="GET", url=URL))
    with pytest.raises(UpstreamError):
        await retried(script, time_, retry_on=(KeyError,))()
    assert script.calls == 1


def test_full_jitter_stays_within_the_exponential_capped_bound():
    generator = random.Random(20240607)
    policy = RetryPolicy(base_delay=0.1, max_delay=1.0, multiplier=2.0, draw=generator.random)
    assert [policy.ceiling(n) for n in range(1, 7)] == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.0, 1.0])
    for attempt in range(1, 12):
        delays = [policy.delay(attempt) for _ in range(500)]
        ceiling = min(1.0, 0.1 * 2 ** (attempt - 1))
        assert all(0.0 <= delay <= ceiling for delay in delays)
        # Full jitter spreads over the whole range, not around the ceiling.
        assert min(delays) < ceiling * 0.1
        assert max(delays) > ceiling * 0.9


def test_the_jitter_draw_scales_the_ceiling():
    assert RetryPolicy(base_delay=0.2, draw=lambda: 0.0).delay(3) == 0.0
    assert RetryPolicy(base_delay=0.2, draw=lambda: 0.25).delay(3) == pytest.approx(0.2)
    assert RetryPolicy(base_delay=0.2, max_delay=0.5, draw=lambda: 0.5).delay(10) == pytest.approx(0.25)


async def test_no_sleep_starts_that_would_end_after_the_deadline():
    time_ = FakeTime()

    async def slow_failure() -> None:
        time_.now += 3.0  # each try takes 3 s of (fake) time
        raise UpstreamError("5xx", method="GET", url=URL)

    calls = []

    async def counted() -> None:
        calls.append(current_attempt())
        await slow_failure()

    retrying = retry_coroutine(attempts=5, base_delay=1.0, max_delay=4.0, deadline=7.0, draw=lambda: 0.99,
                               sleep=time_.sleep, clock=time_.clock)(counted)
    with pytest.raises(UpstreamError):
        await retrying()
    # t=3 fail, sleep 0.99 -> t=3.99, fail at 6.99; the next sleep (1.98) would pass the 7 s deadline.
    assert calls == [1, 2]
    assert time_.sleeps == pytest.approx([0.99])


async def test_a_try_running_past_the_deadline_is_cancelled():
    hung = asyncio.Event()
    cancelled = []

    async def hangs() -> None:
        try:
            await hung.wait()
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    retrying = retry_coroutine(deadline=0.01)(hangs)
    with pytest.raises(RetryDeadlineError) as raised:
        await retrying()
    assert isinstance(raised.value, TimeoutError)
    assert raised.value.attempt == 1
    assert cancelled == [True]


async def test_a_deadline_error_is_not_retried_even_when_timeouts_are():
    async def hangs() -> None:
        await asyncio.Event().wait()

    calls = []

    async def counted() -> None:
        calls.append(1)
        await hangs()

    with pytest.raises(RetryDeadlineError):
        await retry_coroutine(deadline=0.01, retry_on=(TimeoutError,))(counted)()
    assert calls == [1]


async def test_cancellation_during_the_backoff_sleep_stops_further_attempts():
    calls = []

    sleeping = asyncio.Event()

    async def sleep_forever(seconds: float) -> None:
        sleeping.set()
        await asyncio.Event().wait()

    async def failing() -> None:
        calls.append(current_attempt())
        raise UpstreamUnavailable("refused", method="GET", url=URL)

    task = asyncio.create_task(retry_coroutine(sleep=sleep_forever, attempts=5)(failing)())
    await sleeping.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(5):
        await asyncio.sleep(0)
    assert calls == [1]


async def test_cancellation_inside_a_try_is_never_retried():
    time_ = FakeTime()
    script = Script(asyncio.CancelledError())
    with pytest.raises(asyncio.CancelledError):
        await retried(script, time_, retry_on=(BaseException,))()
    assert script.calls == 1


async def test_every_try_is_logged(caplog):
    time_ = FakeTime()
    script = Script(UpstreamError("upstream answered 503", method="GET", url=URL),
                    UpstreamError("again", method="GET", url=URL))
    with caplog.at_level(logging.DEBUG, logger="tornado_boilerplate.retry"):
        await retried(script, time_)()
    lines = [record.getMessage() for record in caplog.records if record.name == "tornado_boilerplate.retry"]
    assert len(lines) == 3
    assert "attempt 1/3 failed (UpstreamError: upstream answered 503); retrying in 0.050 s" in lines[0]
    assert "attempt 2/3 failed" in lines[1]
    assert "attempt 3/3 succeeded" in lines[2]
    assert "Script" in lines[0]


async def test_giving_up_is_logged(caplog):
    time_ = FakeTime()
    script = Script(*[UpstreamError("down", method="GET", url=URL)] * 2)
    with caplog.at_level(logging.INFO, logger="tornado_boilerplate.retry"), pytest.raises(UpstreamError):
        await retried(script, time_, attempts=2)()
    assert "attempt 2/2 failed (UpstreamError: down); giving up" in caplog.records[-1].getMessage()


async def test_methods_can_be_decorated_and_keep_their_name():
    time_ = FakeTime()

    class Connector:
        def __init__(self) -> None:
            self.calls = 0

        @retry_coroutine(sleep=time_.sleep, clock=time_.clock)
        async def fetch(self, value: int) -> int:
            """Doc."""
            self.calls += 1
            if self.calls < 2:
                raise UpstreamError("5xx", method="GET", url=URL)
            return value * 2

    connector = Connector()
    assert await connector.fetch(21) == 42
    assert connector.calls == 2
    assert Connector.fetch.__name__ == "fetch"
    assert Connector.fetch.__doc__ == "Doc."


async def test_bare_decorator_uses_the_defaults():
    @retry_coroutine
    async def succeed() -> str:
        return "ok"

    assert await succeed() == "ok"
    policy = succeed.retry_policy  # type: ignore[attr-defined]
    assert (policy.attempts, policy.deadline) == (3, 10.0)
    assert UpstreamClientError not in policy.retry_on


def test_the_attempt_number_is_1_outside_a_retried_call():
    assert current_attempt() == 1


@pytest.mark.parametrize("options", [{"attempts": 0}, {"base_delay": -1}, {"multiplier": 0.5}, {"deadline": 0}])
def test_invalid_options_are_refused(options):
    with pytest.raises(ValueError):
        retry_coroutine(**options)
    with pytest.raises(ValueError):
        RetryPolicy(**options).checked()
    assert RetryPolicy().checked() == RetryPolicy()


async def test_no_deadline_means_only_attempts_bound_the_call():
    time_ = FakeTime()
    script = Script(*[UpstreamError("5xx", method="GET", url=URL)] * 4)
    assert await retried(script, time_, attempts=5, deadline=None)() == "done"
    assert script.calls == 5


async def test_a_try_is_not_started_once_the_deadline_has_passed():
    time_ = FakeTime()

    async def oversleep(seconds: float) -> None:
        time_.now += 60.0  # the pause took far longer than asked

    script = Script(UpstreamError("5xx", method="GET", url=URL))
    retrying = retry_coroutine(deadline=5.0, sleep=oversleep, clock=time_.clock)(script)
    with pytest.raises(RetryDeadlineError) as raised:
        await retrying()
    assert raised.value.attempt == 2
    assert script.calls == 1


async def test_the_calls_own_timeout_error_is_not_mistaken_for_the_deadline():
    time_ = FakeTime()
    own = TimeoutError("the call's own timeout")
    script = Script(own)
    with pytest.raises(TimeoutError) as raised:
        await retried(script, time_)()
    assert raised.value is own
    assert not isinstance(raised.value, RetryDeadlineError)


async def test_bare_and_with_arguments_both_decorate() -> None:
    @retry_coroutine
    async def bare() -> str:
        return "bare"

    @retry_coroutine(attempts=2)
    async def with_arguments() -> str:
        return "with arguments"

    assert (await bare(), await with_arguments()) == ("bare", "with arguments")
    assert with_arguments.retry_policy.attempts == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize(("argument", "hint"), [
    (UpstreamError, r"retry_on=\(UpstreamError,\)"),
    ((UpstreamError, TimeoutError), r"retry_on=\(\.\.\.\)"),
    (3, "options are keywords"),
])
def test_a_positional_argument_that_is_not_a_coroutine_function_fails_at_decoration(argument, hint):
    with pytest.raises(TypeError, match=hint):
        retry_coroutine(argument)


def test_decorating_a_plain_function_fails_at_decoration():
    def not_a_coroutine() -> int:
        return 1

    with pytest.raises(TypeError, match="not_a_coroutine is not one"):
        retry_coroutine(not_a_coroutine)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="coroutine functions"):
        retry_coroutine(attempts=2)(not_a_coroutine)  # type: ignore[arg-type]
