"""Tasks survive a restart of the server, and a `kill -9` right after the 201 (the write was acknowledged)."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.integration.tasks.http_calls import call
from tests.support.server_process import ServerProcess


def test_tasks_survive_a_graceful_restart(tmp_path: Path) -> None:
    data = ["--db_path", str(tmp_path / "data")]
    with ServerProcess(data) as first:
        locations = [call(first.port, "POST", "/tasks", f'{{"title": "task {n}"}}').headers["Location"]
                     for n in range(3)]
        call(first.port, "PUT", locations[1], '{"title": "changed", "completed": true}')
        assert first.stop() == 0
    with ServerProcess(data) as second:
        listed = call(second.port, "GET", "/tasks").json()
        assert [f"/tasks/{task_id}" for task_id in listed] == locations
        assert listed[locations[1].rsplit("/", 1)[1]] == {"title": "changed", "priority": "none", "completed": True}


def test_an_acknowledged_task_survives_kill_9(tmp_path: Path) -> None:
    data = ["--db_path", str(tmp_path / "data")]
    with ServerProcess(data) as first:
        created = call(first.port, "POST", "/tasks", '{"title": "written before the crash", "priority": "urgent"}')
        assert created.status == 201
        first.stop(signal.SIGKILL)  # no shutdown hook runs: the SQLite connection is never closed
        assert first.returncode == -signal.SIGKILL
    with ServerProcess(data) as second:
        read = call(second.port, "GET", created.headers["Location"])
        assert read.status == 200
        assert read.json() == {"title": "written before the crash", "priority": "urgent", "completed": False}
