"""Comparisons measured with both servers loaded at once on the same CPU ("together").

Two servers pinned to one CPU, each loaded by its own wrk for a short slice, share that CPU as the scheduler
shares it between two busy processes: equally. Their throughput ratio is then the inverse ratio of their CPU
cost per request, and whatever else runs on the machine (neighbours, steal, frequency) slows both alike within
the slice. Run one after the other instead, even interleaved, the two sides of a ratio see different moments
of a machine whose speed swings by +-30 % from second to second. Each slice gives one ratio; a comparison's
ratio is the median over its slices, with their interquartile range as its spread.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tests.benchmarks.scenarios import Row, Suite
from tests.benchmarks.servers import RunningServer
from tests.benchmarks.wrk import run_wrk_together


@dataclass(frozen=True)
class TogetherSlice:
    """One slice: `row` and `reference` (row keys) loaded at once for `seconds`."""

    row: str
    reference: str
    round: int
    seconds: float
    row_requests_per_second: float
    reference_requests_per_second: float
    row_cpu_us_per_request: float
    reference_cpu_us_per_request: float
    errors: int = 0

    @property
    def ratio(self) -> float:
        return self.row_requests_per_second / self.reference_requests_per_second

    @property
    def cpu_ratio(self) -> float:
        """The reference's CPU time per request over the row's, in the same slice."""
        return self.reference_cpu_us_per_request / self.row_cpu_us_per_request


@dataclass(frozen=True)
class TogetherSummary:
    slices: int
    seconds: float
    ratio: float
    ratio_p25: float
    ratio_p75: float
    cpu_ratio: float


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """(25th percentile, median, 75th percentile); a single value is all three."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    low, median, high = statistics.quantiles(values, n=4, method="inclusive")
    return low, median, high


def summarize_together(slices: Iterable[TogetherSlice], row: str, reference: str) -> TogetherSummary | None:
    """The median ratio of the slices that loaded `row` and `reference` together, None when none did."""
    measured = [item for item in slices if (item.row, item.reference) == (row, reference)
                and item.reference_requests_per_second > 0 and item.row_cpu_us_per_request > 0]
    if not measured:
        return None
    low, median, high = quartiles([item.ratio for item in measured])
    return TogetherSummary(len(measured), measured[0].seconds, median, low, high,
                           statistics.median(item.cpu_ratio for item in measured))


def together_pairs(suite: Suite, rows: Sequence[Row]) -> list[tuple[Row, Row]]:
    """The (row, reference) pairs of the suite's comparisons that can be measured together among `rows` (one
    group's, whose servers run at the same time): both servers pinned to the server CPU, and not the same one.
    Comparisons of unpinned servers (`--proc 2`, scaling over CPUs) stay with the rows measured alone."""
    by_key = {row.key: row for row in rows}
    pairs = []
    for comparison in suite.comparisons:
        row, reference = by_key.get(comparison.row), by_key.get(comparison.reference)
        if (row is not None and reference is not None and row.server != reference.server
                and suite.server(row.server).pinned and suite.server(reference.server).pinned):
            pairs.append((row, reference))
    return pairs


def measure_slice(pair: tuple[Row, Row], servers: tuple[RunningServer, RunningServer],
                  commands: tuple[Sequence[str], Sequence[str]], round_number: int, seconds: float,
                  reference_first: bool = False) -> TogetherSlice:
    """Load both servers at once with their wrk `commands` for `seconds`; their req/s and CPU per request."""
    before = [server.cpu_nanoseconds() for server in servers]
    if reference_first:
        reference_result, row_result = run_wrk_together(commands[::-1], seconds)
    else:
        row_result, reference_result = run_wrk_together(commands, seconds)
    used_us = [(server.cpu_nanoseconds() - start) / 1000.0 for server, start in zip(servers, before, strict=True)]
    return TogetherSlice(
        pair[0].key, pair[1].key, round_number, seconds,
        row_result.requests_per_second, reference_result.requests_per_second,
        used_us[0] / max(row_result.requests, 1), used_us[1] / max(reference_result.requests, 1),
        errors=sum(result.non_2xx + result.socket_errors for result in (row_result, reference_result)))
