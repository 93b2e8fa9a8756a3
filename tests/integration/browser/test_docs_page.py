"""The /docs page in headless Chromium against a real `python server.py`: Swagger UI renders every path of
/openapi.json from files this server serves, no request leaves 127.0.0.1, and the page's CSP is never violated.
(The browser and the server are the fixtures of conftest.py.)"""

from __future__ import annotations

import json
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests.integration.browser.page_driver import ARTIFACTS, WAIT_SECONDS
from tests.support.server_process import ServerProcess

# Installed before any page script runs (DevTools scripts are not subject to the page's CSP).
RECORD_CSP_VIOLATIONS = ("window.cspViolations = [];"
                         "document.addEventListener('securitypolicyviolation', (event) => "
                         "window.cspViolations.push(event.violatedDirective + ' ' + event.blockedURI));")
# Every URL the page loaded: the document, its scripts, styles, images and fetches (Resource Timing).
LOADED_URLS = "return [location.href, ...performance.getEntriesByType('resource').map((entry) => entry.name)]"


def test_docs_renders_every_path_locally_under_the_csp(driver: Any, server: ServerProcess) -> None:
    script = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_CSP_VIOLATIONS})
    driver.get_log("browser")  # what earlier tests left in the session's browser
    try:
        driver.get(server.url + "/docs")
        wait = WebDriverWait(driver, WAIT_SECONDS)
        title = wait.until(expected_conditions.visibility_of_element_located(
            (By.CSS_SELECTOR, ".swagger-ui .info .title")))
        assert "tornado-boilerplate" in title.text
        with urllib.request.urlopen(server.url + "/openapi.json", timeout=10) as response:
            paths = json.load(response)["paths"]
        operations = sum(1 for item in paths.values() for method in item if method != "parameters")
        wait.until(lambda browser: len(browser.find_elements(By.CSS_SELECTOR, ".opblock")) >= operations)
        # Swagger UI puts zero-width spaces after each "/" so long paths can wrap.
        shown = {element.text.replace("\u200b", "")
                 for element in driver.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
        assert set(paths) <= shown
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "docs-page.png"))

        urls: list[str] = driver.execute_script(LOADED_URLS)
        assert any(url.endswith("/openapi.json") for url in urls)
        assert any("/docs/assets/swagger-ui-bundle.js" in url for url in urls)
        outside = [url for url in urls if urlsplit(url).scheme != "data" and urlsplit(url).hostname != "127.0.0.1"]
        assert outside == [], f"requests left the server: {outside}"
        assert driver.execute_script("return window.cspViolations") == []
        errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert errors == [], errors
    finally:
        driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]})
