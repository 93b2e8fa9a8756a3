"""`StoreThread`, the embedded store's one thread: calls run in order off the loop, each answer (or error) reaches
its caller, answers finished while the loop is busy share one wake-up, and the thread survives callers that
gave up or whose loop is gone."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest

from src.database.embedded.client import StoreThread

WAIT_SECONDS = 10.0  # only a hang reaches it


def threads_named(name: str) -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == name]


def counting_wake_ups(loop: asyncio.AbstractEventLoop) -> list[int]:
    """Counts the loop's `call_soon_threadsafe` calls (each one wakes the loop from another thread)."""
    calls = [0]
    original: Callable[..., Any] = loop.call_soon_threadsafe

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    setattr(loop, "call_soon_threadsafe", counted)  # noqa: B010 - an instance attribute shadows the method
    return calls


async def test_calls_run_in_order_on_one_thread_and_answer_their_callers() -> None:
    store = StoreThread("test-store-order")
    ran: list[tuple[int, str]] = []

    def record(number: int) -> int:
        ran.append((number, threading.current_thread().name))
        return number * 10

    try:
        answers = await asyncio.gather(*(store.submit(record, number) for number in range(20)))
    finally:
        store.stop()
    assert answers == [number * 10 for number in range(20)]
    assert ran == [(number, "test-store-order") for number in range(20)]


async def test_an_error_is_raised_at_its_caller_only() -> None:
    store = StoreThread("test-store-errors")

    def fail() -> None:
        raise LookupError("no such row")

    try:
        failing = store.submit(fail)
        fine = store.submit(lambda: "fine")
        with pytest.raises(LookupError, match="no such row"):
            await failing
        assert await fine == "fine"
    finally:
        store.stop()


async def test_answers_finished_while_the_loop_is_busy_share_one_wake_up() -> None:
    store = StoreThread("test-store-batch")
    loop = asyncio.get_running_loop()
    wake_ups = counting_wake_ups(loop)
    all_ran = threading.Event()
    try:
        futures = [store.submit(lambda number=number: number) for number in range(50)]
        store.submit(all_ran.set)
        assert all_ran.wait(WAIT_SECONDS)  # the loop is blocked here while the thread answers every call
        assert await asyncio.gather(*futures) == list(range(50))
    finally:
        store.stop()
    assert wake_ups[0] == 1


async def test_a_caller_that_gave_up_does_not_stop_the_others() -> None:
    store = StoreThread("test-store-cancel")
    release = threading.Event()
    try:
        blocked = store.submit(release.wait, WAIT_SECONDS)
        abandoned = store.submit(lambda: "nobody reads this")
        abandoned.cancel()
        after = store.submit(lambda: "after")
        release.set()
        assert await blocked is True
        assert await after == "after"
    finally:
        store.stop()


def test_the_thread_outlives_a_closed_loop_and_ends_after_the_calls_queued_before_stop() -> None:
    store = StoreThread("test-store-lifetime")
    release = threading.Event()

    async def leave_an_answer_pending() -> None:
        store.submit(release.wait, WAIT_SECONDS)  # never awaited: its loop closes first

    asyncio.run(leave_an_answer_pending())
    release.set()

    async def call_again() -> str:
        return await store.submit(lambda: "still serving")

    assert asyncio.run(call_again()) == "still serving"
    finished: list[str] = []
    store.submit_detached(finished.append, "queued before stop")
    [thread] = threads_named("test-store-lifetime")
    store.stop()
    thread.join(WAIT_SECONDS)
    assert not thread.is_alive()
    assert finished == ["queued before stop"]
