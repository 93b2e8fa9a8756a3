"""`/metrics` of the real `python server.py --proc 2`: requests spread over both workers add up exactly,
whichever worker answers the scrape; a worker that dies keeps its counts; the per-start folder goes at exit."""

from __future__ import annotations

import json
import os
import re
import signal
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from src.utils.metrics import multiprocess_directory
from tests.support.server_process import ServerProcess

REQUESTS = 200
LABELS = {"method": "GET", "route": "/health", "status_class": "2xx"}
DEADLINE_SECONDS = 30.0  # only a hang reaches it; values are at most one flush interval (1 s) old


def get(url: str) -> tuple[bytes, dict[str, str]]:
    # A new connection each time: SO_REUSEPORT hands each one to either worker.
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read(), dict(response.headers)


def health_counts(server: ServerProcess) -> tuple[float, float]:
    """(requests counter, histogram count) of GET /health in one scrape."""
    text = get(server.url + "/metrics")[0].decode()
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.labels == LABELS and sample.name in ("http_requests_total",
                                                           "http_request_duration_seconds_count"):
                found[sample.name] = sample.value
    return found.get("http_requests_total", 0.0), found.get("http_request_duration_seconds_count", 0.0)


def worker_memory(server: ServerProcess) -> set[int]:
    """The pids with a resident memory sample in one scrape."""
    text = get(server.url + "/metrics")[0].decode()
    return {int(sample.labels["pid"]) for family in text_string_to_metric_families(text) for sample in family.samples
            if sample.name == "process_resident_memory_bytes" and sample.value > 0}


def wait_for_count(server: ServerProcess, expected: int) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while health_counts(server)[0] < expected:
        assert time.monotonic() < deadline, f"never reached {expected}: {health_counts(server)}"
        time.sleep(0.2)


def metrics_folder(server: ServerProcess) -> Path:
    assert server.process is not None
    folders = list(multiprocess_directory.base_folder().glob(
        f"tornado-boilerplate-metrics-{server.process.pid}-*"))
    assert len(folders) == 1, folders
    return folders[0]


@pytest.fixture
def server() -> Iterator[ServerProcess]:
    # --log_health_checks: scrapes are logged at INFO, so the test can see which workers answered them.
    with ServerProcess(["--proc", "2", "--log_health_checks"], ready_path="/ping") as running:
        yield running


def test_counts_from_both_workers_add_up_exactly_in_every_scrape(server: ServerProcess) -> None:
    pids = {json.loads(get(server.url + "/health")[0])["pid"] for _ in range(REQUESTS)}
    assert len(pids) == 2, f"all {REQUESTS} requests reached one worker"
    wait_for_count(server, REQUESTS)
    scrapes = [health_counts(server) for _ in range(20)]
    assert scrapes == [(REQUESTS, REQUESTS)] * 20
    assert worker_memory(server) == pids, "each worker reports its own process metrics"
    server.stop()  # flushes the logs: each scrape's canonical line names the pid that answered it
    lines = "".join(path.read_text() for path in (server.workdir / "logs").glob("server*.log")).splitlines()
    scraped_by = {int(re.search(r" pid=(\d+)", line).group(1))  # type: ignore[union-attr]
                  for line in lines if "uri=/metrics " in line}
    assert scraped_by == pids, "both workers must have answered scrapes"


def test_a_dead_workers_counts_stay_and_its_live_gauge_goes(server: ServerProcess) -> None:
    answered = {json.loads(get(server.url + "/health")[0])["pid"] for _ in range(40)}
    wait_for_count(server, 40)
    folder = metrics_folder(server)
    victim = sorted(answered)[0]
    assert (folder / f"gauge_livesum_{victim}.db").exists()
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + DEADLINE_SECONDS
    while (folder / f"gauge_livesum_{victim}.db").exists():  # the supervisor marks it dead
        assert time.monotonic() < deadline, "the dead worker's live gauge was never removed"
        time.sleep(0.1)
    server.wait_ready()
    assert [health_counts(server)[0] for _ in range(10)] == [40] * 10
    server.stop()
    assert not folder.exists(), "the per-start metrics folder outlived the server"
