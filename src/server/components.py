"""The process-wide objects each worker creates after the fork (clients start threads and sockets, which must
not be shared across processes). Each is a component of the worker's `Lifecycle`, set up here in dependency
order and torn down in reverse; `/health` checks what is registered in `health_checks`."""

from __future__ import annotations

from typing import Any

from src.database.database_startup import database_component
from src.database.mongo import Mongo
from src.http_connectors.generic_http_connector import GenericHTTPConnector
from src.jobs.scheduler_startup import scheduler_component
from src.lifecycle import Lifecycle
from src.server.metrics_startup import metrics_component
from src.settings import ApplicationContext
from src.utils.concurrency.lock_manager_startup import lock_manager_component


async def start_components(context: ApplicationContext, lifecycle: Lifecycle) -> dict[str, Any]:
    """Create this process's database client, lock manager, HTTP client and scheduler."""
    settings: dict[str, Any] = {"health_checks": {}}
    # First, so start-up work is counted too: the recorder, the counting log_function and in_flight.
    settings.update(await lifecycle.start("metrics", metrics_component(context)))
    settings["db"] = await lifecycle.start("database", database_component(context.database))
    settings["health_checks"]["database"] = Mongo.ping
    if context.lock_server.enabled:
        manager = await lifecycle.start("lock_manager", lock_manager_component(context.lock_server))
        settings["lock_manager"] = manager
        settings["health_checks"]["lock_server"] = manager.check
    # One outbound HTTP client per process (max_clients, default timeouts); closed at shutdown, never per call.
    settings["http_client"] = await lifecycle.start("http_client", GenericHTTPConnector.component(context.http_client))
    # Last: its jobs may use everything above.
    settings["scheduler"] = await lifecycle.start("scheduler", scheduler_component(context))
    return settings
