"""Every feature of the todo page with the keyboard alone (Tab, Shift+Tab, Enter, Space, Escape, arrows), at
both screen sizes, with focus on a sensible element after each action."""

from __future__ import annotations

from selenium.webdriver import ActionChains
from selenium.webdriver.common.keys import Keys

from tests.integration.browser.page_driver import Page, TaskApi


def press(page: Page, *keys: str) -> None:
    ActionChains(page.driver).send_keys(*keys).perform()


def tab_to(page: Page, css: str, title: str | None = None, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until focus is on `css` (of the task titled `title`), as a person would."""
    for _ in range(60):
        if page.focus_is(css, title):
            return
        if backwards:
            ActionChains(page.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
        else:
            press(page, Keys.TAB)
    raise AssertionError(f"Tab never reached {css} of {title!r}; focus: {page.describe_focus()}")


def test_every_feature_by_keyboard(page: Page, api: TaskApi) -> None:
    api.create({"title": "Existing"})
    page.open()
    # Add: type and Enter; focus stays in the title field for the next one.
    tab_to(page, "#task-title")
    press(page, "By keyboard", Keys.ENTER)
    page.item("By keyboard")
    page.wait_focus("#task-title")
    # Toggle with Space; focus stays on the checkbox.
    tab_to(page, ".toggle", "By keyboard")
    press(page, Keys.SPACE)
    page.wait(lambda _: page.text("#left") == "1 item left")
    page.wait_focus(".toggle", "By keyboard")
    # Edit: Enter on Edit, type, Enter saves; Escape cancels; focus back on Edit each time.
    tab_to(page, ".edit", "By keyboard")
    press(page, Keys.ENTER)
    page.wait_focus(".edit-title")
    press(page, Keys.END, " only", Keys.ENTER)
    page.item("By keyboard only")
    page.wait_focus(".edit", "By keyboard only")
    press(page, Keys.ENTER)
    page.wait_focus(".edit-title")
    press(page, " not saved", Keys.ESCAPE)
    page.wait_focus(".edit", "By keyboard only")
    # Priority, due date and description in the editor, saved with Enter on Save.
    press(page, Keys.ENTER)
    page.wait_focus(".edit-title")
    press(page, Keys.TAB, "typed details", Keys.TAB, Keys.ARROW_DOWN, Keys.ARROW_DOWN, Keys.TAB, "01152030")
    tab_to(page, ".save")
    press(page, Keys.ENTER)
    page.wait(lambda _: page.in_item("By keyboard only", ".badge").text == "normal priority")
    _, stored = api.by_title("By keyboard only")
    assert stored == {"title": "By keyboard only", "description": "typed details", "priority": "normal",
                      "completed": True, "due_date": 1894665600}
    # Filters are links: Enter follows them.
    tab_to(page, "a[data-filter=active]", backwards=True)
    press(page, Keys.ENTER)
    page.wait(lambda _: page.titles() == ["Existing"])
    tab_to(page, "a[data-filter=all]", backwards=True)
    press(page, Keys.ENTER)
    page.wait(lambda _: len(page.titles()) == 2)
    # Toggle all with Space, then clear completed with Enter.
    tab_to(page, "#toggle-all", backwards=True)
    press(page, Keys.SPACE)
    page.wait(lambda _: page.text("#left") == "0 items left")
    page.wait_focus("#toggle-all")
    press(page, Keys.SPACE)
    page.wait(lambda _: page.text("#left") == "2 items left")
    tab_to(page, ".toggle", "Existing")
    press(page, Keys.SPACE)
    page.wait(lambda _: page.text("#left") == "1 item left")
    tab_to(page, "#clear-completed")
    press(page, Keys.ENTER)
    page.wait(lambda _: page.titles() == ["By keyboard only"])
    page.wait_focus("#toggle-all")
    # Delete with Enter; with the list empty, focus goes to the new-task title.
    tab_to(page, ".delete", "By keyboard only")
    press(page, Keys.ENTER)
    page.wait(lambda _: page.titles() == [])
    page.wait_focus("#task-title")
    assert api.tasks() == {}
