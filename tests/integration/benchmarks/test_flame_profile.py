"""`make profile` run for real on a write: the server under wrk's PUTs of random stored tasks, sampled by py-spy;
every PUT must have been answered 2xx and the profile must show the handler that served them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.server_process import PROJECT_ROOT


@pytest.mark.slow  # two servers started, 200 tasks stored, wrk and py-spy for a few seconds
def test_put_of_random_stored_tasks_is_profiled(tmp_path: Path) -> None:
    # Its own process: the profiler pins itself to the client CPU.
    completed = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.flame_profile", "--endpoint", "/tasks/{id}", "--method", "PUT",
         "--duration", "1", "--rate", "100", "--connections", "4", "--seed-count", "200",
         "--results", str(tmp_path)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    name = "profile-server-PUT-tasks-id"
    summary = (tmp_path / f"{name}.txt").read_text()
    header = summary.splitlines()[0]
    assert header.startswith("server PUT /tasks/{id} ") and header.endswith(" 0 errors"), header
    assert (tmp_path / f"{name}.svg").read_text().lstrip().startswith("<?xml")
    assert (tmp_path / f"{name}.speedscope.json").stat().st_size > 0
    assert "src/request_handlers/tasks.py" in summary
    assert not (tmp_path / ".profile-work").exists()
