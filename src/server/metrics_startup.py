"""Start-up of a worker's metrics: the recorder, its flush timer, the request hook and, with `--metrics_port`,
a second listener that serves only `/metrics`.

With several workers (`--proc N`) prometheus-client runs in its multiprocess mode: values go to files in the
folder the supervisor made (`multiprocess_directory`), and a scrape sums every worker's files.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, NamedTuple

from tornado.httpserver import HTTPServer
from tornado.ioloop import PeriodicCallback
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

from src.lifecycle import InFlightRequests
from src.request_handlers.metrics import MetricsHandler
from src.request_handlers.not_found import NotFoundHandler
from src.request_handlers.static_files import StaticFilesHandler
from src.server.http_server_factory import StartupError
from src.settings import ApplicationContext
from src.utils.logging.access_log import log_request
from src.utils.metrics import hooks, multiprocess_directory
from src.utils.package_parts import load_parts_only
from src.utils.route_templates import route_template

if TYPE_CHECKING:
    from src.utils.metrics.recorder import MetricsRecorder

FLUSH_INTERVAL_MS = 1000  # how stale a scrape can be: values reach prometheus-client at most this late

LogFunction = Callable[[RequestHandler], None]


class RequestAccounting(NamedTuple):
    """What the Application does around every request: counts those in flight (graceful shutdown waits for
    them), writes the canonical log line (`log_function`) and, with metrics, counts them for `/metrics`."""

    in_flight: InFlightRequests
    log_function: LogFunction = log_request
    # Every recorder of this worker (route templates are handed to them once the route table exists).
    recorders: tuple[MetricsRecorder, ...] = ()
    # The recorder `/metrics` renders on the main port; None with --no-metrics or --metrics_port.
    metrics: MetricsRecorder | None = None

    @classmethod
    def without_metrics(cls) -> RequestAccounting:
        """The in-flight count and the log line only (`--no-metrics`)."""
        return cls(InFlightRequests())


@asynccontextmanager
async def metrics_component(context: ApplicationContext) -> AsyncIterator[RequestAccounting]:
    """The request accounting of a worker: with `--no-metrics`, only the in-flight count and the log line."""
    if not context.server.metrics:
        yield RequestAccounting.without_metrics()
        return
    in_flight = InFlightRequests()
    recorder = _create_recorder(context, lambda: in_flight.count)
    log_function = counting_log_function(recorder, log_request)
    metrics_server = None
    if context.server.metrics_port is None:
        accounting = RequestAccounting(in_flight, log_function, (recorder,), recorder)
    else:
        accounting = RequestAccounting(in_flight, log_function, (recorder,))
        metrics_server = _serve_metrics_port(context, recorder, log_function)
    hooks.install(recorder)
    flusher = PeriodicCallback(recorder.flush, FLUSH_INTERVAL_MS)
    flusher.start()
    try:
        yield accounting
    finally:
        if metrics_server is not None:
            metrics_server.stop()
        flusher.stop()
        recorder.flush()  # the last requests' counts reach the files before the worker exits
        hooks.install(None)


def counting_log_function(recorder: MetricsRecorder, log: LogFunction) -> LogFunction:
    """The Application's `log_function` (called once per finished request): count, then write the log line."""
    observe = recorder.observe_request

    def count_and_log(handler: RequestHandler) -> None:
        observe(handler)
        log(handler)

    return count_and_log


def route_templates(routes: Sequence[tuple[Any, ...]]) -> dict[type[RequestHandler], str]:
    """Handler class -> route template, from a route table (the first route of a class names it)."""
    templates: dict[type[RequestHandler], str] = {StaticFilesHandler: "/static/{path}"}
    for route in routes:
        templates.setdefault(route[1], route_template(route[0]))
    return templates


def preload_metrics_library() -> None:
    """Import prometheus-client and the recorder in the supervisor of `--proc N`, before it forks: the workers
    then share those pages with it (copy-on-write) instead of each importing its own copy after the fork; the
    text exposition too, which a worker imports only at its first scrape."""
    load_parts_only("prometheus_client")
    import prometheus_client.exposition  # noqa: PLC0415
    import prometheus_client.platform_collector  # noqa: F401, PLC0415 - the rest of _create_recorder's imports

    from src.utils.metrics import families, recorder, worker_files_collector, worker_process  # noqa: F401, PLC0415


def _create_recorder(context: ApplicationContext, in_flight: Callable[[], int]) -> MetricsRecorder:
    # Imported here: prometheus-client loads only in workers that keep metrics, and only the parts used.
    load_parts_only("prometheus_client")
    from prometheus_client import values  # noqa: PLC0415
    from prometheus_client.platform_collector import PlatformCollector  # noqa: PLC0415
    from prometheus_client.process_collector import ProcessCollector  # noqa: PLC0415
    from prometheus_client.registry import CollectorRegistry  # noqa: PLC0415

    from src.utils.metrics.families import build_labels  # noqa: PLC0415
    from src.utils.metrics.recorder import MetricsRecorder  # noqa: PLC0415

    processes = context.server.proc or os.cpu_count() or 1
    folder = multiprocess_directory.current() if processes > 1 else None
    # The value class is chosen per metric when it is created: file-backed for a worker of several.
    values.ValueClass = (values.MultiProcessValue()  # type: ignore[no-untyped-call]
                         if folder is not None else values.MutexValue)
    registry = CollectorRegistry(auto_describe=True)
    sample_process = None
    if folder is None:
        scrape_registry = registry
        ProcessCollector(registry=registry)
    else:  # a worker of several: prometheus-client's multiprocess parts, which one process never needs
        from src.utils.metrics.worker_files_collector import WorkerFilesCollector  # noqa: PLC0415
        from src.utils.metrics.worker_process import WorkerProcessGauges  # noqa: PLC0415

        scrape_registry = CollectorRegistry()
        WorkerFilesCollector(scrape_registry, str(folder))
        sample_process = WorkerProcessGauges(registry).sample
    PlatformCollector(registry=scrape_registry)
    store = "mongodb" if context.database.uses_mongo else "embedded"
    # Route templates are handed over by ApplicationFactory, once the features' route table exists.
    return MetricsRecorder(registry, scrape_registry, {}, in_flight, build_labels(store),
                           sample_process=sample_process)


def _serve_metrics_port(context: ApplicationContext, recorder: MetricsRecorder, log: LogFunction) -> HTTPServer:
    port = context.server.metrics_port
    assert port is not None
    application = Application([(r"/metrics", MetricsHandler, {"recorder": recorder})], context=context,
                              default_handler_class=NotFoundHandler, log_function=log)
    server = HTTPServer(application, xheaders=False, idle_connection_timeout=context.server.idle_connection_timeout)
    processes = context.server.proc or os.cpu_count() or 1
    try:
        sockets = bind_sockets(port, context.server.address, reuse_port=processes > 1)
    except OSError as error:
        raise StartupError(f"invalid setting metrics_port: cannot listen on {context.server.address}:"
                           f"{port}: {error.strerror}") from None
    server.add_sockets(sockets)
    return server
