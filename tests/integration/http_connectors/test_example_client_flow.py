"""`GET /client` end to end against a real upstream: a Tornado app on a free loopback port, started by the test.

The upstream's behaviour is scripted per test (fail N times with 503, answer 404, hang, answer HTML...), and
it records every request it receives, so the tests see the retries and the forwarded request id from both ends.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

from tornado.httpclient import HTTPResponse
from tornado.httpserver import HTTPServer
from tornado.testing import AsyncHTTPTestCase, bind_unused_port
from tornado.web import Application, RequestHandler

from src.http_connectors.example_client_connector import DEADLINE_SECONDS
from src.http_connectors.generic_http_connector import GenericHTTPConnector
from src.server.application_factory import ApplicationFactory
from src.settings import ApplicationContext, HttpClientSettings
from tests.support.components import make_components
from tests.support.server_process import free_port

SHORT_TIMEOUT = 0.3  # the timeout tests: three attempts and their back-off well inside the deadline
# The other tests: long enough that a loaded machine never turns an upstream 503 or 200 into a client timeout.
GENEROUS_TIMEOUT = 3.0


@dataclass
class Upstream:
    """What the upstream does next, and what it has seen."""

    mode: str = "ok"
    failures_left: int = 0
    request_ids: list[str | None] = field(default_factory=list)
    release: asyncio.Event | None = None

    @property
    def calls(self) -> int:
        return len(self.request_ids)


class UpstreamHandler(RequestHandler):
    def initialize(self, upstream: Upstream) -> None:
        self.upstream = upstream

    async def get(self) -> None:
        upstream = self.upstream
        upstream.request_ids.append(self.request.headers.get("X-Request-ID"))
        if upstream.failures_left > 0:
            upstream.failures_left -= 1
            self.set_status(503)
            self.finish({"error": "busy"})
            return
        if upstream.mode == "missing":
            self.set_status(404)
            self.finish({"error": "no such thing"})
        elif upstream.mode == "slow":
            assert upstream.release is not None
            await upstream.release.wait()
            self.finish({"late": True})
        elif upstream.mode == "html":
            self.set_header("Content-Type", "text/html")
            self.finish("<html>not json</html>")
        else:
            self.finish({"served_by": "upstream", "call": upstream.calls, "nested": {"ids": [1, 2]},
                         "request_id": self.request.headers.get("X-Request-ID")})


class ExampleClientFlowCase(AsyncHTTPTestCase):
    """A server whose `/client` calls the upstream below (or `upstream_url()`), with one shared client."""

    request_timeout = GENEROUS_TIMEOUT

    def upstream_url(self) -> str:
        return f"http://127.0.0.1:{self.upstream_port}/thing"

    def setUp(self) -> None:
        self.upstream = Upstream()
        self.upstream_socket, self.upstream_port = bind_unused_port()
        super().setUp()
        self.upstream.release = asyncio.Event()
        self.upstream_server = HTTPServer(Application([(r"/thing", UpstreamHandler, {"upstream": self.upstream})]))
        self.upstream_server.add_sockets([self.upstream_socket])

    def tearDown(self) -> None:
        assert self.upstream.release is not None
        self.upstream.release.set()
        self.upstream_server.stop()
        self.io_loop.run_sync(self.upstream_server.close_all_connections, timeout=5)
        GenericHTTPConnector.stop()
        GenericHTTPConnector._shared_settings = HttpClientSettings()
        super().tearDown()

    def get_app(self) -> Application:
        context = ApplicationContext(http_client=HttpClientSettings(
            max_clients=10, connect_timeout=self.request_timeout, request_timeout=self.request_timeout,
            example_client_url=self.upstream_url()))
        self.shared_client = GenericHTTPConnector.start(context.http_client)
        return ApplicationFactory.create(make_components(context, http_client=self.shared_client))

    def get_client(self) -> Any:
        response: HTTPResponse = self.fetch("/client", headers={"X-Request-ID": "trace-abc-123"})
        return response, json.loads(response.body)

    @staticmethod
    def lines(records: list[logging.LogRecord]) -> list[str]:
        """Each record as message + logfmt fields, as the formatter lays them out."""
        return [" ".join([record.getMessage(),
                          *(f"{key}={value}" for key, value in getattr(record, "logfmt_fields", {}).items())])
                for record in records]

    def outbound_attempts(self, records: list[logging.LogRecord]) -> list[str]:
        return [match.group(1) for line in self.lines(records)
                if (match := re.search(r"outbound method=GET .* attempt=(\d+)", line))]


class ExampleClientFlowTest(ExampleClientFlowCase):
    def test_two_503s_then_success_answers_200_after_3_attempts(self) -> None:
        self.upstream.failures_left = 2
        with self.assertLogs("tornado_boilerplate", "INFO") as logs:
            response, body = self.get_client()
        assert response.code == 200
        assert body == {"served_by": "upstream", "call": 3, "nested": {"ids": [1, 2]},
                        "request_id": "trace-abc-123"}
        assert self.upstream.calls == 3
        assert self.outbound_attempts(logs.records) == ["1", "2", "3"]
        assert sum("status=503" in line for line in self.lines(logs.records)) == 2
        assert any("attempt 3/3 succeeded" in line for line in logs.output)

    def test_a_404_is_not_retried(self) -> None:
        self.upstream.mode = "missing"
        response, body = self.get_client()
        assert response.code == 502
        assert body["code"] == 502
        assert "upstream answered 404 Not Found" in body["message"]
        assert body["request_id"] == "trace-abc-123"
        assert self.upstream.calls == 1

    def test_a_body_that_is_not_json_answers_502_without_retry(self) -> None:
        self.upstream.mode = "html"
        response, body = self.get_client()
        assert response.code == 502
        assert "not JSON" in body["message"]
        assert self.upstream.calls == 1

    def test_the_incoming_request_id_reaches_the_upstream(self) -> None:
        self.upstream.failures_left = 1
        response, _ = self.get_client()
        assert response.code == 200
        assert response.headers["X-Request-ID"] == "trace-abc-123"
        assert self.upstream.request_ids == ["trace-abc-123", "trace-abc-123"]

    def test_a_generated_request_id_reaches_the_upstream_too(self) -> None:
        response = self.fetch("/client")
        assert response.code == 200
        assert self.upstream.request_ids == [response.headers["X-Request-ID"]]

    def test_the_shared_client_is_not_closed_by_a_call(self) -> None:
        first, _ = self.get_client()
        second, body = self.get_client()
        assert (first.code, second.code) == (200, 200)
        assert body["call"] == 2
        assert GenericHTTPConnector.shared_client() is self.shared_client

    def test_a_stopped_shared_client_is_a_503(self) -> None:
        response, _ = self.get_client()
        assert response.code == 200
        GenericHTTPConnector.stop()
        response, body = self.get_client()
        assert response.code == 503
        assert body["message"] == "the outbound HTTP client is not started"
        assert self.upstream.calls == 1


class SlowUpstreamTest(ExampleClientFlowCase):
    request_timeout = SHORT_TIMEOUT

    def test_an_upstream_slower_than_the_timeout_answers_504(self) -> None:
        self.upstream.mode = "slow"
        started = time.monotonic()
        response, body = self.get_client()
        elapsed = time.monotonic() - started
        assert response.code == 504
        assert body["code"] == 504
        assert "did not answer in time" in body["message"]
        assert self.upstream.calls == 3  # a timeout is transient: retried like the others
        assert elapsed < DEADLINE_SECONDS


class ClosedUpstreamTest(ExampleClientFlowCase):
    def upstream_url(self) -> str:
        return f"http://127.0.0.1:{free_port()}/thing"

    def test_an_upstream_that_is_down_answers_502_within_the_deadline(self) -> None:
        started = time.monotonic()
        with self.assertLogs("tornado_boilerplate", "INFO") as logs:
            response, body = self.get_client()
        elapsed = time.monotonic() - started
        assert response.code == 502
        assert response.headers["Content-Type"].startswith("application/json")
        assert "refused the connection" in body["message"]
        assert "attempt 3" in body["message"]
        assert self.outbound_attempts(logs.records) == ["1", "2", "3"]
        assert elapsed < DEADLINE_SECONDS
