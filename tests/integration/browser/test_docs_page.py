"""The /docs page in headless Chromium against a real `python server.py`: Swagger UI renders every path of
/openapi.json from files this server serves, no request leaves 127.0.0.1, and the page's CSP is never violated."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.server_process import PROJECT_ROOT, ServerProcess

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
WAIT_SECONDS = 20
# Installed before any page script runs (DevTools scripts are not subject to the page's CSP).
RECORD_CSP_VIOLATIONS = ("window.cspViolations = [];"
                         "document.addEventListener('securitypolicyviolation', (event) => "
                         "window.cspViolations.push(event.violatedDirective + ' ' + event.blockedURI));")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                       reason="needs the chromium and chromium-driver packages (make install-requirements)"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    profile = tempfile.mkdtemp(prefix="tb-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--window-size=1200,900", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
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


def requested_urls(driver: Any) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_docs_renders_every_path_locally_under_the_csp(browser: Any, server: ServerProcess) -> None:
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_CSP_VIOLATIONS})
    browser.get(server.url + "/docs")
    wait = WebDriverWait(browser, WAIT_SECONDS)
    title = wait.until(expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, ".swagger-ui .info .title")))
    assert "tornado-boilerplate" in title.text
    with urllib_open(server.url + "/openapi.json") as document:
        paths = json.load(document)["paths"]
    wait.until(lambda driver: len(driver.find_elements(By.CSS_SELECTOR, ".opblock")) >= sum(
        1 for item in paths.values() for method in item if method != "parameters"))
    # Swagger UI puts zero-width spaces after each "/" so long paths can wrap.
    shown = {element.text.replace("\u200b", "")
             for element in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert set(paths) <= shown
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "docs-page.png"))

    urls = requested_urls(browser)
    assert any(url.endswith("/openapi.json") for url in urls)
    # The browser's own pages (chrome://) and inline images (data:) are no network requests.
    outside = [url for url in urls
               if urlsplit(url).scheme not in ("chrome", "data") and urlsplit(url).hostname != "127.0.0.1"]
    assert outside == [], f"requests left the server: {outside}"
    assert browser.execute_script("return window.cspViolations") == []
    errors = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == [], errors


def urllib_open(url: str) -> Any:
    import urllib.request  # noqa: PLC0415 - only this helper

    return urllib.request.urlopen(url, timeout=10)
