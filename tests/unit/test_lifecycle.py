"""`Lifecycle`: components torn down in reverse order of set-up; a failing teardown is logged and the others
still run; a set-up that fails leaves nothing to tear down for itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from src.lifecycle import Lifecycle


async def test_teardowns_run_in_reverse_and_survive_a_failing_one(caplog: pytest.LogCaptureFixture) -> None:
    events: list[str] = []

    @asynccontextmanager
    async def component(name: str, fail_teardown: bool = False) -> AsyncIterator[str]:
        events.append(f"up {name}")
        yield name
        events.append(f"down {name}")
        if fail_teardown:
            raise RuntimeError("teardown broke")

    lifecycle = Lifecycle()
    assert await lifecycle.start("a", component("a")) == "a"
    await lifecycle.start("b", component("b", fail_teardown=True))
    await lifecycle.start("c", component("c"))
    await lifecycle.shutdown()
    assert events == ["up a", "up b", "up c", "down c", "down b", "down a"]
    assert "shutdown hook b failed" in caplog.text


async def test_a_failed_set_up_tears_down_only_what_started() -> None:
    events: list[str] = []

    @asynccontextmanager
    async def started() -> AsyncIterator[None]:
        yield
        events.append("down started")

    @asynccontextmanager
    async def broken() -> AsyncIterator[None]:
        raise OSError("cannot start")
        yield

    lifecycle = Lifecycle()
    await lifecycle.start("started", started())
    with pytest.raises(OSError, match="cannot start"):
        await lifecycle.start("broken", broken())
    await lifecycle.shutdown()
    assert events == ["down started"]
