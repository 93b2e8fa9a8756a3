"""What the todo page must keep being: accessible (axe-core: no violations when empty, with varied tasks, while
editing), compact on a phone (8 varied tasks at 390x844: every row under 200 px, the page under 2,000 px), light
(under 12 KB over the wire, gzip as the server sends it, and 36 KB unpacked; nothing from another origin), fast
(the time to render 250 tasks is recorded), runnable under `Content-Security-Policy: default-src 'self'` with a
`<noscript>` message, and dates in the person's calendar. Screenshots and the measured figures are saved under
tests/artifacts/."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.integration.browser.page_driver import ARTIFACTS, DESKTOP, PHONE, Page, Screen, TaskApi
from tests.support.server_process import ServerProcess

DAY = 86_400
VARIED_TASKS: list[dict[str, Any]] = [
    {"title": "Renew the passport before the summer holidays, and book the photo booth appointment first",
     "description": "The old one expires in June; the form needs two photos and the previous passport number.",
     "priority": "urgent", "due_date": 1_700_006_400},
    {"title": "Buy milk", "priority": "high", "due_date": 1_894_665_600},
    {"title": "Call the plumber about the kitchen tap", "description": "Drips at night", "priority": "normal"},
    {"title": "Read the architecture notes", "priority": "low", "completed": True},
    {"title": "Water the plants", "due_date": 1_894_665_600, "completed": True},
    {"title": "Supercalifragilisticexpialidocious-words-without-spaces-must-wrap-too-on-narrow-screens-ok",
     "priority": "high"},
    {"title": "Plan the team offsite", "description": "Venue, dates, agenda, travel budget and a backup plan "
     "in case of rain; ask everyone about dietary needs.", "priority": "normal", "due_date": 1_894_665_600},
    {"title": "Write tests <b>with markup</b> & ampersands", "priority": "none"},
]
PAGE_CSP = "default-src 'self'; frame-ancestors 'none'"


def record(name: str, figures: dict[str, Any]) -> None:
    """Add measured figures to tests/artifacts/todo_page_figures.json, for a person to read."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "todo_page_figures.json"
    saved = json.loads(path.read_text()) if path.exists() else {}
    saved[name] = figures
    path.write_text(json.dumps(saved, indent=2, sort_keys=True))


def seed(api: TaskApi, tasks: list[dict[str, Any]]) -> None:
    for task in tasks:
        api.create(task)


def test_axe_finds_no_violations_empty_with_varied_tasks_and_while_editing(page: Page, api: TaskApi) -> None:
    page.open()
    page.axe("the empty page")
    seed(api, VARIED_TASKS)
    page.open()
    page.axe("8 varied tasks")
    page.in_item("Buy milk", ".edit").click()
    page.editor()
    page.axe("the edit state")
    console = [entry["message"] for entry in page.driver.get_log("browser")]
    assert not [line for line in console if "Content Security Policy" in line], console


def test_eight_varied_tasks_fit_a_phone_and_a_desktop(page: Page, api: TaskApi, screen: Screen) -> None:
    seed(api, VARIED_TASKS)
    page.open()
    page.wait(lambda _: len(page.items()) == 8, lambda: f"shown: {page.titles()}")
    heights = [round(item.rect["height"]) for item in page.items()]
    page_height = int(page.driver.execute_script("return document.documentElement.scrollHeight"))
    wide = int(page.driver.execute_script("return document.documentElement.scrollWidth"))
    record(f"layout_{screen.name}", {"row_heights_px": heights, "page_height_px": page_height})
    page.screenshot("varied")
    assert len(heights) == 8
    assert max(heights) < 200, heights
    assert wide <= screen.width, wide  # nothing sticks out sideways
    if screen == PHONE:
        assert page_height < 2000, page_height
    # Each title gets most of the row's width (not a column a letter wide).
    for item in page.items():
        title = item.find_element(By.CLASS_NAME, "title")
        assert title.rect["width"] > item.rect["width"] * 0.6 or title.rect["height"] < 25, (title.text, title.rect)


