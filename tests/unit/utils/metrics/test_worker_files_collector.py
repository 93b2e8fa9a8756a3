"""A scrape under `--proc N` reads every worker's metric file, and one being created (still empty) is no 500."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.multiprocess import MultiProcessCollector

from src.utils.metrics.worker_files_collector import WorkerFilesCollector


def _write_counter(folder: Path, pid: int, value: float) -> None:
    values = MmapedDict(str(folder / f"counter_{pid}.db"))  # type: ignore[no-untyped-call]
    key = json.dumps(["jobs", "jobs_total", {"job": "x"}, "Jobs run."])
    values.write_value(key, value, 0.0)  # type: ignore[no-untyped-call]
    values.close()  # type: ignore[no-untyped-call]


def test_every_workers_values_are_summed_and_a_file_being_created_is_left_out(tmp_path: Path) -> None:
    _write_counter(tmp_path, 101, 2)
    _write_counter(tmp_path, 102, 3)
    (tmp_path / "counter_103.db").touch()  # a worker between creating its file and sizing it
    (tmp_path / "gauge_livesum_104.db").touch()

    registry = CollectorRegistry()
    WorkerFilesCollector(registry, str(tmp_path))
    assert 'jobs_total{job="x"} 5.0' in generate_latest(registry).decode()


def test_the_library_collector_alone_fails_on_that_file(tmp_path: Path) -> None:
    # The reason the project's collector exists: if this stops failing, the library has fixed it.
    (tmp_path / "counter_103.db").touch()
    registry = CollectorRegistry()
    MultiProcessCollector(registry, str(tmp_path))  # type: ignore[no-untyped-call]
    with pytest.raises(Exception, match="unpack"):
        generate_latest(registry)
