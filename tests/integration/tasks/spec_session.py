"""The spec's curl session (spec 002, section 2) as one replayable function, for every way the server runs: the
embedded store, MongoDB over the wire, the docker-compose deployment."""

from __future__ import annotations

import re

from tests.integration.tasks.http_calls import call


def replay_the_spec_session(port: int) -> None:
    """Every step of the spec's curl session against the server on 127.0.0.1:`port`, which holds no task yet."""
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

