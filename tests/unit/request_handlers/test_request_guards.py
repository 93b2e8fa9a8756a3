"""Security headers on every answer, the optional API token on write methods, the optional request time limit,
and CORS defaults per environment."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from tornado.httpclient import HTTPResponse
from tornado.testing import AsyncHTTPTestCase
from tornado.web import Application

from src.request_handlers.custom_request_handler import CustomRequestHandler
from src.request_handlers.http_date import HTTPDate
from src.request_handlers.request_guards import RequestDeadline
from src.server.application_factory import ApplicationFactory
from src.server.router import Router
from src.settings import ApplicationContext
from src.utils.command_line.argument_parsing_utils import ArgumentParsingUtils, replace_settings
from tests.support.components import make_components

TOKEN = "s3cret-token"


class SlowProbe(CustomRequestHandler):
    async def get(self) -> None:
        await asyncio.sleep(2)
        self.make_response({"late": True})


class GuardsTestCase(AsyncHTTPTestCase):
    context = ApplicationContext()

    def get_app(self) -> Application:
        components = make_components(self.context)
        routes: list[Any] = [*Router.routes(components), (r"/probe/slow", SlowProbe)]
        return ApplicationFactory.create(components, routes=routes)

    def error_of(self, response: HTTPResponse, code: int) -> dict[str, Any]:
        assert response.code == code, (response.code, response.body)
        body: dict[str, Any] = json.loads(response.body)
        assert body["code"] == code and set(body) == {"code", "message", "method", "uri", "request_id"}
        return body


class TestSecurityHeaders(GuardsTestCase):
    def test_every_answer_has_them_and_no_server_version(self) -> None:
        for path, method, body in (("/ping", "GET", None), ("/nope", "GET", None), ("/cors", "POST", b"[]"),
                                   ("/static/nope.js", "GET", None), ("/", "GET", None), ("/tasks", "OPTIONS", None)):
            response = self.fetch(path, method=method, body=body)
            assert response.headers["X-Content-Type-Options"] == "nosniff", path
            assert response.headers["Referrer-Policy"] == "no-referrer", path
            assert "Server" not in response.headers, (path, response.headers.get("Server"))
            assert "Strict-Transport-Security" not in response.headers  # plain HTTP: HSTS would mean nothing

    def test_every_answer_is_dated_with_the_second_it_was_made_in(self) -> None:
        for path, method, body in (("/ping", "GET", None), ("/nope", "GET", None), ("/cors", "POST", b"[]"),
                                   ("/tasks", "OPTIONS", None)):
            before = int(time.time())
            response = self.fetch(path, method=method, body=body)
            after = time.time()
            dated = parsedate_to_datetime(response.headers["Date"]).timestamp()
            assert response.headers["Date"].endswith(" GMT"), path
            assert before <= dated <= after, (path, response.headers["Date"])


def test_the_date_text_changes_with_the_second(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1359312200.25]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    date = HTTPDate()
    assert date.now() == "Sun, 27 Jan 2013 18:43:20 GMT"
    clock[0] = 1359312200.99
    assert date.now() == "Sun, 27 Jan 2013 18:43:20 GMT"
    clock[0] = 1359312201.0
    assert date.now() == "Sun, 27 Jan 2013 18:43:21 GMT"


class TestHstsOverTls(GuardsTestCase):
    context = replace_settings(ApplicationContext(), server={"ssl": True})

    def test_hsts_when_serving_tls(self) -> None:
        for path in ("/ping", "/nope"):
            assert self.fetch(path).headers["Strict-Transport-Security"] == "max-age=31536000"


class TestApiToken(GuardsTestCase):
    context = replace_settings(ApplicationContext(), server={"api_token": TOKEN})

    def test_write_methods_without_the_token_are_a_json_401_with_www_authenticate(self) -> None:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
                        {"Authorization": f"Bearer {TOKEN}x"}):
            response = self.fetch("/cors", method="POST", body=b"{}", headers=headers)
            self.error_of(response, 401)
            assert response.headers["WWW-Authenticate"].startswith("Bearer ")
        self.error_of(self.fetch("/tasks/1", method="DELETE", headers={}), 401)

    def test_the_token_opens_writes_and_reads_need_none(self) -> None:
        response = self.fetch("/cors", method="POST", body=b"{}", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.code == 200
        assert self.fetch("/cors").code == 200 and self.fetch("/ping").code == 200
        assert self.fetch("/tasks", method="OPTIONS").code == 204  # preflights carry no credentials


class TestRequestTimeout(GuardsTestCase):
    context = replace_settings(ApplicationContext(), server={"request_timeout": 0.2})

    def test_a_slow_handler_is_a_json_503_and_is_logged(self) -> None:
        records: list[logging.LogRecord] = []
        handler = logging.Handler()
        handler.emit = records.append  # type: ignore[method-assign,assignment]
        logger = logging.getLogger("tornado_boilerplate.server")
        logger.addHandler(handler)
        try:
            response = self.fetch("/probe/slow", request_timeout=30)
        finally:
            logger.removeHandler(handler)
        assert "longer than 0.2 s" in self.error_of(response, 503)["message"]
        assert any("SlowProbe" in record.getMessage() for record in records)
        assert self.fetch("/ping").code == 200


@pytest.mark.parametrize(("argv", "origins"), [
    ([], ("*",)),
    (["--env", "prod"], ()),
    (["--env", "prod", "--cors_origins", "*"], ("*",)),
    (["--env", "prod", "--cors_origins", "https://app.example"], ("https://app.example",)),
])
def test_cors_wildcard_is_the_dev_default_only(argv: list[str], origins: tuple[str, ...]) -> None:
    assert ArgumentParsingUtils.parse(argv, environ={}).server.cors_origins == origins


async def test_request_deadlines_expire_in_order_and_cancelled_ones_never() -> None:
    fired: list[str] = []
    first = RequestDeadline(0.05, lambda: fired.append("first"))
    cancelled = RequestDeadline(0.05, lambda: fired.append("cancelled"))
    cancelled.cancel()  # before the loop runs again: it cannot have expired yet
    last = RequestDeadline(0.05, lambda: fired.append("last"))
    deadline = asyncio.get_running_loop().time() + 30  # a generous bound: only a hang fails it
    while len(fired) < 2 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)
    assert fired == ["first", "last"]
    first.cancel()
    last.cancel()  # cancelling after expiry is harmless


async def test_a_request_deadline_of_zero_never_fires() -> None:
    fired: list[bool] = []
    RequestDeadline(0, lambda: fired.append(True))
    await asyncio.sleep(0.05)
    assert fired == []
