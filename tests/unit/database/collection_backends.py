"""The back ends the collection contract suite runs against: the embedded store, mongomock-motor (the reference
for MongoDB semantics), and a real MongoDB when `MONGODB_URI` is set, through each `--db_driver` (Motor and
PyMongo's AsyncMongoClient)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mongomock_motor import AsyncMongoMockClient
from motor.motor_asyncio import AsyncIOMotorClient
from pymongo import AsyncMongoClient

from src.database.embedded import EmbeddedClient
from src.database.mongo_client import close_mongo_client

# A real MongoDB joins the suite only when MONGODB_URI is set; otherwise one visible skip says so (see
# test_collection_contract.test_real_mongodb_is_part_of_the_contract), rather than one per test.
REAL_MONGODB_BACKENDS = ("mongodb-motor", "mongodb-pymongo")
BACKENDS = ("embedded", "mongomock", *(REAL_MONGODB_BACKENDS if os.environ.get("MONGODB_URI") else ()))
MONGODB_SKIP_REASON = ("MONGODB_URI is not set: the contract suite ran against the embedded store and "
                       "mongomock-motor only (set MONGODB_URI=mongodb://host:27017/test to include a real MongoDB)")


class Backend:
    def __init__(self, name: str, folder: Path) -> None:
        self.name = name
        self.folder = folder

    @asynccontextmanager
    async def collection(self) -> AsyncIterator[Any]:
        """A fresh, empty collection; the client is created inside the test's event loop and closed after."""
        name = f"contract_{uuid.uuid4().hex[:12]}"
        if self.name == "embedded":
            embedded = EmbeddedClient(self.folder)
            try:
                yield embedded["contract"][name]
            finally:
                await embedded.aclose()
        elif self.name == "mongomock":
            yield AsyncMongoMockClient()["contract"][name]
        else:
            client: Any = (AsyncIOMotorClient if self.name == "mongodb-motor" else AsyncMongoClient)(
                os.environ["MONGODB_URI"], serverSelectionTimeoutMS=3000)
            collection = client.get_default_database(default="tornado_boilerplate_tests")[name]
            try:
                yield collection
            finally:
                await collection.drop()
                await close_mongo_client(client)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    return Backend(request.param, tmp_path)