@pytest.mark.parametrize("screen", [DESKTOP], ids=["desktop"], indirect=True)
def test_250_tasks_render_and_the_time_is_recorded(page: Page, api: TaskApi) -> None:
    seed(api, [{"title": f"Task number {n}", "priority": ("none", "low", "high")[n % 3],
                "due_date": 1_894_665_600 if n % 4 == 0 else None} for n in range(250)])
    page.open()
    page.find("#load-more").click()
    page.wait(lambda _: len(page.items()) == 200)
    page.find("#load-more").click()
    page.wait(lambda _: len(page.items()) == 250)
    # The page's own measure of building the list, and a filter switch from none shown to all 250 shown timed
    # until the frame after it is painted (style, layout and paint included).
    builds = page.driver.execute_script(
        "return performance.getEntriesByName('render-tasks').map((entry) => entry.duration)")
    page.driver.find_element(By.LINK_TEXT, "Completed").click()
    page.wait(lambda _: len(page.items()) == 0)
    painted = page.driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const start = performance.now();
        addEventListener("hashchange", () => requestAnimationFrame(() => setTimeout(
            () => done([performance.now() - start, document.querySelectorAll("#task-list > li").length]))),
            {once: true});
        location.hash = "#/active";""")
    record("render_250_tasks", {"build_ms_each_load": [round(ms, 1) for ms in builds],
                                "filter_switch_to_250_painted_ms": round(painted[0], 1)})
    # Recorded, not asserted: a time measured on a loaded machine says more about the machine than the page.
    assert painted[1] == 250


def test_weight_csp_and_no_inline_code(server: ServerProcess) -> None:
    with urllib.request.urlopen(server.url + "/", timeout=10) as response:
        html = response.read().decode()
        assert response.headers["Content-Security-Policy"] == PAGE_CSP
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert not re.search(r"\sstyle=|<style|\son\w+=", html), "inline style or event handler"
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert len(assets) == 3  # icon, style sheet, script
    sizes = {"/": len(html.encode())}
    sent = {"/": downloaded(server.url + "/")}
    for asset in assets:
        with urllib.request.urlopen(server.url + asset, timeout=10) as response:
            sizes[asset.split("?")[0]] = len(response.read())
        sent[asset.split("?")[0]] = downloaded(server.url + asset)
    record("page_weight_bytes", {**sizes, "total": sum(sizes.values()),
                                 "sent_gzip": {**sent, "total": sum(sent.values())}})
    # What a phone downloads is the compressed bytes; the unpacked size bounds what it parses.
    assert sum(sent.values()) < 12_000, sent
    assert sum(sizes.values()) < 36_000, sizes


def downloaded(url: str) -> int:
    """The bytes the server sends a browser for `url` (which asks for gzip)."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return len(response.read())  # urllib does not unpack: these are the bytes on the wire


def test_everything_comes_from_the_server_itself(page: Page, api: TaskApi) -> None:
    seed(api, VARIED_TASKS[:2])
    page.open()
    urls = page.driver.execute_script(
        "return performance.getEntriesByType('resource').map((entry) => entry.name)")
    assert urls and all(url.startswith(page.base_url + "/") for url in urls), urls


def test_without_javascript_the_page_says_it_needs_it(page: Page) -> None:
    page.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        page.driver.get(page.base_url + "/")
        assert page.find("noscript p, main > p.status").text.startswith("This page needs JavaScript.")
        assert not page.find("#new-task").is_displayed()
        assert not page.find("#loading").is_displayed()
    finally:
        page.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


@pytest.mark.parametrize("zone", ["Pacific/Pago_Pago", "Pacific/Kiritimati"])
def test_due_dates_are_days_of_the_persons_calendar(page: Page, api: TaskApi, zone: str) -> None:
    # Far west (UTC-11) and far east (UTC+14) of UTC: "today" is the person's day, whatever UTC says.
    page.driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": zone})
    page.open()
    today = page.driver.execute_script(
        "const d = new Date(); return Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / 1000;")
    api.create({"title": "Due today", "due_date": today})
    api.create({"title": "Due yesterday", "due_date": today - DAY})
    api.create({"title": "Done late", "due_date": today - DAY, "completed": True})
    page.open()
    assert page.in_item("Due today", "time").text.startswith("Due today")
    assert "overdue" not in (page.in_item("Due today", "time").get_attribute("class") or "")
    assert page.in_item("Due yesterday", "time").text.startswith("Overdue: ")
    assert "overdue" in (page.in_item("Due yesterday", "time").get_attribute("class") or "")
    assert not page.in_item("Done late", "time").text.startswith("Overdue")
