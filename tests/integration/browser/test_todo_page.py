"""The todo page's features in headless Chromium against a real `python server.py`, each driven as a person
would (clicks and keys) at 390x844 and 1280x800: add, edit in place, field changes, toggle, toggle all, delete,
filters in the URL, items left, clear completed, load more, focus after each action, and every change checked
against the API and across a reload."""

from __future__ import annotations

from selenium.webdriver import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from tests.integration.browser.page_driver import Page, TaskApi

DUE_2030_01_15 = 1894665600  # the calendar day 2030-01-15, stored as its UTC midnight


def type_date(page: Page, element: object, day: str) -> None:
    # A date input takes the digits of the person's locale (en-US: month, day, year) as typed keys.
    year, month, date = day.split("-")
    page.driver.execute_script("arguments[0].focus()", element)
    ActionChains(page.driver).send_keys(month, date, year).perform()


def test_add_with_enter_keeps_every_field_and_focus(page: Page, api: TaskApi) -> None:
    page.open()
    assert page.text("#empty") == "Nothing to do. Add a task above."
    page.find("#task-description").send_keys("two litres")
    Select(page.find("#task-priority")).select_by_value("high")
    type_date(page, page.find("#task-due"), "2030-01-15")
    page.find("#task-title").send_keys("Buy milk", Keys.ENTER)
    item = page.item("Buy milk")
    assert item.find_element(By.CLASS_NAME, "description").text == "two litres"
    assert item.find_element(By.CLASS_NAME, "badge").text == "high priority"
    assert item.find_element(By.TAG_NAME, "time").get_attribute("datetime") == "2030-01-15"
    assert item.find_element(By.TAG_NAME, "time").text == "Due Jan 15, 2030"
    page.wait_focus("#task-title")
    assert page.find("#task-title").get_attribute("value") == ""
    _, stored = api.by_title("Buy milk")
    assert stored == {"title": "Buy milk", "description": "two litres", "priority": "high", "completed": False,
                      "due_date": DUE_2030_01_15}
    assert page.text("#left") == "1 item left"
    # Titles are text, never markup.
    page.find("#task-title").send_keys("<img src=x onerror=alert(1)>", Keys.ENTER)
    assert page.item("<img src=x onerror=alert(1)>").find_elements(By.TAG_NAME, "img") == []


def test_edit_the_title_in_place(page: Page, api: TaskApi) -> None:
    api.create({"title": "Draft"})
    page.open()
    # Double-click, type, Enter saves; focus returns to the task's Edit button.
    ActionChains(page.driver).double_click(page.in_item("Draft", ".title")).perform()
    title = page.editor().find_element(By.CLASS_NAME, "edit-title")
    page.wait_focus(".edit-title")
    title.send_keys(Keys.CONTROL, "a")
    title.send_keys("Final", Keys.ENTER)
    page.item("Final")
    page.wait_focus(".edit", "Final")
    # The Edit button, then Escape: nothing changes.
    page.in_item("Final", ".edit").click()
    page.editor().find_element(By.CLASS_NAME, "edit-title").send_keys(" not this", Keys.ESCAPE)
    page.wait_focus(".edit", "Final")
    # Leaving the editor (a click elsewhere) saves.
    page.in_item("Final", ".edit").click()
    page.editor().find_element(By.CLASS_NAME, "edit-title").send_keys(" v2")
    page.find("h1").click()
    page.item("Final v2")
    assert [task["title"] for task in api.tasks().values()] == ["Final v2"]
    page.open()
    assert page.titles() == ["Final v2"]


def test_priority_due_date_and_description_change_after_creation(page: Page, api: TaskApi) -> None:
    api.create({"title": "Plan"})
    page.open()
    page.in_item("Plan", ".edit").click()
    editor = page.editor()
    editor.find_element(By.CLASS_NAME, "edit-description").send_keys("with the team")
    Select(editor.find_element(By.TAG_NAME, "select")).select_by_value("urgent")
    type_date(page, editor.find_element(By.CLASS_NAME, "edit-due"), "2030-01-15")
    editor.find_element(By.CLASS_NAME, "save").click()
    page.wait(lambda _: page.in_item("Plan", ".badge").text == "urgent priority")
    assert page.in_item("Plan", ".description").text == "with the team"
    assert page.in_item("Plan", "time").get_attribute("datetime") == "2030-01-15"
    _, stored = api.by_title("Plan")
    assert stored == {"title": "Plan", "description": "with the team", "priority": "urgent", "completed": False,
                      "due_date": DUE_2030_01_15}
    # Clear the due date and the description; both are removed from the stored task.
    page.in_item("Plan", ".edit").click()
    editor = page.editor()
    editor.find_element(By.CLASS_NAME, "clear-due").click()
    editor.find_element(By.CLASS_NAME, "edit-description").send_keys(Keys.CONTROL, "a", Keys.DELETE)
    editor.find_element(By.CLASS_NAME, "save").click()
    page.wait(lambda _: not page.item("Plan").find_elements(By.TAG_NAME, "time"))
    assert api.by_title("Plan")[1] == {"title": "Plan", "priority": "urgent", "completed": False}
    page.open()
    assert page.item("Plan").find_elements(By.CLASS_NAME, "description") == []


