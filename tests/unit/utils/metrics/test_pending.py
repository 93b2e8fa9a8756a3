"""Observations kept in plain numbers reach prometheus-client's values exactly once, at flush."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

from src.utils.metrics.pending import PendingCount, PendingObservations


def sample(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    return registry.get_sample_value(name, labels)


def test_observations_are_added_to_buckets_sum_and_counter_at_flush() -> None:
    registry = CollectorRegistry()
    histogram = Histogram("h_seconds", "h", buckets=(0.001, 0.01, 0.1), registry=registry)
    counter = Counter("c", "c", registry=registry)
    pending = PendingObservations(histogram, counter)
    for seconds in (0.0005, 0.001, 0.005, 0.05, 3.0):  # 0.001 sits on a bound: it counts as <= 0.001
        pending.observe(seconds)
    assert sample(registry, "h_seconds_count") == 0  # nothing before the flush
    pending.flush()
    pending.flush()  # a second flush adds nothing
    assert sample(registry, "c_total") == 5
    assert sample(registry, "h_seconds_count") == 5
    assert sample(registry, "h_seconds_sum") == 0.0005 + 0.001 + 0.005 + 0.05 + 3.0
    cumulative = [sample(registry, "h_seconds_bucket", le=le) for le in ("0.001", "0.01", "0.1", "+Inf")]
    assert cumulative == [2, 3, 4, 5]


def test_counts_accumulate_across_flushes() -> None:
    registry = CollectorRegistry()
    pending = PendingCount(Counter("slots", "s", registry=registry))
    pending.count += 2
    pending.flush()
    pending.count += 1
    pending.flush()
    assert sample(registry, "slots_total") == 3
