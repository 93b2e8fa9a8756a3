"""Driving the todo page in the Debian Chromium as a person would, for the browser tests: the browser itself
(headless, its own empty profile, nothing fetched from outside), the two screen sizes, explicit waits on what the
page shows, the task API beside it (the "second client"), axe-core, and screenshots under tests/artifacts/."""

from __future__ import annotations

import http.client
import json
import shutil
import tempfile
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.server_process import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
AXE_SCRIPT = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
# Generous: only a real hang waits this long, a loaded machine never does.
WAIT_SECONDS = 20
T = TypeVar("T")


@dataclass(frozen=True)
class Screen:
    name: str
    width: int
    height: int
    mobile: bool


PHONE = Screen("phone", 390, 844, mobile=True)
DESKTOP = Screen("desktop", 1280, 800, mobile=False)


@contextmanager
def chromium() -> Iterator[Any]:
    profile = tempfile.mkdtemp(prefix="tb-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--lang=en-US", "--window-size=1280,800", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: Selenium Manager never downloads anything.
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(WAIT_SECONDS)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


class Page:
    """The todo page in one browser tab at one screen size, next to the API of the server that serves it."""

    def __init__(self, driver: Any, base_url: str, screen: Screen) -> None:
        self.driver = driver
        self.base_url = base_url
        self.screen = screen
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": screen.width, "height": screen.height, "deviceScaleFactor": 1, "mobile": screen.mobile})

    # ---- waiting and finding ------------------------------------------------------------------------------

    def wait(self, condition: Callable[[Any], T], message: str | Callable[[], str] = "") -> T:
        """`condition` once it is truthy; an AssertionError with `message` (text, or made when needed) if it
        never is. The list is re-rendered after changes, so an element found a moment ago may be replaced."""
        waiter = WebDriverWait(self.driver, WAIT_SECONDS, ignored_exceptions=[StaleElementReferenceException])
        try:
            return waiter.until(condition)
        except TimeoutException:
            raise AssertionError(message() if callable(message) else message) from None

    def open(self, path: str = "/") -> None:
        self.driver.get(self.base_url + path)
        self.wait(lambda driver: driver.find_element(By.ID, "loading").get_attribute("hidden") is not None
                  or self.find("#status").is_displayed(), "the list never loaded")

    def find(self, css: str) -> WebElement:
        found: WebElement = self.driver.find_element(By.CSS_SELECTOR, css)
        return found

    def items(self) -> list[WebElement]:
        return list(self.driver.find_elements(By.CSS_SELECTOR, "#task-list > li"))

    def titles(self) -> list[str]:
        return [item.find_element(By.CLASS_NAME, "title").text for item in self.items()
                if not item.find_elements(By.CLASS_NAME, "editor")]

    def item(self, title: str) -> WebElement:
        def found(_: Any) -> WebElement | None:
            for item in self.items():
                spans = item.find_elements(By.CLASS_NAME, "title")
                if spans and spans[0].text == title:
                    return item
            return None
        item = self.wait(found, lambda: f"no task titled {title!r}; shown: {self.titles()}")
        assert item is not None
        return item

    def in_item(self, title: str, css: str) -> WebElement:
        inside: WebElement = self.item(title).find_element(By.CSS_SELECTOR, css)
        return inside

    def editor(self, with_message: bool = False) -> WebElement:
        """The open editor (once it shows a message, with `with_message`)."""
        css = "#task-list form.editor" + (":has(.message)" if with_message else "")
        def shown(driver: Any) -> WebElement | None:
            # Found is not enough on a loaded machine: typing into an editor not yet laid out is "not interactable".
            form: WebElement = driver.find_element(By.CSS_SELECTOR, css)
            title = form.find_element(By.CLASS_NAME, "edit-title")
            return form if form.is_displayed() and title.is_displayed() and title.is_enabled() else None

        editor = self.wait(shown, f"no {css} shown")
        assert editor is not None
        return editor

    def focused(self) -> WebElement:
        active: WebElement = self.driver.switch_to.active_element
        return active

    def focus_is(self, css: str, title: str | None = None) -> bool:
        """Whether keyboard focus is on `css` (inside the task titled `title`, when given)."""
        active = self.focused()
        if not self.driver.execute_script("return arguments[0].matches(arguments[1])", active, css):
            return False
        if title is None:
            return True
        item = active.find_element(By.XPATH, "./ancestor::li[1]")
        return bool(item.find_elements(By.CLASS_NAME, "title")) and \
            item.find_element(By.CLASS_NAME, "title").text == title

    def wait_focus(self, css: str, title: str | None = None) -> None:
        self.wait(lambda _: self.focus_is(css, title),
                  lambda: f"focus is not on {css} of {title!r} but on {self.describe_focus()}")

    def describe_focus(self) -> str:
        return str(self.driver.execute_script(
            "const e = document.activeElement; return e.outerHTML.slice(0, 160);"))

    def text(self, css: str) -> str:
        return self.find(css).text

    # ---- checks -------------------------------------------------------------------------------------------

    def axe(self, context: str) -> list[dict[str, Any]]:
        """axe-core's violations on the page as it is now (every rule axe runs by default, WCAG 2.2 AA)."""
        if not AXE_SCRIPT.exists():
            raise AssertionError(f"{AXE_SCRIPT} is missing: run `make browser-deps` (make test does)")
        self.driver.execute_script(AXE_SCRIPT.read_text())
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then((r) => done(r.violations),"
            " (e) => done([{id: 'axe-error', help: String(e), nodes: []}]));")
        violations: list[dict[str, Any]] = result
        summary = [(v["id"], v["help"], [node.get("target") for node in v["nodes"]]) for v in violations]
        assert violations == [], f"axe-core on {context} at {self.screen.name}: {summary}"
        return violations

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"todo_page_{name}_{self.screen.name}.png"
        height = int(self.driver.execute_script("return document.documentElement.scrollHeight"))
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": self.screen.width, "height": max(height, self.screen.height), "deviceScaleFactor": 1,
            "mobile": self.screen.mobile})
        try:
            self.driver.save_screenshot(str(path))
        finally:
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": self.screen.width, "height": self.screen.height, "deviceScaleFactor": 1,
                "mobile": self.screen.mobile})
        return path


