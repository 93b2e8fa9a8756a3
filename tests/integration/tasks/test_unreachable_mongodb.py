"""With `--db_host` pointing at a closed port the server still starts at once; /tasks answers 503 within the
server-selection timeout (2 s by default, never Motor's 30 s) and /health names the database as unavailable."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.integration.tasks.http_calls import call
from tests.support.server_process import ServerProcess, free_port


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with ServerProcess(["--db_host", "127.0.0.1", "--db_port", str(free_port())]) as running:
        yield running


def test_start_up_does_not_wait_for_mongodb() -> None:
    unreachable = ServerProcess(["--db_host", "127.0.0.1", "--db_port", str(free_port()), "--db_timeout_ms", "30000"])
    started = time.monotonic()
    with unreachable:
        # Ready (answering /ping) long before even one server selection could time out.
        assert time.monotonic() - started < 10
        assert call(unreachable.port, "GET", "/ping").status == 200


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/tasks", None),
    ("POST", "/tasks", '{"title": "Task1"}'),
    ("GET", "/tasks/6650f0a2c1d2e3f4a5b6c7d8", None),
])
def test_tasks_answer_503_within_3_seconds(server: ServerProcess, method: str, path: str, body: str | None) -> None:
    started = time.monotonic()
    answer = call(server.port, method, path, body)
    elapsed = time.monotonic() - started
    assert answer.status == 503
    assert answer.json()["message"] == "the database is not available; try again shortly"
    assert elapsed < 3.0


def test_health_says_the_database_is_unavailable(server: ServerProcess) -> None:
    answer = call(server.port, "GET", "/health")
    assert answer.status == 503
    report = answer.json()
    assert report["status"] == "unavailable"
    assert report["checks"]["database"]["status"] == "unavailable"
