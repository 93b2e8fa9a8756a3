"""Turning the bench's per-round measurements into medians, same-round ratios, tables, JSON and a bar chart."""

from __future__ import annotations

import statistics
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.benchmarks.scenarios import Comparison, PeerTable
from tests.benchmarks.together import TogetherSlice, summarize_together

MB = 1024 * 1024


@dataclass(frozen=True)
class Measurement:
    """One row in one round."""

    row: str
    round: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    cpu_us_per_request: float
    rss_bytes: int
    errors: int  # non-2xx/3xx responses + socket errors


@dataclass(frozen=True)
class RowSummary:
    row: str
    rounds: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    p99_max_ms: float
    cpu_us_per_request: float
    rss_mb: float
    errors: int


@dataclass(frozen=True)
class RatioSummary:
    comparison: Comparison
    rounds: int
    ratio: float
    ratio_min: float
    ratio_max: float
    p99_ms: float | None
    cpu_ratio: float | None = None
    # How the ratio was measured, and what its spread (ratio_min-ratio_max) is.
    method: str = "alone"

    @property
    def method_text(self) -> str:
        if self.method == "alone":
            return f"alone, {self.rounds} rounds: min-max"
        return f"{self.method}: p25-p75"

    @property
    def ratio_met(self) -> bool | None:
        return None if self.comparison.min_ratio is None else self.ratio >= self.comparison.min_ratio

    @property
    def p99_met(self) -> bool | None:
        if self.comparison.max_p99_ms is None or self.p99_ms is None:
            return None
        return self.p99_ms <= self.comparison.max_p99_ms


def summarize_rows(measurements: Iterable[Measurement]) -> dict[str, RowSummary]:
    """Per row: medians over the rounds (p99 also as the worst round), the largest RSS, all errors."""
    by_row: dict[str, list[Measurement]] = {}
    for measurement in measurements:
        by_row.setdefault(measurement.row, []).append(measurement)
    return {row: RowSummary(
        row=row,
        rounds=len(items),
        requests_per_second=statistics.median(item.requests_per_second for item in items),
        p50_ms=statistics.median(item.p50_ms for item in items),
        p99_ms=statistics.median(item.p99_ms for item in items),
        p99_max_ms=max(item.p99_ms for item in items),
        cpu_us_per_request=statistics.median(item.cpu_us_per_request for item in items),
        rss_mb=max(item.rss_bytes for item in items) / MB,
        errors=sum(item.errors for item in items),
    ) for row, items in by_row.items()}


def same_round_ratios(measurements: Iterable[Measurement], comparison: Comparison) -> list[float]:
    """req/s of `comparison.row` over req/s of its reference, for every round that measured both."""
    rates = {(item.row, item.round): item.requests_per_second for item in measurements}
    return _ratios(rates, comparison.row, comparison.reference)


def same_round_cpu_ratios(measurements: Iterable[Measurement], comparison: Comparison) -> list[float]:
    """The reference's server CPU time per request over the row's, per round: the throughput ratio the two would
    have with a whole CPU each, and much less sensitive than req/s to other load on the machine."""
    costs = {(item.row, item.round): item.cpu_us_per_request for item in measurements}
    return _ratios(costs, comparison.reference, comparison.row)


def _ratios(values: Mapping[tuple[str, int], float], numerator: str, denominator: str) -> list[float]:
    rounds = sorted({round_ for (_, round_) in values})
    return [values[(numerator, round_)] / values[(denominator, round_)]
            for round_ in rounds
            if (numerator, round_) in values and values.get((denominator, round_), 0) > 0]


def summarize_ratios(measurements: Sequence[Measurement], comparisons: Iterable[Comparison],
                     rows: Mapping[str, RowSummary],
                     slices: Sequence[TogetherSlice] = ()) -> list[RatioSummary]:
    """Per comparison: from its slices measured together when there are any, else from the rows measured alone
    (per round, then the median)."""
    summaries = []
    for comparison in comparisons:
        row = rows.get(comparison.row)
        together = summarize_together(slices, comparison.row, comparison.reference)
        if together is not None:
            summaries.append(RatioSummary(
                comparison, together.slices, together.ratio, together.ratio_p25, together.ratio_p75,
                row.p99_ms if row else None, together.cpu_ratio,
                method=f"together, {together.slices} x {together.seconds:g} s"))
            continue
        ratios = same_round_ratios(measurements, comparison)
        if not ratios:
            continue
        cpu_ratios = same_round_cpu_ratios(measurements, comparison) if comparison.cpu_ratio else []
        summaries.append(RatioSummary(comparison, len(ratios), statistics.median(ratios), min(ratios), max(ratios),
                                      row.p99_ms if row else None,
                                      statistics.median(cpu_ratios) if cpu_ratios else None))
    return summaries


