"""Observations kept in plain Python numbers until the next flush hands them to prometheus-client.

A prometheus-client value update takes a lock, and in multiprocess mode also writes to a memory-mapped file:
4-5 µs each, several per request, measured to be a large share of a `GET /ping`. Adding to an int is ~50 ns. So
the hot path adds here, and `flush()` (once a second, before every scrape and at shutdown) adds the totals to
the real metric children in one update per series. Counts are never lost or double-counted, only delayed by at
most one flush interval. Everything runs on the worker's event loop thread, so no lock is needed.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any


class PendingCount:
    """Increments of one counter child not yet flushed."""

    __slots__ = ("child", "count")

    def __init__(self, child: Any) -> None:
        self.child = child
        self.count = 0

    def flush(self) -> None:
        if self.count:
            self.child.inc(self.count)
            self.count = 0


class PendingObservations:
    """Observations of one histogram child (and of the counter that counts the same events) not yet flushed.

    Buckets are counted the way prometheus-client stores them (each observation in the first bucket whose
    upper bound is >= the value, the last bound being +Inf) and added to its per-bucket values at flush: the
    library has no public call to observe many values at once, so `_sum` and `_buckets` are used directly
    (stable across prometheus-client releases; the multiprocess test reads them back through a scrape).
    """

    __slots__ = ("bounds", "buckets", "count", "counter", "histogram", "total")

    def __init__(self, histogram: Any, counter: Any = None) -> None:
        self.histogram = histogram
        self.counter = counter
        self.bounds: list[float] = list(histogram._upper_bounds)
        self.buckets = [0] * len(self.bounds)
        self.count = 0
        self.total = 0.0

    def observe(self, seconds: float) -> None:
        self.count += 1
        self.total += seconds
        self.buckets[bisect_left(self.bounds, seconds)] += 1

    def flush(self) -> None:
        if not self.count:
            return
        if self.counter is not None:
            self.counter.inc(self.count)
        self.histogram._sum.inc(self.total)
        for index, count in enumerate(self.buckets):
            if count:
                self.histogram._buckets[index].inc(count)
                self.buckets[index] = 0
        self.count = 0
        self.total = 0.0
