"""Fixtures every test may use, and the one way to write an async test: a plain `async def test_...`, run in a
fresh event loop under `asyncio.run` (tests/support/async_tests.py), bounded in time. Tests that serve HTTP in
process use `AsyncHTTPTestCase` with `ApplicationFactory.create(make_components(...))` (tests/support).

- `store`: an empty embedded database in the test's own folder, closed afterwards;
- `components`: `Components` over that store, composed from the Router's features as start-up composes them;
- `app`: the `tornado.web.Application` the server would serve with those components.

Every server the suite starts, in process or not, runs the default HTTP/1 transport (httptools), or Tornado's
own parser with `TB_TEST_HTTP_PARSER=tornado` (`make test-tornado`; tests/support/http_parsers.py), and on the
server's default event loop, or the one `TB_TEST_LOOP` names (`make test-asyncio`; tests/support/event_loops.py).
"""

from __future__ import annotations

import compileall
from collections.abc import Iterator
from pathlib import Path

import pytest
from tornado.web import Application

from src.database.embedded import EmbeddedClient, EmbeddedDatabase
from src.server.application_factory import ApplicationFactory
from src.server.components import Components
from tests.support import event_loops, http_parsers
from tests.support.async_tests import pytest_pyfunc_call
from tests.support.components import make_components

__all__ = ["app", "components", "pytest_pyfunc_call", "pytest_sessionstart", "store"]

http_parsers.serve_in_process_tests_with(http_parsers.selected())
event_loops.run_in_process_tests_on(event_loops.selected())


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile src/ once, before any worker: with PYTHONDONTWRITEBYTECODE set (as on CI machines) every server the
    suite starts would otherwise compile all of it again, about 95 ms of each start."""
    if not hasattr(session.config, "workerinput"):  # the controller of pytest-xdist, or a run without workers
        compileall.compile_dir(Path(__file__).resolve().parents[1] / "src", quiet=2)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbeddedDatabase]:
    client = EmbeddedClient(tmp_path / "data")
    try:
        yield client["test"]
    finally:
        client.close()


@pytest.fixture
def components(store: EmbeddedDatabase) -> Components:
    return make_components(database=store)


@pytest.fixture
def app(components: Components) -> Application:
    return ApplicationFactory.create(components)