def test_toggle_toggle_all_items_left_and_clear_completed(page: Page, api: TaskApi) -> None:
    for title in ("One", "Two", "Three"):
        api.create({"title": title})
    page.open()
    assert page.text("#left") == "3 items left"
    assert not page.find("#clear-completed").is_displayed()
    page.in_item("Two", ".toggle").click()
    page.wait(lambda _: page.text("#left") == "2 items left")
    assert "done" in (page.item("Two").get_attribute("class") or "")
    page.wait_focus(".toggle", "Two")
    assert api.by_title("Two")[1]["completed"] is True
    # Toggle all: every task done, then every task active again.
    page.find("#toggle-all").click()
    page.wait(lambda _: page.text("#left") == "0 items left")
    assert all(task["completed"] for task in api.tasks().values())
    assert page.find("#toggle-all").is_selected()
    page.wait_focus("#toggle-all")
    page.find("#toggle-all").click()
    page.wait(lambda _: page.text("#left") == "3 items left")
    assert not any(task["completed"] for task in api.tasks().values())
    # Clear completed removes only the done tasks.
    page.in_item("One", ".toggle").click()
    page.in_item("Three", ".toggle").click()
    page.wait(lambda _: page.text("#left") == "1 item left")
    page.find("#clear-completed").click()
    page.wait(lambda _: page.titles() == ["Two"])
    assert [task["title"] for task in api.tasks().values()] == ["Two"]
    assert not page.find("#clear-completed").is_displayed()


def test_filters_live_in_the_url(page: Page, api: TaskApi) -> None:
    api.create({"title": "Open"})
    api.create({"title": "Closed", "completed": True})
    page.open()
    page.driver.find_element(By.LINK_TEXT, "Active").click()
    page.wait(lambda _: page.titles() == ["Open"])
    assert page.driver.current_url.endswith("#/active")
    assert page.driver.find_element(By.LINK_TEXT, "Active").get_attribute("aria-current") == "page"
    page.driver.find_element(By.LINK_TEXT, "Completed").click()
    page.wait(lambda _: page.titles() == ["Closed"])
    page.driver.refresh()
    page.wait(lambda _: page.titles() == ["Closed"])
    page.driver.back()
    page.wait(lambda _: page.titles() == ["Open"])
    # A task done under "Active" leaves the view; focus moves to its neighbour or the new-task title.
    page.in_item("Open", ".toggle").click()
    page.wait(lambda _: page.titles() == [])
    assert page.text("#empty") == "No active tasks."
    page.wait_focus("#task-title")
    page.driver.find_element(By.LINK_TEXT, "All").click()
    page.wait(lambda _: page.titles() == ["Open", "Closed"])


def test_delete_moves_focus_to_the_next_task(page: Page, api: TaskApi) -> None:
    for title in ("First", "Second", "Third"):
        api.create({"title": title})
    page.open()
    page.in_item("Second", ".delete").click()
    page.wait(lambda _: page.titles() == ["First", "Third"])
    page.wait_focus(".toggle", "Third")
    page.in_item("Third", ".delete").click()
    page.wait(lambda _: page.titles() == ["First"])
    page.wait_focus(".toggle", "First")
    assert [task["title"] for task in api.tasks().values()] == ["First"]


def test_load_more_reaches_every_task_and_shows_the_total(page: Page, api: TaskApi) -> None:
    for number in range(105):
        api.create({"title": f"Task {number:03}"})
    page.open()
    assert len(page.items()) == 100
    assert page.text("#shown") == "Showing 100 of 105"
    page.find("#load-more").click()
    page.wait(lambda _: len(page.items()) == 105)
    assert not page.find("#load-more").is_displayed()
    assert page.text("#shown") == ""
    page.wait_focus(".toggle", "Task 100")
    assert page.titles()[-1] == "Task 104"


def test_items_left_counts_every_task_not_only_the_loaded_pages(page: Page, api: TaskApi) -> None:
    for number in range(105):
        api.create({"title": f"Task {number:03}", "completed": number in (3, 101, 104)})
    page.open()
    assert len(page.items()) == 100
    page.wait(lambda _: page.text("#left") == "102 items left")
    page.in_item("Task 000", ".toggle").click()
    page.wait(lambda _: page.text("#left") == "101 items left")
    # Done elsewhere, on the page not loaded: counted at the next change.
    api.patch(api.by_title("Task 102")[0], {"completed": True})
    page.in_item("Task 001", ".delete").click()
    page.wait(lambda _: page.text("#left") == "99 items left")
    page.find("#load-more").click()
    page.wait(lambda _: len(page.items()) == 104)
    assert page.text("#left") == "99 items left"
