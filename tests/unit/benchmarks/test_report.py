"""Medians, same-round ratios, verdicts and the tables of the bench report."""

import json
from pathlib import Path

import pytest

from tests.benchmarks.report import (
    MB,
    Measurement,
    format_peer_table,
    format_ratio_table,
    format_rows_table,
    format_startup_table,
    same_round_cpu_ratios,
    same_round_ratios,
    summarize_ratios,
    summarize_rows,
    summary_document,
    write_chart,
)
from tests.benchmarks.scenarios import LOOP, MAIN, PEER_TABLE, SUITES, Comparison, PeerTable


def measurement(row: str, round_: int, rate: float, p99: float = 5.0, cpu: float = 100.0) -> Measurement:
    return Measurement(row=row, round=round_, requests_per_second=rate, p50_ms=2.0, p99_ms=p99,
                       cpu_us_per_request=cpu, rss_bytes=30 * MB, errors=0)


# Round 2 is slow for both sides (a noisy neighbour): the same-round ratio is unaffected.
MEASUREMENTS = [
    measurement("bare", 1, 1000.0), measurement("server", 1, 900.0, p99=10.0, cpu=125.0),
    measurement("bare", 2, 500.0), measurement("server", 2, 450.0, p99=30.0),
    measurement("bare", 3, 1000.0), measurement("server", 3, 800.0, p99=12.0),
]
PING = Comparison("ping", "server", "bare", min_ratio=0.85, max_p99_ms=15.0)


def test_ratios_are_taken_within_each_round():
    assert same_round_ratios(MEASUREMENTS, PING) == pytest.approx([0.9, 0.9, 0.8])


def test_cpu_ratios_compare_cpu_time_per_request():
    # the reference's CPU per request over the row's: 100/125 in round 1, 100/100 otherwise
    assert same_round_cpu_ratios(MEASUREMENTS, PING) == pytest.approx([0.8, 1.0, 1.0])


def test_rounds_missing_a_side_are_left_out():
    partial = [*MEASUREMENTS, measurement("server", 4, 2000.0)]
    assert len(same_round_ratios(partial, PING)) == 3


def test_rows_are_summarized_by_medians_and_worst_p99():
    rows = summarize_rows(MEASUREMENTS)
    assert rows["server"].requests_per_second == 800.0
    assert rows["server"].p99_ms == 12.0
    assert rows["server"].p99_max_ms == 30.0
    assert rows["server"].rss_mb == pytest.approx(30.0)
    assert rows["server"].rounds == 3


def test_targets_give_verdicts():
    rows = summarize_rows(MEASUREMENTS)
    [summary] = summarize_ratios(MEASUREMENTS, [PING], rows)
    assert summary.ratio == pytest.approx(0.9)
    assert (summary.ratio_min, summary.ratio_max) == pytest.approx((0.8, 0.9))
    assert summary.cpu_ratio == pytest.approx(1.0)
    assert summary.ratio_met is True
    assert summary.p99_met is True
    strict = Comparison("ping", "server", "bare", min_ratio=0.95, max_p99_ms=11.0)
    [missed] = summarize_ratios(MEASUREMENTS, [strict], rows)
    assert (missed.ratio_met, missed.p99_met) == (False, False)
    table = format_ratio_table([summary, missed])
    assert "0.90" in table and "0.80-0.90" in table
    assert table.splitlines()[1].endswith("met") and table.splitlines()[2].endswith("MISSED")


def test_comparisons_without_targets_have_no_verdict():
    rows = summarize_rows(MEASUREMENTS)
    [summary] = summarize_ratios(MEASUREMENTS, [Comparison("info", "server", "bare", cpu_ratio=False)], rows)
    assert summary.ratio_met is None and summary.p99_met is None and summary.cpu_ratio is None
    assert format_ratio_table([summary]).splitlines()[1].endswith("-")


def test_tables_and_json_carry_every_row():
    rows = summarize_rows(MEASUREMENTS)
    ratios = summarize_ratios(MEASUREMENTS, [PING], rows)
    table = format_rows_table(rows)
    assert [line.split()[0] for line in table.splitlines()[1:]] == ["bare", "server"]
    document = json.loads(json.dumps(summary_document(rows, ratios)))
    assert document["ratios"][0]["ratio"] == 0.9
    assert document["rows"]["bare"]["requests_per_second"] == 1000.0
    startup = format_startup_table({"server": [
        {"startup_ms": 90.0, "startup_cpu_ms": 210.0, "idle_rss_mb": 30.0, "idle_pss_mb": 20.0},
        {"startup_ms": 130.0, "startup_cpu_ms": 250.0, "idle_rss_mb": 31.5, "idle_pss_mb": 21.0},
        {"startup_ms": 100.0, "startup_cpu_ms": 200.0, "idle_rss_mb": 29.0, "idle_pss_mb": 22.0}]})
    # Medians over the starts (the slowest start beside the start-up time).
    assert startup.splitlines()[1].split() == ["server", "100", "/", "130", "210", "30.0", "21.0"]


