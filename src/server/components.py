"""The process-wide objects each worker creates after the fork (clients start threads and sockets, which must
not be shared across processes). Each returns its Application settings entries and registers its shutdown hook
on the `Lifecycle`; `/health` checks what is registered in `health_checks`."""

from __future__ import annotations

from typing import Any

from src.database.database_startup import start_database
from src.http_connectors.generic_http_connector import GenericHTTPConnector
from src.jobs.scheduler_startup import start_scheduler
from src.server.application_context import ApplicationContext
from src.server.lifecycle import Lifecycle
from src.utils.concurrency.lock_manager_startup import start_lock_manager


async def start_components(context: ApplicationContext, lifecycle: Lifecycle) -> dict[str, Any]:
    """Create this process's database client, lock manager, HTTP client and scheduler."""
    settings: dict[str, Any] = {"health_checks": {}}
    # Each feature adds its start-up here, in dependency order (database, lock server, HTTP client, jobs).
    await start_database(context, lifecycle, settings)  # settings["db"]: Motor or the embedded store
    await start_lock_manager(context, lifecycle, settings)  # with --lock_server: settings["lock_manager"]
    # One outbound HTTP client per process (max_clients, default timeouts); closed at shutdown, never per call.
    settings["http_client"] = GenericHTTPConnector.start(context.http_client)
    lifecycle.on_shutdown("http_client", GenericHTTPConnector.stop)
    start_scheduler(context, lifecycle, settings)  # last: its jobs may use everything above
    return settings
