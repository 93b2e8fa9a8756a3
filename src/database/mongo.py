"""`Mongo`: the process's database client, created once per worker after the fork.

`Mongo.init(settings)` picks the back end: MongoDB when a host or URI is configured (`--db_host`, `--db_uri`,
`MONGODB_URI`...), through Motor or PyMongo's `AsyncMongoClient` (`--db_driver`), else the embedded store in
`--db_path`. Neither blocks start-up: the MongoDB client connects
lazily (an unreachable server shows in `/health` and as 503s, bounded by `--db_timeout_ms`), and the embedded
store opens its file on first use. `Mongo.get()` returns the database from anywhere (handlers reach it as
`self.db`, jobs through `Mongo.get()`); `Mongo.close()` is the shutdown hook.
"""

from __future__ import annotations

from typing import ClassVar

from src.database.embedded import EmbeddedClient, EmbeddedDatabase
from src.database.mongo_client import MongoClient, close_mongo_client, create_mongo_client
from src.database.store import StoreDatabase
from src.lifecycle import NotStartedError
from src.settings import DatabaseSettings


class Mongo:
    """Class-level singleton: one client per process (the driver's pools and the store's thread are per process)."""

    # A Motor or PyMongo async client (see mongo_client.py), or the embedded store's.
    _client: ClassVar[MongoClient | EmbeddedClient | None] = None
    _database: ClassVar[StoreDatabase | None] = None

    @classmethod
    def init(cls, settings: DatabaseSettings) -> StoreDatabase:
        """Create the client and return the database (Motor's or the embedded store's)."""
        if cls._database is not None:
            return cls._database
        database: StoreDatabase
        if settings.uses_mongo:
            client = create_mongo_client(settings)
            cls._client = client
            # A URI's own database (mongodb://host/name) wins, as for Heroku's MONGODB_URI; else --db_name.
            database = client.get_default_database(default=settings.name)
        else:
            embedded = EmbeddedClient(settings.path, busy_timeout=settings.timeout_ms / 1000)
            cls._client = embedded
            database = embedded[settings.name]
        cls._database = database
        return database

    @classmethod
    def get(cls) -> StoreDatabase:
        if cls._database is None:
            raise NotStartedError("the database", " in this process (Mongo.init)")
        return cls._database

    @classmethod
    def is_embedded(cls) -> bool:
        return isinstance(cls._client, EmbeddedClient)

    @classmethod
    async def ping(cls) -> None:
        """The readiness check: a round trip to the database, bounded by the server-selection timeout."""
        client = cls._client
        if client is None:
            raise NotStartedError("the database", " in this process (Mongo.init)")
        database = cls.get()
        if isinstance(database, EmbeddedDatabase):
            await database.command("ping")
        elif not isinstance(client, EmbeddedClient):
            await client.admin.command("ping")

    @classmethod
    async def close(cls) -> None:
        client, cls._client, cls._database = cls._client, None, None
        if isinstance(client, EmbeddedClient):
            await client.aclose()
        elif client is not None:
            await close_mongo_client(client)
