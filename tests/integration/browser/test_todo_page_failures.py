"""When a change cannot be made, at both screen sizes: another client changed the task first (the API's 412,
or a difference the page sees before it writes), and the server is stopped. The message is next to the task,
the person's input is kept, Retry works once the cause is gone, and the list shows the server's truth."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.integration.browser.page_driver import Page, Screen, TaskApi
from tests.support.server_process import ServerProcess


def message_of(page: Page, title: str) -> str:
    return page.wait(lambda _: page.in_item(title, ".message").text, f"no message next to {title!r}")


def test_a_change_made_elsewhere_is_never_overwritten(page: Page, api: TaskApi) -> None:
    task_id = api.create({"title": "Shared"})
    page.open()
    # The page saves a change, so it now holds the task's ETag; then a second client renames the task.
    page.in_item("Shared", ".toggle").click()
    page.wait(lambda _: page.text("#left") == "0 items left")
    api.patch(task_id, {"title": "Renamed elsewhere", "priority": "high"})
    page.in_item("Shared", ".toggle").click()  # If-Match with the old ETag: 412
    message = message_of(page, "Renamed elsewhere")
    assert message.startswith("Changed elsewhere meanwhile: title is now “Renamed elsewhere”; priority is now "
                              "“high”. Your change was not saved.")
    assert page.in_item("Renamed elsewhere", ".toggle").is_selected()  # the server's truth, still done
    page.wait_focus(".retry", "Renamed elsewhere")
    assert api.by_title("Renamed elsewhere")[1]["completed"] is True
    page.in_item("Renamed elsewhere", ".retry").click()
    page.wait(lambda _: page.text("#left") == "1 item left")
    assert api.by_title("Renamed elsewhere")[1] == {"title": "Renamed elsewhere", "priority": "high",
                                                    "completed": False}


def test_an_edit_based_on_an_old_view_keeps_the_draft(page: Page, api: TaskApi) -> None:
    task_id = api.create({"title": "Report", "description": "first draft"})
    page.open()
    page.in_item("Report", ".edit").click()
    title = page.editor().find_element(By.CLASS_NAME, "edit-title")
    api.patch(task_id, {"description": "second draft"})  # while this person is typing
    title.send_keys(" for Monday", Keys.ENTER)
    editor = page.editor(with_message=True)
    message = editor.find_element(By.CLASS_NAME, "message").text
    assert message.startswith("Changed elsewhere meanwhile: description is now “second draft”.")
    assert editor.find_element(By.CLASS_NAME, "edit-title").get_attribute("value") == "Report for Monday"
    assert api.by_title("Report")[1]["description"] == "second draft"
    editor.find_element(By.CLASS_NAME, "retry").click()
    page.item("Report for Monday")
    assert api.by_title("Report for Monday")[1]["description"] == "first draft"  # the person's whole draft


def test_a_task_deleted_elsewhere_leaves_the_list_with_a_message(page: Page, api: TaskApi) -> None:
    api.create({"title": "Keep"})
    gone = api.create({"title": "Gone"})
    page.open()
    api.call("DELETE", f"/tasks/{gone}")
    page.in_item("Gone", ".delete").click()
    page.wait(lambda _: page.titles() == ["Keep"])
    assert page.text("#status") == "“Gone” was deleted elsewhere meanwhile."


def test_with_the_server_stopped_the_page_says_so_and_retry_works_when_it_is_back(
        driver: object, screen: Screen, tmp_path: Path) -> None:
    data = ["--db_path", str(tmp_path / "data")]
    with ServerProcess(data) as server:
        api = TaskApi(server.url)
        api.create({"title": "Water plants"})
        page = Page(driver, server.url, screen)
        page.open()
        server.stop()
        page.in_item("Water plants", ".toggle").click()
        message = message_of(page, "Water plants")
        assert message.startswith("Could not save the change: the server cannot be reached")
        assert not page.in_item("Water plants", ".toggle").is_selected()  # what the server last said
        page.wait_focus(".retry", "Water plants")
        # An edit that fails keeps what the person typed.
        page.in_item("Water plants", ".edit").click()
        page.editor().find_element(By.CLASS_NAME, "edit-title").send_keys(" and herbs", Keys.ENTER)
        editor = page.editor(with_message=True)
        assert editor.find_element(By.CLASS_NAME, "edit-title").get_attribute("value") == "Water plants and herbs"
        # Adding fails next to the form, the typed title stays.
        page.find("#task-title").send_keys("Call mum", Keys.ENTER)
        page.wait(lambda _: page.find("#add-status").is_displayed())
        assert page.text("#add-status").startswith("Could not add the task: the server cannot be reached")
        assert page.find("#task-title").get_attribute("value") == "Call mum"
        server.start()
        page.editor().find_element(By.CLASS_NAME, "retry").click()
        page.item("Water plants and herbs")
        page.find("#add-status .retry").click()
        page.item("Call mum")
        assert sorted(task["title"] for task in api.tasks().values()) == ["Call mum", "Water plants and herbs"]