def _verdict(*checks: bool | None) -> str:
    known = [check for check in checks if check is not None]
    if not known:
        return "-"
    return "met" if all(known) else "MISSED"


def format_rows_table(rows: Mapping[str, RowSummary]) -> str:
    lines = [f"{'row':<34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'p99 max':>9}{'CPU us/req':>12}{'RSS MB':>8}"
             f"{'errors':>8}"]
    for summary in rows.values():
        lines.append(f"{summary.row:<34}{summary.requests_per_second:>9.0f}{summary.p50_ms:>9.2f}"
                     f"{summary.p99_ms:>9.2f}{summary.p99_max_ms:>9.2f}{summary.cpu_us_per_request:>12.0f}"
                     f"{summary.rss_mb:>8.1f}{summary.errors:>8d}")
    return "\n".join(lines)


def format_ratio_table(ratios: Iterable[RatioSummary]) -> str:
    lines = [f"{'comparison (row / reference)':<48}{'ratio':>7}{'spread':>13}{'target':>9}"
             f"{'CPU ratio':>10}{'p99 ms':>8}{'target':>8}  {'method':<30}verdict"]
    for summary in ratios:
        comparison = summary.comparison
        ratio_target = f">={comparison.min_ratio:.2f}" if comparison.min_ratio is not None else "-"
        p99_target = f"<={comparison.max_p99_ms:g}" if comparison.max_p99_ms is not None else "-"
        p99 = f"{summary.p99_ms:.1f}" if summary.p99_ms is not None and comparison.max_p99_ms is not None else "-"
        cpu_ratio = f"{summary.cpu_ratio:.2f}" if summary.cpu_ratio is not None else "-"
        lines.append(f"{comparison.name:<48}{summary.ratio:>7.2f}"
                     f"{f'{summary.ratio_min:.2f}-{summary.ratio_max:.2f}':>13}{ratio_target:>9}{cpu_ratio:>10}"
                     f"{p99:>8}{p99_target:>8}  {summary.method_text:<30}"
                     f"{_verdict(summary.ratio_met, summary.p99_met)}")
    return "\n".join(lines)


def format_peer_table(measurements: Sequence[Measurement], table: PeerTable,
                      rows: Mapping[str, RowSummary], slices: Sequence[TogetherSlice] = ()) -> str:
    """Per endpoint: the subject's req/s, CPU us per request and RSS, then against each reference the ratio (as
    `summarize_ratios` gives it: from the slices measured together if any) and, in brackets, the CPU ratio."""
    headings = [heading for heading, _ in table.references]
    lines = [f"{'endpoint':<22}{'req/s':>8}{'CPU us/req':>12}{'RSS MB':>8}"
             + "".join(f"{heading:>30}" for heading in headings)]
    for endpoint in table.endpoints:
        subject = rows.get(table.row(table.subject, endpoint))
        if subject is None:
            continue
        cells = []
        for _, server in table.references:
            comparison = Comparison(endpoint, subject.row, table.row(server, endpoint))
            summary = next(iter(summarize_ratios(measurements, [comparison], rows, slices)), None)
            cells.append(f"{summary.ratio:.2f} (CPU {summary.cpu_ratio:.2f})"
                         if summary is not None and summary.cpu_ratio is not None else "-")
        lines.append(f"{endpoint:<22}{subject.requests_per_second:>8.0f}{subject.cpu_us_per_request:>12.0f}"
                     f"{subject.rss_mb:>8.1f}" + "".join(f"{cell:>30}" for cell in cells))
    return "\n".join(lines)


