"""Storing the bench's tasks through the API (`POST /tasks`), several keep-alive connections at once."""

from __future__ import annotations

import http.client
import json
from concurrent.futures import ThreadPoolExecutor

CONNECTIONS = 8


class TasksApiUnavailableError(RuntimeError):
    """The server has no working `POST /tasks`."""


def task_document(number: int) -> dict[str, object]:
    return {"title": f"task {number}", "description": "seeded for the bench", "priority": "normal"}


def seed_tasks(port: int, count: int, connections: int = CONNECTIONS) -> list[str]:
    """Create `count` tasks; returns their ids in creation order."""
    probe = _post_tasks(port, range(1, 2))  # fails fast when the API is missing
    numbers = range(2, count + 1)
    shards = [numbers[index::connections] for index in range(connections)]
    with ThreadPoolExecutor(connections) as pool:
        ids = [task_id for shard_ids in pool.map(lambda shard: _post_tasks(port, shard), shards)
               for task_id in shard_ids]
    return probe + ids


def _post_tasks(port: int, numbers: range) -> list[str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    ids = []
    try:
        for number in numbers:
            connection.request("POST", "/tasks", body=json.dumps(task_document(number)),
                               headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            body = response.read()
            if response.status != 201:
                raise TasksApiUnavailableError(f"POST /tasks answered {response.status}: {body[:200]!r}")
            ids.append(_task_id(response.getheader("Location"), body))
    finally:
        connection.close()
    return ids


def _task_id(location: str | None, body: bytes) -> str:
    """The new task's id, from `Location: /tasks/{id}` or else from the body's `id`."""
    if location and "/tasks/" in location:
        return location.rsplit("/", 1)[1]
    document = json.loads(body)
    if isinstance(document, dict) and "id" in document:
        return str(document["id"])
    raise TasksApiUnavailableError(f"POST /tasks gave no Location header and no id: {body[:200]!r}")
