"""Plain `async def test_...` functions for pytest, without a plugin: each runs in a fresh event loop under
`asyncio.run`, bounded in time. A test package enables it with `from tests.support.async_tests import
pytest_pyfunc_call` in its conftest.py."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest

ASYNC_TEST_TIMEOUT = 30.0


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    function = pyfuncitem.obj
    if not inspect.iscoroutinefunction(function):
        return None
    arguments: dict[str, Any] = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(asyncio.wait_for(function(**arguments), ASYNC_TEST_TIMEOUT))
    return True