def format_startup_table(startup: Mapping[str, Sequence[Mapping[str, float]]]) -> str:
    """`startup`: server name -> one {"startup_ms", "startup_cpu_ms", "idle_rss_mb", "idle_pss_mb"} per start.
    Medians over the starts (the max beside the start-up time); memory per serving process, the largest one."""
    lines = [f"{'server':<22}{'start-up to first 200 ms (median / max)':>42}{'CPU ms':>9}"
             f"{'idle RSS MB/process':>21}{'PSS MB':>9}"]
    for name, samples in startup.items():
        times = [sample["startup_ms"] for sample in samples]
        cpu = statistics.median(sample.get("startup_cpu_ms", 0.0) for sample in samples)
        rss = statistics.median(sample["idle_rss_mb"] for sample in samples)
        pss = statistics.median(sample.get("idle_pss_mb", 0.0) for sample in samples)
        lines.append(f"{name:<22}{f'{statistics.median(times):.0f} / {max(times):.0f}':>42}{cpu:>9.0f}"
                     f"{rss:>21.1f}{pss:>9.1f}")
    return "\n".join(lines)


def write_chart(path: Path, rows: Mapping[str, RowSummary], ratios: Sequence[RatioSummary]) -> None:
    """Bar chart: each comparison's row and reference req/s side by side, the ratio above; p99 below."""
    # Imported here: the tables need no plotting library, and Agg renders without a display.
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    shown = [summary for summary in ratios if summary.comparison.row in rows
             and summary.comparison.reference in rows]
    figure, (rates_axis, p99_axis) = plt.subplots(2, 1, figsize=(12, 9), constrained_layout=True)
    positions = range(len(shown))
    width = 0.38
    reference_rates = [rows[summary.comparison.reference].requests_per_second for summary in shown]
    row_rates = [rows[summary.comparison.row].requests_per_second for summary in shown]
    rates_axis.bar([p - width / 2 for p in positions], reference_rates, width, label="reference", color="#9aa5b1")
    bars = rates_axis.bar([p + width / 2 for p in positions], row_rates, width, label="measured", color="#2f6db5")
    for bar, summary in zip(bars, shown, strict=True):
        rates_axis.annotate(f"x{summary.ratio:.2f}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                            ha="center", va="bottom", fontsize=9)
    # Wrapped so long row names (`GET /ping --proc 2 (vs bare --proc 2)`) do not run into their neighbours.
    labels = ["\n".join(textwrap.wrap(summary.comparison.name, 18)) for summary in shown]
    rates_axis.set_xticks(list(positions), labels, rotation=0, fontsize=7)
    rates_axis.set_ylabel("requests/s (median of rounds)")
    rates_axis.set_title("tornado-boilerplate vs bare Tornado: throughput, same-round ratio above each bar")
    rates_axis.legend()
    p99_axis.bar([p - width / 2 for p in positions], [rows[s.comparison.reference].p99_ms for s in shown], width,
                 label="reference", color="#9aa5b1")
    p99_axis.bar([p + width / 2 for p in positions], [rows[s.comparison.row].p99_ms for s in shown], width,
                 label="measured", color="#d9822b")
    p99_axis.set_xticks(list(positions), labels, rotation=0, fontsize=7)
    p99_axis.set_ylabel("p99 latency, ms (median of rounds)")
    p99_axis.legend()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def summary_document(rows: Mapping[str, RowSummary], ratios: Sequence[RatioSummary]) -> dict[str, Any]:
    """The JSON form of the tables."""
    return {
        "rows": {name: vars(summary) for name, summary in rows.items()},
        "ratios": [{"comparison": summary.comparison.name, "row": summary.comparison.row,
                    "reference": summary.comparison.reference, "ratio": round(summary.ratio, 3),
                    "ratio_min": round(summary.ratio_min, 3), "ratio_max": round(summary.ratio_max, 3),
                    "cpu_ratio": None if summary.cpu_ratio is None else round(summary.cpu_ratio, 3),
                    "rounds": summary.rounds, "method": summary.method,
                    "target_min_ratio": summary.comparison.min_ratio,
                    "p99_ms": summary.p99_ms, "target_max_p99_ms": summary.comparison.max_p99_ms,
                    "ratio_met": summary.ratio_met, "p99_met": summary.p99_met} for summary in ratios],
    }
