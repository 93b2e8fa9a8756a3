"""`Components`: the process-wide objects of one worker, composed once at start-up and frozen.

Clients start threads and sockets, which must not be shared across processes, so each worker builds its own
after the fork: each one is a component of the worker's `Lifecycle`, set up here in dependency order and torn down
in reverse. The features then build their services from them (once, not per request) and add their health checks.
`Mongo.get()`, `LockManager.get()` and `GenericHTTPConnector.shared_client()` are façades over these same objects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from tornado.httpclient import AsyncHTTPClient

from src.database.database_startup import database_component
from src.database.mongo import Mongo
from src.database.store import StoreDatabase
from src.http_connectors.generic_http_connector import GenericHTTPConnector
from src.jobs.scheduler import Scheduler
from src.jobs.scheduler_startup import scheduler_component
from src.lifecycle import HealthCheck, Lifecycle
from src.server.metrics_startup import RequestAccounting, metrics_component
from src.settings import ApplicationContext
from src.utils.concurrency.lock_manager_startup import lock_manager_component

if TYPE_CHECKING:
    from src.server.feature import Feature
    from src.utils.concurrency.lock_manager import LockManager

S = TypeVar("S")


class Services:
    """The services the features built at start-up, one per type: `services.get(TaskService)`."""

    def __init__(self, services: Sequence[object] = ()) -> None:
        self._by_type: dict[type, object] = {}
        for service in services:
            if type(service) in self._by_type:
                raise ValueError(f"two services of type {type(service).__name__}")
            self._by_type[type(service)] = service

    def get(self, kind: type[S]) -> S:
        service = self._by_type.get(kind)
        if not isinstance(service, kind):
            raise LookupError(f"no {kind.__name__} was built at start-up (is its feature registered?)")
        return service

    def __len__(self) -> int:
        return len(self._by_type)


class Components(NamedTuple):
    """What a worker shares between its requests and jobs; built by `start_components`, never mutated (a
    NamedTuple, not a frozen dataclass, which would compile its methods at every start; `_replace` copies)."""

    context: ApplicationContext
    database: StoreDatabase  # Motor's, PyMongo's or the embedded store's
    http_client: AsyncHTTPClient
    scheduler: Scheduler
    accounting: RequestAccounting  # its own per worker: it counts the requests in flight
    lock_manager: LockManager | None = None
    health_checks: Mapping[str, HealthCheck] = MappingProxyType({})  # read-only: the default is shared
    services: Services = Services()  # none: it has nothing to change


def compose(infrastructure: Components, features: Sequence[Feature]) -> Components:
    """The features' services (built once, here) and health checks added to the infrastructure."""
    services = [service for feature in features for service in feature.services(infrastructure)]
    with_services = infrastructure._replace(services=Services(services))
    health_checks = dict(infrastructure.health_checks)
    for feature in features:
        health_checks.update(feature.health_checks(with_services))
    return with_services._replace(health_checks=health_checks)


async def start_components(context: ApplicationContext, lifecycle: Lifecycle,
                           features: Sequence[Feature]) -> Components:
    """Create this process's database client, lock manager, HTTP client and scheduler, then the features'
    services, and run their start-up work (indexes...) in order."""
    # First, so start-up work is counted too: the recorder, the counting log_function and in_flight.
    accounting = await lifecycle.start("metrics", metrics_component(context))
    database = await lifecycle.start("database", database_component(context.database))
    health_checks: dict[str, HealthCheck] = {"database": Mongo.ping}
    lock_manager = None
    if context.lock_server.enabled:
        lock_manager = await lifecycle.start("lock_manager", lock_manager_component(context.lock_server))
        health_checks["lock_server"] = lock_manager.check
    # One outbound HTTP client per process (max_clients, default timeouts); closed at shutdown, never per call.
    http_client = await lifecycle.start("http_client", GenericHTTPConnector.component(context.http_client))
    # Last: its jobs may use everything above.
    job_setups = [feature.jobs for feature in features if feature.jobs is not None]
    scheduler = await lifecycle.start("scheduler", scheduler_component(context, job_setups))
    components = compose(Components(context, database, http_client, scheduler, accounting, lock_manager,
                                    health_checks), features)
    for feature in features:
        for work in feature.start_up:
            await work(components)
    return components