class TaskApi:
    """The second client: the task API called directly, as another person's browser or a script would. One
    kept-alive connection (seeding hundreds of tasks is most of some tests), opened again after a restart."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        address = urllib.parse.urlsplit(base_url)
        self._connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=10)

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json", **(headers or {})}
        for attempt in (1, 2):
            try:
                self._connection.request(method, path, body=data, headers=sent)
                response = self._connection.getresponse()
                text = response.read()
                break
            except (OSError, http.client.HTTPException):
                self._connection.close()  # the server closed it (or restarted): a new connection, once
                if attempt == 2:
                    raise
        assert response.status < 400, (method, path, response.status, text)
        return (json.loads(text) if text else None), response.headers

    def tasks(self) -> dict[str, Any]:
        tasks, _ = self.call("GET", "/tasks?limit=1000")
        return dict(tasks)

    def by_title(self, title: str) -> tuple[str, dict[str, Any]]:
        for task_id, task in self.tasks().items():
            if task["title"] == title:
                return task_id, task
        raise AssertionError(f"no stored task titled {title!r}")

    def create(self, task: dict[str, Any]) -> str:
        _, headers = self.call("POST", "/tasks", task)
        return str(headers["Location"]).rsplit("/", 1)[1]

    def patch(self, task_id: str, patch: dict[str, Any]) -> None:
        self.call("PATCH", f"/tasks/{task_id}", patch, {"Content-Type": "application/merge-patch+json"})

    def clear(self) -> None:
        for task_id in self.tasks():
            self.call("DELETE", f"/tasks/{task_id}")
