"""`GenericHTTPConnector` against a scripted client: request building, error mapping, logging, shared client."""

from __future__ import annotations

import asyncio
import io
import logging
import re
import socket
import ssl
from typing import Any, cast

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPRequest, HTTPResponse
from tornado.httputil import HTTPHeaders
from tornado.simple_httpclient import HTTPStreamClosedError, HTTPTimeoutError

from src.http_connectors.generic_http_connector import GenericHTTPConnector, redact_url
from src.model.errors.upstream_errors import (
    TRANSIENT_UPSTREAM_ERRORS,
    OutboundHTTPError,
    UpstreamBadResponse,
    UpstreamClientError,
    UpstreamError,
    UpstreamTimeout,
    UpstreamTLSError,
    UpstreamUnavailable,
)
from src.settings import HttpClientSettings
from src.utils.annotations.retry_coroutine import retry_coroutine
from src.utils.logging import request_context

URL = "http://upstream.test:8080/things"


class ScriptedClient:
    """Stands in for `AsyncHTTPClient`: records each request and answers (or raises) from a script."""

    def __init__(self, *answers: tuple[int, bytes, dict[str, str]] | BaseException) -> None:
        self.answers = list(answers)
        self.requests: list[HTTPRequest] = []

    async def fetch(self, request: HTTPRequest, raise_error: bool = True) -> HTTPResponse:
        assert raise_error is False, "the connector maps statuses itself"
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        code, body, headers = answer
        return HTTPResponse(request, code, headers=HTTPHeaders(headers), buffer=io.BytesIO(body))


def connector(*answers: Any, **options: Any) -> tuple[GenericHTTPConnector, ScriptedClient]:
    client = ScriptedClient(*answers)
    return GenericHTTPConnector(cast(AsyncHTTPClient, client), **options), client


def ok(body: bytes = b'{"a": 1}', code: int = 200) -> tuple[int, bytes, dict[str, str]]:
    return code, body, {"Content-Type": "application/json"}


async def test_json_answers_are_decoded():
    http, _ = connector(ok(b'{"a": [1, 2]}'))
    response = await http.request("GET", URL)
    assert response.status == 200
    assert response.body == {"a": [1, 2]}
    assert response.headers["Content-Type"] == "application/json"
    assert response.time_ms >= 0


async def test_raw_bodies_when_json_is_not_expected():
    http, client = connector((200, b"<html/>", {"Content-Type": "text/html"}))
    assert (await http.request("get", URL, expect_json=False)).body == b"<html/>"
    assert client.requests[0].method == "GET"
    assert "Accept" not in client.requests[0].headers


async def test_an_empty_answer_decodes_to_none():
    http, _ = connector((204, b"", {}))
    assert (await http.request("DELETE", URL)).body is None


async def test_json_bodies_are_sent_with_their_content_type():
    http, client = connector(ok())
    await http.request("POST", URL, json={"title": "é"})
    sent = client.requests[0]
    assert sent.body == '{"title":"é"}'.encode()
    assert sent.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert sent.headers["Accept"] == "application/json"


async def test_a_post_without_body_sends_an_empty_one():
    http, client = connector(ok())
    await http.request("POST", URL)
    assert client.requests[0].body == b""


async def test_the_current_request_id_is_forwarded():
    async def inside_a_request() -> HTTPRequest:
        request_context.bind("req-42", {})
        http, client = connector(ok())
        await http.request("GET", URL)
        return client.requests[0]

    assert (await inside_a_request()).headers["X-Request-ID"] == "req-42"


async def test_no_request_id_outside_a_request_and_an_explicit_one_wins():
    http, client = connector(ok(), ok())
    await http.request("GET", URL)
    assert "X-Request-ID" not in client.requests[0].headers

    async def explicit() -> None:
        request_context.bind("req-42", {})
        await http.request("GET", URL, headers={"X-Request-ID": "chosen"})

    await explicit()
    assert client.requests[1].headers["X-Request-ID"] == "chosen"


