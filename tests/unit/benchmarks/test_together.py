"""Comparisons measured with both servers loaded at once: which ones, their median ratio and spread, the CPU
time they are read with, and two wrk runs at the same time against real servers."""

import dataclasses
import os
import sys
import time

import pytest

from tests.benchmarks import together as together_module
from tests.benchmarks.process_stats import cpu_nanoseconds
from tests.benchmarks.report import format_peer_table, format_ratio_table, summarize_ratios, summarize_rows
from tests.benchmarks.scenarios import FOOTPRINT, MAIN, METRICS, PeerTable, Row
from tests.benchmarks.scenarios import PING as PING_LOAD
from tests.benchmarks.together import TogetherSlice, quartiles, summarize_together, together_pairs
from tests.benchmarks.wrk import WrkResult
from tests.unit.benchmarks.test_report import MEASUREMENTS, PING


def together(ratio: float, round_: int = 1, row: str = "server", reference: str = "bare") -> TogetherSlice:
    return TogetherSlice(row, reference, round_, 2.0, 1000.0 * ratio, 1000.0, 100.0 / ratio, 100.0)


def test_comparisons_of_servers_sharing_the_server_cpu_are_measured_together():
    [group] = METRICS.groups
    pairs = {(row.key, reference.key) for row, reference in together_pairs(METRICS, group)}
    assert pairs == {("server GET /ping", "server GET /ping --no-metrics"),
                     ("server GET /tasks/{id}", "server GET /tasks/{id} --no-metrics")}


def test_comparisons_of_unpinned_servers_or_across_groups_stay_with_the_rows_measured_alone():
    single, proc2 = FOOTPRINT.groups
    assert [(row.key, reference.key) for row, reference in together_pairs(FOOTPRINT, single)] == [
        ("server GET /ping", "server GET /ping --no-metrics")]
    assert together_pairs(FOOTPRINT, proc2) == []  # --proc 2 rows use every CPU
    main_pairs = [(row.key, reference.key) for group in MAIN.groups for row, reference in together_pairs(MAIN, group)]
    assert ("server GET /tasks/{id}", "fastapi GET /tasks/{id}") in main_pairs
    assert not any("proc 2" in row or "proc 2" in reference for row, reference in main_pairs)


def test_quartiles_of_the_slices():
    assert quartiles([1.0]) == (1.0, 1.0, 1.0)
    assert quartiles([0.9, 1.0, 1.1, 1.2, 5.0]) == pytest.approx((1.0, 1.1, 1.2))  # one wild slice moves nothing


def test_a_comparison_measured_together_takes_its_ratio_from_its_slices():
    slices = [together(ratio, round_) for round_, ratio in enumerate((0.95, 0.97, 0.96, 0.40, 0.98), start=1)]
    summary = summarize_together(slices, "server", "bare")
    assert summary is not None
    assert summary.slices == 5
    assert (summary.ratio, summary.cpu_ratio) == pytest.approx((0.96, 0.96))
    assert (summary.ratio_p25, summary.ratio_p75) == pytest.approx((0.95, 0.97))
    assert summarize_together(slices, "server", "other") is None

    rows = summarize_rows(MEASUREMENTS)
    [from_slices] = summarize_ratios(MEASUREMENTS, [PING], rows, slices)
    assert from_slices.ratio == pytest.approx(0.96)
    assert from_slices.ratio_met is True
    [alone] = summarize_ratios(MEASUREMENTS, [PING], rows)  # the same rows without slices: per-round ratios
    assert alone.ratio == pytest.approx(0.9)
    table = format_ratio_table([from_slices, alone])
    assert "together, 5 x 2 s: p25-p75" in table.splitlines()[1]
    assert "0.95-0.97" in table.splitlines()[1]
    assert "alone, 3 rounds: min-max" in table.splitlines()[2]


def test_peer_table_takes_the_ratios_measured_together():
    table = PeerTable("server", (("x bare", "bare"),), ("GET /ping",))
    named = [dataclasses.replace(item, row=f"{item.row} GET /ping") for item in MEASUREMENTS]
    rows = summarize_rows(named)
    assert "0.90 (CPU 1.00)" in format_peer_table(named, table, rows)  # the rows' same-round ratios
    slices = [together(1.02, row="server GET /ping", reference="bare GET /ping")]
    assert "1.02 (CPU 1.02)" in format_peer_table(named, table, rows, slices)


def test_cpu_time_of_a_process_is_read_to_the_nanosecond():
    before = cpu_nanoseconds([os.getpid()])
    deadline = time.process_time() + 0.02
    while time.process_time() < deadline:
        pass
    assert cpu_nanoseconds([os.getpid()]) - before >= 15_000_000
    assert cpu_nanoseconds([sys.maxsize]) == 0  # no such process


class _CountingServer:
    """Stands in for a RunningServer: `cpu_us` of CPU time per call of cpu_nanoseconds()."""

    def __init__(self, cpu_us: int) -> None:
        self.cpu_us, self.calls = cpu_us, 0

    def cpu_nanoseconds(self) -> int:
        self.calls += 1
        return self.calls * self.cpu_us * 1000


@pytest.mark.parametrize("reference_first", [False, True])
def test_each_side_keeps_its_own_figures_whichever_wrk_starts_first(monkeypatch, reference_first):
    started: list[list[str]] = []

    def run_together(commands, seconds):
        started.extend(list(command) for command in commands)
        return [wrk_result(100 if command == ["wrk", "row"] else 400) for command in commands]

    monkeypatch.setattr(together_module, "run_wrk_together", run_together)
    pair = (Row("server GET /ping", "server", PING_LOAD), Row("bare GET /ping", "bare", PING_LOAD))
    measured = together_module.measure_slice(pair, (_CountingServer(1000), _CountingServer(2000)),  # type: ignore[arg-type]
                                             (["wrk", "row"], ["wrk", "reference"]), 1, 2.0,
                                             reference_first=reference_first)
    assert started[0] == (["wrk", "reference"] if reference_first else ["wrk", "row"])
    assert (measured.row_requests_per_second, measured.reference_requests_per_second) == (50.0, 200.0)
    assert (measured.row_cpu_us_per_request, measured.reference_cpu_us_per_request) == (10.0, 5.0)


def wrk_result(requests: int) -> WrkResult:
    return WrkResult(requests, 2.0, requests / 2.0, 1.0, 1.0, 1.0, 1.0, 0, 0)
