"""Fixtures of the browser tests: one Chromium for the session, one server per module, and each test run at
both screen sizes (390x844 phone, 1280x800 desktop) on an empty task list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.browser.page_driver import (
    CHROMEDRIVER,
    CHROMIUM,
    DESKTOP,
    PHONE,
    Page,
    Screen,
    TaskApi,
    chromium,
)
from tests.support.server_process import ServerProcess


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    missing = not (CHROMIUM.exists() and CHROMEDRIVER.exists())
    for item in items:
        if "integration/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)
            if missing:
                item.add_marker(pytest.mark.skip(
                    reason="needs the chromium and chromium-driver packages (`make test` installs them)"))


@pytest.fixture(scope="session")
def driver() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with ServerProcess() as running:
        yield running


@pytest.fixture(params=[PHONE, DESKTOP], ids=lambda screen: screen.name)
def screen(request: pytest.FixtureRequest) -> Screen:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def api(server: ServerProcess) -> TaskApi:
    return TaskApi(server.url)


@pytest.fixture
def page(driver: Any, server: ServerProcess, api: TaskApi, screen: Screen) -> Page:
    api.clear()
    driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": ""})  # the machine's zone
    return Page(driver, server.url, screen)
