"""The MongoDB client for `--db_driver`: Motor (`motor`, the spec's) or PyMongo's own `AsyncMongoClient`
(`pymongo`, Motor's successor: Motor is deprecated and gets critical fixes only until 2027-05-14).

Both expose the same async collection API (`await collection.find_one(...)`, cursors with `to_list`), raise the
same `pymongo.errors`, and read the same URIs (`mongodb+srv://` included: PyMongo resolves it with dnspython).
Each driver is imported only when chosen, in processes configured for MongoDB.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Protocol

from src.database.store import StoreDatabase
from src.settings import DatabaseSettings


class AdminDatabase(Protocol):
    def command(self, command: str, /) -> Awaitable[object]: ...


class MongoClient(Protocol):
    """What the server uses of a Motor or PyMongo async client (mypy checks both fit, below)."""

    @property
    def admin(self) -> AdminDatabase: ...

    def get_default_database(self, default: str | None = None) -> StoreDatabase: ...

    def __getitem__(self, name: str, /) -> StoreDatabase: ...

    def close(self) -> object: ...


def create_mongo_client(settings: DatabaseSettings) -> MongoClient:
    """A client that connects lazily; every wait bounded by the server-selection timeout."""
    timeout = settings.timeout_ms
    if settings.driver == "pymongo":
        from pymongo import AsyncMongoClient  # noqa: PLC0415

        return AsyncMongoClient(settings.mongo_uri(), serverSelectionTimeoutMS=timeout, connectTimeoutMS=timeout)
    from motor.motor_asyncio import AsyncIOMotorClient  # noqa: PLC0415

    return AsyncIOMotorClient(settings.mongo_uri(), serverSelectionTimeoutMS=timeout, connectTimeoutMS=timeout)


async def close_mongo_client(client: MongoClient) -> None:
    """Motor's `close()` returns at once; `AsyncMongoClient.close()` is a coroutine."""
    closing = client.close()
    if inspect.isawaitable(closing):
        await closing


if TYPE_CHECKING:  # mypy proves both drivers' clients fit; nothing runs
    from motor.motor_asyncio import AsyncIOMotorClient
    from pymongo import AsyncMongoClient

    from src.database.store import Document

    def _motor_fits(client: AsyncIOMotorClient[Document]) -> MongoClient:
        return client

    def _pymongo_fits(client: AsyncMongoClient[Document]) -> MongoClient:
        return client
