"""The MongoDB client for `--db_driver`: Motor (`motor`, the spec's) or PyMongo's own `AsyncMongoClient`
(`pymongo`, Motor's successor: Motor is deprecated and gets critical fixes only until 2027-05-14).

Both expose the same async collection API (`await collection.find_one(...)`, cursors with `to_list`), raise the
same `pymongo.errors`, and read the same URIs (`mongodb+srv://` included: PyMongo resolves it with dnspython).
Each driver is imported only when chosen, in processes configured for MongoDB.
"""

from __future__ import annotations

import inspect
from typing import Any

from src.settings import DatabaseSettings


def create_mongo_client(settings: DatabaseSettings) -> Any:
    """A client that connects lazily; every wait bounded by the server-selection timeout."""
    timeout = settings.timeout_ms
    if settings.driver == "pymongo":
        from pymongo import AsyncMongoClient  # noqa: PLC0415

        return AsyncMongoClient(settings.mongo_uri(), serverSelectionTimeoutMS=timeout, connectTimeoutMS=timeout)
    from motor.motor_asyncio import AsyncIOMotorClient  # noqa: PLC0415

    return AsyncIOMotorClient(settings.mongo_uri(), serverSelectionTimeoutMS=timeout, connectTimeoutMS=timeout)


async def close_mongo_client(client: Any) -> None:
    """Motor's `close()` returns at once; `AsyncMongoClient.close()` is a coroutine."""
    closing = client.close()
    if inspect.isawaitable(closing):
        await closing
