"""Start-up of the database client in a worker (called by `start_components`)."""

from __future__ import annotations

import logging
from typing import Any

from src.database.embedded import EmbeddedStoreUnavailableError
from src.database.mongo import Mongo
from src.server.application_context import ApplicationContext, DatabaseSettings
from src.server.lifecycle import Lifecycle

logger = logging.getLogger("tornado_boilerplate.database")


async def start_database(context: ApplicationContext, lifecycle: Lifecycle, settings: dict[str, Any]) -> None:
    """`Mongo.init()` as settings["db"], a `database` health check and the `Mongo.close` shutdown hook.

    Never waits for MongoDB (Motor connects on first use); the embedded store is opened at once so a bad
    `--db_path` is reported at start-up, as a warning: requests answer 503 until it is usable.
    """
    settings["db"] = Mongo.init(context.database)
    lifecycle.on_shutdown("database", Mongo.close)
    settings.setdefault("health_checks", {})["database"] = Mongo.ping
    logger.info("database: %s", describe(context.database))
    if Mongo.is_embedded():
        try:
            await Mongo.ping()
        except EmbeddedStoreUnavailableError as error:
            logger.warning("%s; database requests will fail until it is usable", error)


def describe(settings: DatabaseSettings) -> str:
    """Where the data lives, for the start-up log; never the credentials (nor a DNS lookup for +srv URIs)."""
    if not settings.uses_mongo:
        return f"embedded store {settings.path / (settings.name + '.sqlite3')}"
    scheme, _, rest = settings.mongo_uri().partition("://")
    location = rest.rpartition("@")[2].split("?")[0]
    return f"MongoDB {scheme}://{location} (server selection timeout {settings.timeout_ms} ms)"
