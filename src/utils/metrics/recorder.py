"""`MetricsRecorder`: a worker's metrics, recorded on the hot path into plain numbers (`pending`) and flushed
into prometheus-client's values once a second, before each scrape and at shutdown.

HTTP requests are keyed by (handler class, method, status // 100): one dict look-up per request; the labels
(route template, status class) are worked out once, when a key is first seen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from prometheus_client.registry import CollectorRegistry
from tornado.web import RequestHandler

from src.utils.metrics.families import MetricFamilies, create_families
from src.utils.metrics.pending import PendingCount, PendingObservations

UNMATCHED_ROUTE = "unmatched"  # paths no route matched (the JSON 404s): one series, not one per raw path
_STATUS_CLASSES = {code: f"{code}xx" for code in range(1, 6)}

RequestKey = tuple[type[RequestHandler], str, int]
PendingT = TypeVar("PendingT", PendingObservations, PendingCount)


class MetricsRecorder:
    """Counts this worker's requests, database calls, locks, slots and outbound calls.

    `route_templates` maps handler classes to their route (`/tasks/{task_id}`); `scrape_registry` is what a
    scrape renders (this worker's own registry, or a multiprocess collector reading every worker's files);
    `in_flight` returns the requests being handled now, sampled into the gauge at each flush, as
    `sample_process` samples the process metrics when they need copying (several workers).
    """

    def __init__(self, registry: CollectorRegistry, scrape_registry: CollectorRegistry,
                 route_templates: Mapping[type[RequestHandler], str], in_flight: Callable[[], int],
                 build_labels: tuple[str, ...], *, sample_process: Callable[[], None] | None = None) -> None:
        self.families: MetricFamilies = create_families(registry)
        self._sample_process = sample_process
        self.families.build_info.labels(*build_labels).set(1)
        self.scrape_registry = scrape_registry
        self._route_templates = dict(route_templates)
        self._in_flight = in_flight
        self._requests: dict[RequestKey, PendingObservations] = {}
        self._observations: dict[tuple[str, ...], PendingObservations] = {}
        self._counts: dict[tuple[str, ...], PendingCount] = {}
        self._pending: list[PendingObservations | PendingCount] = []

    def use_route_templates(self, route_templates: Mapping[type[RequestHandler], str]) -> None:
        """The route table's templates, known once the features' routes are built (after this recorder)."""
        self._route_templates.update(route_templates)

    # ---- the hot path -------------------------------------------------------------------------------------------

    def observe_request(self, handler: RequestHandler) -> None:
        key = (handler.__class__, handler.request.method or "", handler.get_status() // 100)
        pending = self._requests.get(key)
        if pending is None:
            pending = self._requests[key] = self._request_series(key)
        pending.observe(handler.request.request_time())

    def database(self, operation: str, outcome: str, seconds: float) -> None:
        # Every store call: the series looked up here, not through `_observe` (one call less).
        pending = self._observations.get(("db", operation, outcome))
        if pending is None:
            self._observe(("db", operation, outcome), seconds)
        else:
            pending.observe(seconds)

    def lock(self, outcome: str, seconds: float) -> None:
        self._observe(("lock", outcome), seconds)

    def outbound(self, upstream: str, outcome: str, seconds: float, retry: bool) -> None:
        self._observe(("outbound", upstream, outcome), seconds)
        if retry:
            self._count(("retry", upstream))

    def slot(self, job: str, outcome: str) -> None:
        self._count(("slot", job, outcome))

    # ---- flushing and scraping ---------------------------------------------------------------------------------

    def flush(self) -> None:
        for pending in self._pending:
            pending.flush()
        self.families.http_in_flight.set(self._in_flight())
        if self._sample_process is not None:
            self._sample_process()

    def render(self) -> bytes:
        """The exposition text of every worker's metrics (call `flush()` first, on the event loop)."""
        # Imported at the first scrape (it brings http.server, wsgiref and urllib.request): not at start-up.
        from prometheus_client.exposition import generate_latest  # noqa: PLC0415

        return generate_latest(self.scrape_registry)

    # ---- series, created once per label set --------------------------------------------------------------------

    def _request_series(self, key: RequestKey) -> PendingObservations:
        handler_class, method, status = key
        route = self._route_templates.get(handler_class, UNMATCHED_ROUTE)
        labels = (method, route, _STATUS_CLASSES.get(status, f"{status}xx"))
        return self._track(PendingObservations(self.families.http_duration.labels(*labels),
                                               self.families.http_requests.labels(*labels)))

    def _observe(self, key: tuple[str, ...], seconds: float) -> None:
        pending = self._observations.get(key)
        if pending is None:
            kind, *labels = key
            counter, histogram = {
                "db": (self.families.db_operations, self.families.db_duration),
                "lock": (self.families.lock_acquisitions, self.families.lock_duration),
                "outbound": (self.families.outbound_requests, self.families.outbound_duration),
            }[kind]
            pending = self._observations[key] = self._track(
                PendingObservations(histogram.labels(*labels), counter.labels(*labels)))
        pending.observe(seconds)

    def _count(self, key: tuple[str, ...]) -> None:
        pending = self._counts.get(key)
        if pending is None:
            kind, *labels = key
            family = self.families.scheduler_slots if kind == "slot" else self.families.outbound_retries
            pending = self._counts[key] = self._track(PendingCount(family.labels(*labels)))
        pending.count += 1

    def _track(self, pending: PendingT) -> PendingT:
        self._pending.append(pending)
        return pending
