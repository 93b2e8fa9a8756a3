"""The metric families this server exports, named by Prometheus conventions (base units, `_total` counters).

Created once per worker process on its own registry (after the fork, so in multiprocess mode each worker writes
its own files). Label values come from small fixed sets (route templates, outcomes, job names), never from
request data, so the number of series stays bounded.
"""

from __future__ import annotations

import platform
from typing import NamedTuple

import tornado
from prometheus_client.metrics import Counter, Gauge, Histogram
from prometheus_client.registry import CollectorRegistry

# Seconds, from well under a millisecond (a cached GET answers in ~0.2 ms) to a slow upstream's timeout.
LATENCY_BUCKETS = (0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
VERSION = "1.0"

# Outcomes, fixed so dashboards can rely on them.
LOCK_OUTCOMES = ("won", "taken", "timed_out", "unavailable")
SLOT_OUTCOMES = ("ran", "skipped_elsewhere", "missed", "failed")


class MetricFamilies(NamedTuple):
    """Every metric family a worker exports, created once on its registry."""

    http_requests: Counter
    http_duration: Histogram
    http_in_flight: Gauge
    db_operations: Counter
    db_duration: Histogram
    lock_acquisitions: Counter
    lock_duration: Histogram
    scheduler_slots: Counter
    outbound_requests: Counter
    outbound_duration: Histogram
    outbound_retries: Counter
    build_info: Gauge


def create_families(registry: CollectorRegistry) -> MetricFamilies:
    http_labels = ("method", "route", "status_class")
    return MetricFamilies(
        http_requests=Counter("http_requests_total", "HTTP requests answered, by method, route template and "
                              "status class", http_labels, registry=registry),
        http_duration=Histogram("http_request_duration_seconds", "Time from the request's arrival to its answer",
                                http_labels, buckets=LATENCY_BUCKETS, registry=registry),
        http_in_flight=Gauge("http_requests_in_flight", "Requests being handled now (sampled at each flush)",
                             registry=registry, multiprocess_mode="livesum"),
        db_operations=Counter("db_operations_total", "Database operations, by operation and outcome",
                              ("operation", "outcome"), registry=registry),
        db_duration=Histogram("db_operation_duration_seconds", "Database operation latency",
                              ("operation", "outcome"), buckets=LATENCY_BUCKETS, registry=registry),
        lock_acquisitions=Counter("lock_acquisitions_total", "Distributed lock acquisitions, by outcome "
                                  f"({', '.join(LOCK_OUTCOMES)})", ("outcome",), registry=registry),
        lock_duration=Histogram("lock_acquisition_duration_seconds", "Time to win, or give up on, a lock",
                                ("outcome",), buckets=LATENCY_BUCKETS, registry=registry),
        scheduler_slots=Counter("scheduler_slots_total", "Scheduled job slots, by job and outcome "
                                f"({', '.join(SLOT_OUTCOMES)})", ("job", "outcome"), registry=registry),
        outbound_requests=Counter("outbound_requests_total", "Outbound HTTP calls, by upstream and outcome",
                                  ("upstream", "outcome"), registry=registry),
        outbound_duration=Histogram("outbound_request_duration_seconds", "Outbound HTTP call latency",
                                    ("upstream", "outcome"), buckets=LATENCY_BUCKETS, registry=registry),
        outbound_retries=Counter("outbound_request_retries_total", "Outbound HTTP calls that were a retry",
                                 ("upstream",), registry=registry),
        build_info=Gauge("tornado_boilerplate_build_info", "Always 1; the labels say what is running",
                         ("version", "python", "tornado", "store"), registry=registry, multiprocess_mode="max"),
    )


def build_labels(store: str) -> tuple[str, str, str, str]:
    return VERSION, platform.python_version(), tornado.version, store
