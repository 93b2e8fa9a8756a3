"""The suite's event-loop switch (tests/support/event_loops.py): the arguments it gives servers, and that the
loops this run makes in process are the selected loop's."""

from __future__ import annotations

import asyncio

import pytest
from tornado.testing import AsyncTestCase, gen_test

from tests.support import event_loops


def _loop_package(loop: asyncio.AbstractEventLoop) -> str:
    return type(loop).__module__.split(".")[0]


def test_servers_get_the_selected_loop_or_their_own_default() -> None:
    assert event_loops.server_args(None) == []
    assert event_loops.server_args("uvloop") == ["--loop", "uvloop"]
    with pytest.raises(ValueError, match="TB_TEST_LOOP=trio"):
        event_loops.server_args("trio")


def test_the_selection_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(event_loops.ENVIRONMENT_VARIABLE, "uvloop")
    assert event_loops.selected() == event_loops.in_use() == "uvloop"
    monkeypatch.setenv(event_loops.ENVIRONMENT_VARIABLE, "")
    assert event_loops.selected() is None and event_loops.in_use() == event_loops.DEFAULT


@pytest.mark.parametrize("loop", event_loops.LOOPS)
def test_loops_made_after_the_switch_are_that_loops(loop: str) -> None:
    try:
        event_loops.run_in_process_tests_on(loop)
        made = asyncio.new_event_loop()
        made.close()
        assert _loop_package(made) == loop
    finally:
        event_loops.run_in_process_tests_on(event_loops.selected())


async def test_an_async_test_runs_on_the_loop_in_use() -> None:
    assert _loop_package(asyncio.get_running_loop()) == event_loops.in_use()


class TornadoTestCaseLoop(AsyncTestCase):
    @gen_test
    async def test_a_tornado_test_case_runs_on_the_loop_in_use(self) -> None:
        assert _loop_package(asyncio.get_running_loop()) == event_loops.in_use()
