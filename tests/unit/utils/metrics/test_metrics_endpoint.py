"""`/metrics` through the real Application and metrics component (one process): route templates instead of raw
paths, counters that match histogram counts, database and other hooks, switched off, and on its own port."""

from __future__ import annotations

import json
import shutil
import tempfile
import urllib.request
from contextlib import AsyncExitStack
from typing import Any, ClassVar

from prometheus_client.parser import text_string_to_metric_families
from tornado.testing import AsyncHTTPTestCase
from tornado.web import Application

from src.database.embedded import EmbeddedClient
from src.server.application_factory import ApplicationFactory
from src.server.metrics_startup import metrics_component
from src.settings import ApplicationContext
from src.utils.command_line.argument_parsing_utils import replace_settings
from src.utils.metrics import hooks
from tests.support.components import make_components
from tests.support.server_process import free_port

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


class MetricsTestCase(AsyncHTTPTestCase):
    server_settings: ClassVar[dict[str, Any]] = {}

    def get_app(self) -> Application:
        self.folder = tempfile.mkdtemp(prefix="tb-metrics-")
        self.client = EmbeddedClient(self.folder)
        self.context = replace_settings(ApplicationContext(), server=self.server_settings)
        self.stack = AsyncExitStack()
        accounting = self.io_loop.run_sync(lambda: self.stack.enter_async_context(metrics_component(self.context)))
        components = make_components(self.context, database=self.client["test"])._replace(accounting=accounting)
        return ApplicationFactory.create(components)

    def tearDown(self) -> None:
        self.io_loop.run_sync(self.stack.aclose)
        self.client.close()
        super().tearDown()
        shutil.rmtree(self.folder, ignore_errors=True)

    def scrape(self) -> Samples:
        response = self.fetch("/metrics")
        assert response.code == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return parse(response.body.decode())


class TestRequestMetrics(MetricsTestCase):
    def test_requests_are_counted_by_route_template_never_by_raw_path(self) -> None:
        for task_id in ("abc", "def", "0123456789abcdef01234567"):
            assert self.fetch(f"/tasks/{task_id}").code == 404
        samples = self.scrape()
        labels = {"method": "GET", "route": "/tasks/{task_id}", "status_class": "4xx"}
        assert value(samples, "http_requests_total", **labels) == 3
        assert value(samples, "http_request_duration_seconds_count", **labels) == 3
        assert not any("abc" in dict(key[1]).get("route", "") for key in samples)

    def test_histogram_count_matches_the_counter_and_buckets_are_cumulative(self) -> None:
        for _ in range(5):
            self.fetch("/ping")
        samples = self.scrape()
        labels = {"method": "GET", "route": "/ping", "status_class": "2xx"}
        assert value(samples, "http_requests_total", **labels) == 5
        buckets = sorted((float(dict(key[1])["le"]), count) for key, count in samples.items()
                         if key[0] == "http_request_duration_seconds_bucket" and
                         dict(key[1])["route"] == "/ping" and dict(key[1])["status_class"] == "2xx")
        counts = [count for _, count in buckets]
        assert counts == sorted(counts) and counts[-1] == 5
        assert buckets[0][0] < 0.001  # sub-millisecond resolution
        assert value(samples, "http_request_duration_seconds_sum", **labels) > 0  # type: ignore[operator]

    def test_unmatched_paths_share_one_series(self) -> None:
        self.fetch("/no/such/path")
        self.fetch("/another-one")
        samples = self.scrape()
        assert value(samples, "http_requests_total", method="GET", route="unmatched", status_class="4xx") == 2

    def test_database_operations_are_counted_by_operation_and_outcome(self) -> None:
        response = self.fetch("/tasks", method="POST", body=json.dumps({"title": "count me"}))
        assert response.code == 201
        self.fetch(response.headers["Location"])
        samples = self.scrape()
        assert value(samples, "db_operations_total", operation="insert_one", outcome="ok") == 1
        assert value(samples, "db_operations_total", operation="find_one", outcome="ok") == 1
        assert value(samples, "db_operation_duration_seconds_count", operation="find_one", outcome="ok") == 1

    def test_in_flight_gauge_and_build_info(self) -> None:
        samples = self.scrape()
        # The scrape itself is in flight while the gauge is sampled.
        assert value(samples, "http_requests_in_flight") == 1
        build = [dict(key[1]) for key in samples if key[0] == "tornado_boilerplate_build_info"]
        assert len(build) == 1 and build[0]["store"] == "embedded"
        assert set(build[0]) == {"version", "python", "tornado", "store"}

    def test_lock_slot_and_outbound_hooks_reach_the_scrape(self) -> None:
        hooks.lock_acquisition("won", 0.002)
        hooks.lock_acquisition("taken", 0.001)
        hooks.scheduler_slot("report", "ran")
        hooks.scheduler_slot("report", "skipped_elsewhere")
        hooks.outbound_call("127.0.0.1:8080", "ok", 0.01, retry=False)
        hooks.outbound_call("127.0.0.1:8080", "timeout", 3.0, retry=True)
        samples = self.scrape()
        assert value(samples, "lock_acquisitions_total", outcome="won") == 1
        assert value(samples, "lock_acquisition_duration_seconds_count", outcome="taken") == 1
        assert value(samples, "scheduler_slots_total", job="report", outcome="skipped_elsewhere") == 1
        assert value(samples, "outbound_requests_total", upstream="127.0.0.1:8080", outcome="timeout") == 1
        assert value(samples, "outbound_request_retries_total", upstream="127.0.0.1:8080") == 1

    def test_process_metrics_in_one_process(self) -> None:
        assert (value(self.scrape(), "process_resident_memory_bytes") or 0) > 0


class TestSwitchedOff(MetricsTestCase):
    server_settings: ClassVar[dict[str, Any]] = {"metrics": False}

    def test_metrics_answers_a_json_404_and_hooks_record_nothing(self) -> None:
        hooks.lock_acquisition("won", 0.001)  # a no-op: no recorder installed
        response = self.fetch("/metrics")
        assert response.code == 404
        assert json.loads(response.body)["code"] == 404


class TestOwnPort(MetricsTestCase):
    metrics_port = free_port()
    server_settings: ClassVar[dict[str, Any]] = {"metrics_port": metrics_port, "address": "127.0.0.1"}

    def test_metrics_is_served_only_on_the_metrics_port(self) -> None:
        assert self.fetch("/metrics").code == 404
        assert self.fetch("/ping").code == 200

        def scrape() -> str:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as response:
                return str(response.read().decode())

        text = self.io_loop.run_sync(lambda: self.io_loop.run_in_executor(None, scrape))
        assert value(parse(text), "http_requests_total", method="GET", route="/ping", status_class="2xx") == 1
