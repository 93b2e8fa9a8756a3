"""The where-does-the-time-go summary `make profile` prints from py-spy's speedscope profile, and the loads it
can put on the server: every one `make bench` measures."""

import sqlite3

import pytest

from tests.benchmarks.flame_profile import SERVERS, load_for, origin, profiled_methods, seed, slug, summarize_speedscope
from tests.benchmarks.machine import Placement
from tests.benchmarks.scenarios import IDS_PLACEHOLDER, POST_TASK, PUT_TASK, bench_loads
from tests.benchmarks.servers import PEER_STORE_FILE
from tests.support.server_process import PROJECT_ROOT

SITE = "/venv/lib/python3.11/site-packages"
FRAMES: list[dict[str, str | int]] = [
    {"name": "run_worker", "file": str(PROJECT_ROOT / "src/server/server.py"), "line": 100},
    {"name": "_run_once", "file": "/usr/lib/python3.11/asyncio/base_events.py", "line": 1900},
    {"name": "RequestHandler.finish", "file": f"{SITE}/tornado/web.py", "line": 1200},
    {"name": "RequestHandler.finish", "file": f"{SITE}/tornado/web.py", "line": 1210},
    {"name": "log_request", "file": str(PROJECT_ROOT / "src/utils/logging/access_log.py"), "line": 40},
    {"name": "Logger.info", "file": "/usr/lib/python3.11/logging/__init__.py", "line": 1470},
]
DOCUMENT = {
    "shared": {"frames": FRAMES},
    "profiles": [{
        "type": "sampled",
        "name": 'Thread 4242 "MainThread"',
        # root first, leaf last; frames 2 and 3 are one function on two lines
        "samples": [[0, 1, 2], [0, 1, 3], [0, 1, 3], [0, 1, 4, 5], []],
        "weights": [0.01, 0.01, 0.01, 0.01, 0.01],
    }, {
        # an idle executor thread: listed apart, not in the shares
        "type": "sampled",
        "name": 'Thread 4243 "embedded-store_0"',
        "samples": [[1], [1]],
        "weights": [0.01, 0.01],
    }],
}


def test_frames_are_grouped_by_origin():
    assert origin(str(FRAMES[0]["file"])) == "this project (src/)"
    assert origin(str(FRAMES[2]["file"])) == "tornado"
    assert origin(str(FRAMES[5]["file"])) == "logging"
    assert origin("/usr/lib/python3.11/uuid.py") == "other stdlib"
    assert origin(f"{SITE}/motor/core.py") == "other libraries"


def test_summary_counts_self_and_inclusive_time_per_function():
    summary = summarize_speedscope(DOCUMENT)
    assert "MainThread (the event loop) 0.05 s, embedded-store_0 0.02 s" in summary
    by_origin = summary.split("\n\n")[0]
    assert "75.0%  tornado" in by_origin and "25.0%  logging" in by_origin
    # one function, two lines: counted once with all three samples
    assert "75.0%  RequestHandler.finish (tornado/web.py)" in summary
    own = summary.split("by inclusive time:")[1]
    assert "100.0%  run_worker (src/server/server.py)" in own
    assert "25.0%  log_request (src/utils/logging/access_log.py)" in own
    assert "tornado" not in own


def test_empty_profile():
    assert summarize_speedscope({"shared": {"frames": []}, "profiles": []}) == "no samples"


def test_loads_and_file_names(tmp_path):
    assert load_for("/tasks", "POST", tmp_path / "ids") == POST_TASK
    by_id = load_for("/tasks/{id}", "GET", tmp_path / "ids")
    assert by_id.script == "task_by_id.lua" and by_id.script_args == (str(tmp_path / "ids"),)
    assert slug("server", by_id) == "server-GET-tasks-id"
    assert slug("bare", load_for("/ping", "GET", tmp_path)) == "bare-GET-ping"


def test_put_replaces_random_stored_tasks_with_the_bench_script(tmp_path):
    put = load_for("/tasks/{id}", "PUT", tmp_path / "ids")
    assert (put.method, put.script, put.script_args) == ("PUT", PUT_TASK.script, (str(tmp_path / "ids"), "PUT"))
    assert load_for("/tasks/ID", "PUT", tmp_path / "ids") == put
    assert slug("bare-store", put) == "bare-store-PUT-tasks-id"


def test_every_load_of_the_bench_can_be_profiled(tmp_path):
    loads = bench_loads()
    assert {load.method for load in loads} == set(profiled_methods()) == {"GET", "POST", "PUT"}
    for load in loads:
        profiled = load_for(load.path, load.method, tmp_path / "ids")
        assert (profiled.method, profiled.path, profiled.script) == (load.method, load.path, load.script)
        assert IDS_PLACEHOLDER not in profiled.script_args
        assert len(profiled.script_args) == len(load.script_args)


@pytest.mark.parametrize(("endpoint", "method"), [("/ping", "PUT"), ("/tasks", "PUT"), ("/resources/{id}", "GET")])
def test_a_load_the_bench_does_not_measure_is_refused_naming_those_it_does(tmp_path, endpoint, method):
    with pytest.raises(SystemExit, match=r"PUT /tasks/\{id\}.*POST /tasks|POST /tasks.*PUT /tasks/\{id\}"):
        load_for(endpoint, method, tmp_path / "ids")


def test_the_bare_references_are_seeded_with_the_ids_wrk_draws(tmp_path):
    ids = seed(SERVERS["bare-store"], tmp_path, 3, Placement(None, None))
    assert ids == [f"{number:032x}" for number in (1, 2, 3)]  # the in-memory bare app's own seeded ids
    connection = sqlite3.connect(tmp_path / PEER_STORE_FILE)
    try:
        assert connection.execute("SELECT count(*) FROM tasks").fetchone() == (3,)
    finally:
        connection.close()
    assert seed(SERVERS["bare"], tmp_path / "bare", 2, Placement(None, None)) == ids[:2]
    assert not (tmp_path / "bare").exists()  # started with --seed 2 instead
