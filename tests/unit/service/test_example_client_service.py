"""`ExampleClientService`: the upstream's document, or the client-facing 502/504 for each kind of failure."""

from __future__ import annotations

from typing import Any

import pytest

from src.model.errors import BadGatewayError, GatewayTimeoutError
from src.model.errors.upstream_errors import (
    UpstreamBadResponse,
    UpstreamClientError,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from src.service.example_client_service import ExampleClientService
from src.utils.annotations.retry_coroutine import RetryDeadlineError

URL = "http://upstream.test/ping"


class FakeConnector:
    def __init__(self, outcome: Any) -> None:
        self.outcome = outcome

    async def fetch(self) -> Any:
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome


async def document(outcome: Any) -> Any:
    return await ExampleClientService(FakeConnector(outcome)).upstream_document()


async def test_the_upstream_document_is_returned_as_is():
    assert await document({"status": "ok", "items": [1]}) == {"status": "ok", "items": [1]}


@pytest.mark.parametrize("error", [
    UpstreamUnavailable("upstream refused the connection", method="GET", url=URL, attempt=3),
    UpstreamError("upstream answered 503 Service Unavailable", method="GET", url=URL, upstream_status=503,
                  attempt=3),
    UpstreamClientError("upstream answered 404 Not Found", method="GET", url=URL, upstream_status=404),
    UpstreamBadResponse("upstream answered 200 with a body that is not JSON", method="GET", url=URL),
])
async def test_failures_answer_502_with_the_reason(error):
    with pytest.raises(BadGatewayError) as raised:
        await document(error)
    assert raised.value.status == 502
    assert error.message in raised.value.message
    assert f"attempt {error.attempt}" in raised.value.message
    assert raised.value.fields["upstream_url"] == URL  # for the log line, not the message
    assert URL not in raised.value.message


async def test_a_timeout_answers_504():
    with pytest.raises(GatewayTimeoutError) as raised:
        await document(UpstreamTimeout("upstream did not answer in time", method="GET", url=URL, attempt=3))
    assert raised.value.status == 504
    assert "did not answer in time (attempt 3)" in raised.value.message


async def test_the_retry_deadline_answers_504():
    with pytest.raises(GatewayTimeoutError) as raised:
        await document(RetryDeadlineError("fetch", 8.0, 2))
    assert "within 8 s (attempt 2)" in raised.value.message


async def test_other_errors_are_not_disguised():
    with pytest.raises(KeyError):
        await document(KeyError("a bug"))
