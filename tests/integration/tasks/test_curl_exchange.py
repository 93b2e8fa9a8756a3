"""The spec's curl session (spec 002, section 2), replayed over real HTTP against `python server.py` with no
MongoDB: the embedded store answers every step with the spec's status codes and headers."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.integration.tasks.http_calls import call
from tests.support.server_process import ServerProcess


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with ServerProcess() as running:
        yield running


def test_the_spec_session(server: ServerProcess) -> None:
    port = server.port
    # Create a task entry: 201, empty body, Location with the new id.
    created = call(port, "POST", "/tasks", '{"title": "Task1"}')
    assert (created.status, created.reason) == (201, "Created")
    assert created.body == b""
    assert created.headers["Content-Length"] == "0"
    location = created.headers["Location"]
    assert re.fullmatch(r"/tasks/[0-9a-f]{24}", location)

    # Read the task entry: 200, JSON, ETag.
    read = call(port, "GET", location)
    assert (read.status, read.reason) == (200, "OK")
    assert read.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert re.fullmatch(r'"[0-9a-f]{40}"', read.headers["Etag"])
    assert read.json() == {"title": "Task1", "priority": "none", "completed": False}
    assert call(port, "GET", location, headers={"If-None-Match": read.headers["Etag"]}).status == 304

    # Update the task entry: 204, no body.
    updated = call(port, "PUT", location, '{"title": "Task2"}')
    assert (updated.status, updated.reason, updated.body) == (204, "No Content", b"")

    # List all tasks: an object of id -> task.
    listed = call(port, "GET", "/tasks")
    assert listed.status == 200
    assert "Etag" in listed.headers
    task_id = location.rsplit("/", 1)[1]
    assert listed.json() == {task_id: {"title": "Task2", "priority": "none", "completed": False}}
    assert listed.headers["X-Total-Count"] == "1"

    # Delete the task: 204.
    deleted = call(port, "DELETE", location)
    assert (deleted.status, deleted.body) == (204, b"")

    # Verify the task is deleted: an empty object, and 404 JSON for the id.
    assert call(port, "GET", "/tasks").json() == {}
    missing = call(port, "GET", location)
    assert (missing.status, missing.reason) == (404, "Not Found")
    assert missing.headers["Content-Type"] == "application/json; charset=UTF-8"
    error = missing.json()
    assert error["code"] == 404 and error["method"] == "GET" and error["uri"] == location
    assert error["message"] == f"task {task_id} not found"
    assert "trace" not in error


def test_the_spec_example_id_is_a_404(server: ServerProcess) -> None:
    missing = call(server.port, "GET", "/tasks/66fdbb78e79846849608b2cfe244a858")
    assert missing.status == 404
    assert missing.json()["message"] == "task 66fdbb78e79846849608b2cfe244a858 not found"


def test_health_reports_the_embedded_store(server: ServerProcess) -> None:
    health = call(server.port, "GET", "/health")
    assert health.status == 200
    assert health.json()["checks"]["database"]["status"] == "ok"
