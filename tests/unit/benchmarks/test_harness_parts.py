"""Small pure parts of the bench: CPU placement, the seeded ids, the GC pause recorder, the bench's options."""

import pytest

from tests.benchmarks.bench import parse_options
from tests.benchmarks.gc_launcher import PauseRecorder
from tests.benchmarks.machine import Placement
from tests.benchmarks.seed import TasksApiUnavailableError, _task_id


def test_pinned_runs_get_one_cpu_each_and_unpinned_runs_get_all():
    placement = Placement("0", "1", "0,1")
    assert (placement.server_cpus(pinned=True), placement.client_cpus(pinned=True)) == ("0", "1")
    # the driver pins itself to the client CPU; children must be given every CPU back explicitly
    assert (placement.server_cpus(pinned=False), placement.client_cpus(pinned=False)) == ("0,1", "0,1")
    assert "CPU 0" in placement.describe() and "0,1" in placement.describe()


def test_without_two_cpus_nothing_is_pinned():
    placement = Placement(None, None)
    assert placement.server_cpus(pinned=True) is None and placement.client_cpus(pinned=False) is None
    assert "not pinned" in placement.describe()


def test_task_id_comes_from_location_or_body():
    assert _task_id("/tasks/6b01", b"") == "6b01"
    assert _task_id(None, b'{"id": "abc", "title": "t"}') == "abc"
    with pytest.raises(TasksApiUnavailableError):
        _task_id(None, b"{}")


def test_pause_recorder_sums_collections_per_generation():
    recorder = PauseRecorder()
    for generation in (0, 0, 2):
        recorder("start", {"generation": generation})
        recorder("stop", {"generation": generation})
    summary = recorder.summary()
    assert summary["gen0"]["collections"] == 2
    assert summary["gen1"] == {"collections": 0, "total_ms": 0.0, "max_ms": 0.0}
    assert summary["gen2"]["collections"] == 1
    assert summary["gen2"]["max_ms"] >= 0.0


def test_bench_runs_are_bounded():
    options = parse_options(["--rounds", "2", "--duration", "3", "--only", "GET /ping"])
    assert (options.rounds, options.duration, options.only) == (2, 3.0, ["GET /ping"])
    with pytest.raises(SystemExit):
        parse_options(["--rounds", "100"])
    with pytest.raises(SystemExit):
        parse_options(["--duration", "600"])
    with pytest.raises(SystemExit):
        parse_options(["--slices", "500"])
    with pytest.raises(SystemExit):
        parse_options(["--slice-seconds", "0.2"])
    assert parse_options(["--slices", "0"]).slices == 0  # every ratio from the rows measured alone