async def test_timeouts_come_from_the_settings_and_can_be_overridden():
    http, client = connector(ok(), ok(), connect_timeout=0.5, request_timeout=1.5)
    await http.request("GET", URL)
    await http.request("GET", URL, timeout=0.25)
    assert (client.requests[0].connect_timeout, client.requests[0].request_timeout) == (0.5, 1.5)
    assert client.requests[1].request_timeout == 0.25


def test_default_timeouts_are_short():
    http, _ = connector()
    assert http.connect_timeout == HttpClientSettings().connect_timeout <= 5
    assert http.request_timeout == HttpClientSettings().request_timeout <= 10


@pytest.mark.parametrize(("code", "kind", "api_status"), [
    (500, UpstreamError, 502), (503, UpstreamError, 502), (404, UpstreamClientError, 502),
    (400, UpstreamClientError, 502), (429, UpstreamClientError, 502),
])
async def test_error_statuses_become_typed_errors(code, kind, api_status):
    http, _ = connector((code, b'{"error": "x"}', {}))
    with pytest.raises(kind) as raised:
        await http.request("GET", URL)
    assert raised.value.upstream_status == code
    assert raised.value.status == api_status
    assert str(code) in raised.value.message
    assert raised.value.fields["upstream_url"] == URL


async def test_a_body_that_is_not_json_is_a_bad_response():
    http, _ = connector((200, b"<html>oops</html>", {"Content-Type": "text/html"}))
    with pytest.raises(UpstreamBadResponse, match="not JSON"):
        await http.request("GET", URL)


async def test_a_body_that_is_not_utf8_is_a_bad_response():
    http, _ = connector((200, b"\xff\xfe", {}))
    with pytest.raises(UpstreamBadResponse):
        await http.request("GET", URL)


@pytest.mark.parametrize(("error", "kind", "words"), [
    (ConnectionRefusedError(111, "Connection refused"), UpstreamUnavailable, "refused"),
    (socket.gaierror(-2, "Name or service not known"), UpstreamUnavailable, "resolved"),
    (ConnectionResetError(104, "Connection reset by peer"), UpstreamUnavailable, "reset"),
    (HTTPTimeoutError("Timeout while connecting"), UpstreamTimeout, "in time"),
    (HTTPTimeoutError("Timeout during request"), UpstreamTimeout, "in time"),
    (TimeoutError(), UpstreamTimeout, "in time"),
    (HTTPStreamClosedError("Stream closed"), UpstreamUnavailable, "Stream closed"),
    (ssl.SSLCertVerificationError(1, "certificate verify failed"), UpstreamTLSError, "TLS"),
    (ValueError("Unsupported url scheme: ftp://x"), UpstreamBadResponse, "could not be sent"),
])
async def test_transport_failures_become_typed_errors(error, kind, words):
    http, _ = connector(error)
    with pytest.raises(kind) as raised:
        await http.request("GET", URL)
    assert type(raised.value) is kind
    assert words in raised.value.message
    assert raised.value.upstream_status is None
    assert raised.value.__cause__ is error


def test_timeouts_answer_504_and_other_failures_502():
    assert UpstreamTimeout("t", method="GET", url=URL).status == 504
    assert UpstreamTimeout("t", method="GET", url=URL).timed_out
    assert not UpstreamUnavailable("u", method="GET", url=URL).timed_out
    assert UpstreamUnavailable("u", method="GET", url=URL).status == 502


def test_only_unavailable_timeouts_and_5xx_are_transient():
    assert issubclass(UpstreamTimeout, TRANSIENT_UPSTREAM_ERRORS)
    assert issubclass(UpstreamError, TRANSIENT_UPSTREAM_ERRORS)
    for kind in (UpstreamClientError, UpstreamBadResponse, UpstreamTLSError, OutboundHTTPError):
        assert not issubclass(kind, TRANSIENT_UPSTREAM_ERRORS)


