"""The todo page against a server with `--api_token` (set through TB_API_TOKEN), at both screen sizes: the page
asks for the token before the first change, says when the server refused it, sends it with every change once
given (focus back on what failed, Retry works) and keeps it across a reload of the tab; a server without a token
never has the page ask for one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.integration.browser.page_driver import Page, Screen, TaskApi
from tests.support.server_process import ServerProcess

TOKEN = "correct-horse-battery-staple"


@pytest.fixture(scope="module")
def token_server() -> Iterator[ServerProcess]:
    with ServerProcess(env={"TB_API_TOKEN": TOKEN}) as running:
        yield running


@pytest.fixture
def token_page(driver: Any, token_server: ServerProcess, screen: Screen) -> Page:
    api = TaskApi(token_server.url)
    for task_id in api.tasks():
        api.call("DELETE", f"/tasks/{task_id}", headers={"Authorization": f"Bearer {TOKEN}"})
    page = Page(driver, token_server.url, screen)
    page.open()
    driver.execute_script("sessionStorage.clear()")  # each test starts in a tab that was never given the token
    page.open()
    return page


def enter_token(page: Page, token: str) -> None:
    field = page.find("#api-token")
    field.clear()
    field.send_keys(token, Keys.ENTER)
    page.wait(lambda _: not page.find("#token-form").is_displayed(), "the token form stayed")


def test_the_page_asks_for_the_token_and_sends_it_with_every_change(token_page: Page,
                                                                     token_server: ServerProcess) -> None:
    page = token_page
    api = TaskApi(token_server.url)
    assert page.find("#token-form").is_displayed()
    page.axe("the token form")
    # A change without the token: refused, the typed title stays, focus goes to the token field.
    page.find("#task-title").send_keys("Pay rent", Keys.ENTER)
    page.wait(lambda _: page.find("#add-status").is_displayed())
    assert page.text("#add-status").startswith("Could not add the task: the server needs its API token")
    page.wait_focus("#api-token")
    assert page.find("#task-title").get_attribute("value") == "Pay rent"
    # A wrong token: focus returns to Retry; Retry is refused and the form says so.
    enter_token(page, "wrong")
    page.wait_focus("#add-status .retry")
    page.find("#add-status .retry").click()
    page.wait(lambda _: page.find("#token-form").is_displayed(), "no token form after a refused token")
    assert page.text("#token-status") == "The server refused that token. Enter it again."
    page.wait_focus("#api-token")
    assert api.tasks() == {}
    # The right token: Retry adds the task.
    enter_token(page, TOKEN)
    page.find("#add-status .retry").click()
    page.item("Pay rent")
    assert api.by_title("Pay rent")[1]["completed"] is False
    # A reload of the tab keeps the token: a change goes through without asking again.
    page.open()
    assert not page.find("#token-form").is_displayed()
    page.in_item("Pay rent", ".toggle").click()
    page.wait(lambda _: page.text("#left") == "0 items left")
    assert api.by_title("Pay rent")[1]["completed"] is True


def test_a_change_refused_for_the_token_keeps_its_retry(token_page: Page, token_server: ServerProcess) -> None:
    page = token_page
    api = TaskApi(token_server.url)
    api.call("POST", "/tasks", {"title": "Call the bank"}, {"Authorization": f"Bearer {TOKEN}"})
    page.open()
    page.in_item("Call the bank", ".toggle").click()
    message = page.wait(lambda _: page.in_item("Call the bank", ".message").text, "no message next to the task")
    assert message.startswith("Could not save the change: the server needs its API token")
    assert not page.in_item("Call the bank", ".toggle").is_selected()  # what the server last said
    page.wait_focus("#api-token")
    enter_token(page, TOKEN)
    page.wait_focus(".retry", "Call the bank")
    page.in_item("Call the bank", ".retry").click()
    page.wait(lambda _: page.text("#left") == "0 items left")
    assert api.by_title("Call the bank")[1]["completed"] is True


def test_without_a_token_configured_the_page_never_asks_for_one(page: Page, api: TaskApi) -> None:
    page.driver.execute_script("sessionStorage.setItem('api-token', 'left-over')")
    page.open()
    assert not page.find("#token-form").is_displayed()
    page.find("#task-title").send_keys("Water plants", Keys.ENTER)
    page.item("Water plants")
    assert page.find("#task-list").find_elements(By.CLASS_NAME, "message") == []
    page.driver.execute_script("sessionStorage.clear()")
