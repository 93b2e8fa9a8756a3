"""The database component of a worker: `Mongo.init()` at set-up, `Mongo.close()` at teardown."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from src.database.embedded import EmbeddedStoreUnavailableError
from src.database.mongo import Mongo
from src.database.store import StoreDatabase
from src.settings import PROJECT_ROOT, DatabaseSettings

logger = logging.getLogger("tornado_boilerplate.database")


@asynccontextmanager
async def database_component(settings: DatabaseSettings) -> AsyncIterator[StoreDatabase]:
    """The process's database (Motor's or the embedded store's), closed at teardown.

    Never waits for MongoDB (Motor connects on first use); the embedded store is opened at once so a bad
    `--db_path` is reported at start-up, as a warning: requests answer 503 until it is usable.
    """
    database = Mongo.init(settings)
    try:
        logger.debug("database: %s", describe(settings))  # the start-up line names it too
        if Mongo.is_embedded():
            try:
                await Mongo.ping()
            except EmbeddedStoreUnavailableError as error:
                logger.warning("%s; database requests will fail until it is usable", error)
        yield database
    finally:
        await Mongo.close()


def describe(settings: DatabaseSettings) -> str:
    """Where the data lives, for the start-up log; never the credentials (nor a DNS lookup for +srv URIs)."""
    kind, location = store_location(settings)
    if kind == "embedded":
        return f"embedded store {location}"
    return f"MongoDB {location} through {settings.driver} (server selection timeout {settings.timeout_ms} ms)"


def store_location(settings: DatabaseSettings) -> tuple[str, str]:
    """("embedded", its file) or ("mongodb", the URI without credentials or options)."""
    if not settings.uses_mongo:
        path = settings.path / (settings.name + ".sqlite3")
        return "embedded", str(path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path)
    scheme, _, rest = settings.mongo_uri().partition("://")
    return "mongodb", f"{scheme}://{rest.rpartition('@')[2].split('?')[0]}"