def test_chart_is_written_as_png(tmp_path):
    rows = summarize_rows(MEASUREMENTS)
    path = tmp_path / "bench.png"
    write_chart(path, rows, summarize_ratios(MEASUREMENTS, [PING], rows))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_main_comparison_names_measured_rows():
    keys = {row.key for group in MAIN.groups for row in group}
    servers = {spec.name for spec in MAIN.servers}
    for comparison in MAIN.comparisons:
        assert {comparison.row, comparison.reference} <= keys
    assert {row.server for group in MAIN.groups for row in group} <= servers


def test_peer_table_gives_each_endpoint_its_same_round_ratios():
    table = PeerTable("server", (("x bare", "bare"), ("x fastapi", "fastapi")), ("GET /a", "GET /b"))
    measurements = [
        measurement("server GET /a", 1, 900.0, cpu=200.0), measurement("bare GET /a", 1, 1000.0, cpu=180.0),
        measurement("fastapi GET /a", 1, 600.0, cpu=300.0),
        measurement("server GET /a", 2, 450.0, cpu=200.0), measurement("bare GET /a", 2, 500.0, cpu=180.0),
        measurement("fastapi GET /a", 2, 300.0, cpu=300.0),
        measurement("server GET /b", 1, 100.0),  # no peer measured it: a dash, not a ratio
    ]
    lines = format_peer_table(measurements, table, summarize_rows(measurements)).splitlines()
    assert lines[0].split()[:4] == ["endpoint", "req/s", "CPU", "us/req"]
    assert lines[1].split() == ["GET", "/a", "675", "200", "30.0", "0.90", "(CPU", "0.90)", "1.50", "(CPU", "1.50)"]
    assert lines[2].split()[-2:] == ["-", "-"]


def test_peer_table_of_main_names_measured_rows():
    table = MAIN.peer_table
    assert table is not None
    keys = {row.key for group in MAIN.groups for row in group}
    for endpoint in table.endpoints:
        assert {table.row(server, endpoint) for server in (table.subject, *(s for _, s in table.references))} <= keys


def test_main_compares_the_default_transport_with_tornados_parser_on_every_peer_endpoint():
    assert "--http_parser" not in MAIN.server("server").command(8000, Path("/w"), seed_count=0)
    assert MAIN.server("server-tornado").command(8000, Path("/w"), seed_count=0)[-2:] == ["--http_parser", "tornado"]
    parser_comparisons = {comparison.row: comparison.reference for comparison in MAIN.comparisons
                          if comparison.name.endswith("vs Tornado's parser")}
    assert parser_comparisons == {f"server {endpoint}": f"server {endpoint} --http_parser tornado"
                                  for endpoint in PEER_TABLE.endpoints}


def test_main_runs_the_server_on_its_default_loop_and_compares_it_with_asyncio():
    def command(name: str) -> list[str]:
        return MAIN.server(name).command(8000, Path("/w"), seed_count=0)

    assert "--loop" not in command("server") and "--loop" not in command("bare")  # each on its own default
    asyncio_command = command("server-asyncio")
    assert asyncio_command[asyncio_command.index("--loop") + 1] == "asyncio"
    loop_comparison = next(comparison for comparison in MAIN.comparisons if comparison.name.startswith("--loop"))
    assert (loop_comparison.row, loop_comparison.reference) == ("server GET /ping", "server GET /ping --loop asyncio")


def test_the_loop_suite_compares_each_endpoint_on_both_loops_in_the_same_rounds():
    keys = {row.key for group in LOOP.groups for row in group}
    assert {row.server for group in LOOP.groups for row in group} <= {spec.name for spec in LOOP.servers}
    for comparison in LOOP.comparisons:
        assert {comparison.row, comparison.reference} <= keys
    assert [spec.loop for spec in LOOP.servers] == [None, "asyncio", None, "asyncio"]
    assert SUITES["loop"] is LOOP
