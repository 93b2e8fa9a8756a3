"""The todo-list page in headless Chromium (the system's `chromium` + `chromium-driver`, driven by Selenium)
against a real `python server.py`: load `/`, add a task, see it listed, mark it done, delete it; and a readable
message when the API fails. Screenshots are saved under tests/artifacts/ (git-ignored) for a human look."""

from __future__ import annotations

import json
import shutil
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.support.server_process import PROJECT_ROOT, ServerProcess, free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
WAIT_SECONDS = 10

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                       reason="needs the chromium and chromium-driver packages (`make test` installs them)"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    profile = tempfile.mkdtemp(prefix="tb-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--window-size=1000,800", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    # An explicit driver path: Selenium Manager never downloads anything.
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(WAIT_SECONDS)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with ServerProcess() as running:
        yield running


def screenshot(driver: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def api_tasks(server: ServerProcess) -> dict[str, Any]:
    with urllib.request.urlopen(f"{server.url}/tasks", timeout=5) as response:
        tasks: dict[str, Any] = json.loads(response.read())
        return tasks


def task_items(driver: Any) -> list[Any]:
    return list(driver.find_elements(By.CSS_SELECTOR, "#task-list li.task"))


def test_add_complete_and_delete_a_task(browser: Any, server: ServerProcess) -> None:
    # The list is re-rendered from the API after every change: an element found a moment ago may be replaced.
    wait = WebDriverWait(browser, WAIT_SECONDS, ignored_exceptions=[StaleElementReferenceException])
    browser.get(server.url + "/")
    wait.until(expected_conditions.visibility_of_element_located((By.ID, "empty")))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Tasks"

    # Add a task with a priority and a due date.
    browser.find_element(By.ID, "task-title").send_keys("Write the browser test")
    browser.find_element(By.ID, "task-description").send_keys("headless Chromium, real server")
    Select(browser.find_element(By.ID, "task-priority")).select_by_value("high")
    browser.execute_script("document.getElementById('task-due').value = '2030-01-15';")
    browser.find_element(By.ID, "add-task").click()
    wait.until(lambda driver: len(task_items(driver)) == 1)
    item = task_items(browser)[0]
    task_id = item.get_attribute("data-id")
    assert item.find_element(By.CLASS_NAME, "title").text == "Write the browser test"
    assert item.find_element(By.CLASS_NAME, "description").text == "headless Chromium, real server"
    assert "high" in item.find_element(By.CLASS_NAME, "meta").text
    assert "due 2030-01-15" in item.find_element(By.CLASS_NAME, "meta").text
    browser.find_element(By.ID, "task-title").send_keys("A second task")
    browser.find_element(By.ID, "add-task").click()
    wait.until(lambda driver: len(task_items(driver)) == 2)
    stored = api_tasks(server)
    assert stored[task_id] == {"title": "Write the browser test", "description": "headless Chromium, real server",
                               "priority": "high", "completed": False, "due_date": 1894665600}

    # Mark it done: the page re-renders from the API with the item struck through.
    task_items(browser)[0].find_element(By.CSS_SELECTOR, "input.toggle").click()
    wait.until(lambda driver: "done" in (task_items(driver)[0].get_attribute("class") or ""))
    assert api_tasks(server)[task_id]["completed"] is True
    assert browser.find_element(By.ID, "summary").text == "1 of 2 done."
    screenshot(browser, "todo_page")

    # Delete it.
    task_items(browser)[0].find_element(By.CSS_SELECTOR, "button.delete").click()
    wait.until(lambda driver: len(task_items(driver)) == 1)
    assert task_id not in api_tasks(server)
    assert task_items(browser)[0].find_element(By.CLASS_NAME, "title").text == "A second task"
    assert not browser.find_element(By.ID, "status").is_displayed()


def test_an_api_failure_shows_a_readable_message(browser: Any) -> None:
    # A server whose database is an unreachable MongoDB: the page loads, the API answers 503.
    args = ["--db_host", "127.0.0.1", "--db_port", str(free_port()), "--db_timeout_ms", "300"]
    with ServerProcess(args) as broken:
        browser.get(broken.url + "/")
        status = WebDriverWait(browser, WAIT_SECONDS).until(
            expected_conditions.visibility_of_element_located((By.ID, "status")))
        assert status.text == ("Could not load the tasks: the database is not available; try again shortly "
                               "(HTTP 503)")
        assert not browser.find_element(By.ID, "loading").is_displayed()
        screenshot(browser, "todo_page_database_down")