def logged_line(record: logging.LogRecord) -> str:
    """The message followed by the record's logfmt fields, as the formatter lays them out."""
    fields = getattr(record, "logfmt_fields", {})
    return " ".join([record.getMessage(), *(f"{key}={value}" for key, value in fields.items())])


async def test_each_call_is_logged_without_credentials(caplog):
    http, _ = connector(ok(), (503, b"", {}))
    secret_url = "https://alice:s3cret@upstream.test/v1/items?api_key=k3y&page=2"
    with caplog.at_level(logging.INFO, logger="tornado_boilerplate.http_client"):
        await http.request("GET", secret_url)
        with pytest.raises(UpstreamError):
            await http.request("PUT", secret_url, json={})
    lines = [logged_line(record) for record in caplog.records]
    assert len(lines) == 2
    assert "method=GET url=https://upstream.test/v1/items?api_key=***&page=2 status=200 time_ms=" in lines[0]
    assert lines[0].endswith("attempt=1")
    assert "method=PUT" in lines[1] and "status=503" in lines[1] and "error=UpstreamError" in lines[1]
    assert caplog.records[1].levelno == logging.WARNING
    assert all("s3cret" not in line and "k3y" not in line and "alice" not in line for line in lines)


async def test_the_log_names_the_retry_attempt(caplog):
    http, _ = connector((503, b"", {}), (502, b"", {}), ok())

    @retry_coroutine(sleep=lambda seconds: asyncio.sleep(0))
    async def fetch() -> object:
        return await http.request("GET", URL)

    with caplog.at_level(logging.INFO, logger="tornado_boilerplate.http_client"):
        await fetch()
    attempts = [re.search(r" attempt=(\d+)", logged_line(record)).group(1)  # type: ignore[union-attr]
                for record in caplog.records if record.name == "tornado_boilerplate.http_client"]
    assert attempts == ["1", "2", "3"]


async def test_outbound_totals_go_to_the_request_log_line():
    fields: dict[str, Any] = {}

    async def inside_a_request() -> None:
        request_context.bind("req-1", fields)
        http, _ = connector(ok(), (500, b"", {}))
        await http.request("GET", URL)
        with pytest.raises(UpstreamError):
            await http.request("GET", URL)

    await inside_a_request()
    assert fields["upstream_calls"] == 2
    assert fields["upstream_time_ms"] >= 0


@pytest.mark.parametrize(("url", "logged"), [
    ("http://u:p@host:81/a?b=1", "http://host:81/a?b=1"),
    ("http://host/a?token=t&x=%20y#frag", "http://host/a?token=***&x=+y"),
    ("http://host/a?q=a%20b", "http://host/a?q=a%20b"),
    ("http://host", "http://host"),
])
def test_redact_url(url, logged):
    assert redact_url(url) == logged


async def test_the_shared_client_lives_until_stopped():
    try:
        settings = HttpClientSettings(max_clients=7, connect_timeout=0.7, request_timeout=1.7)
        client = GenericHTTPConnector.start(settings)
        try:
            assert GenericHTTPConnector.shared_client() is client
            assert client.max_clients == 7  # type: ignore[attr-defined]
            assert client.defaults["request_timeout"] == 1.7
            # Not the per-loop instance `AsyncHTTPClient()` returns, which other code may close.
            assert AsyncHTTPClient() is not client
            http = GenericHTTPConnector()
            assert http.client is client
            assert (http.connect_timeout, http.request_timeout) == (0.7, 1.7)
        finally:
            GenericHTTPConnector.stop()
        with pytest.raises(RuntimeError, match="closed"):
            await client.fetch("http://127.0.0.1:9/")
        with pytest.raises(RuntimeError, match="not started"):
            GenericHTTPConnector.shared_client()
        GenericHTTPConnector.stop()  # a second stop is harmless
    finally:
        GenericHTTPConnector._shared_settings = HttpClientSettings()
