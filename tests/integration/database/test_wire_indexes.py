"""Declared indexes created over the wire through each `--db_driver`, against nx-27017 (or MONGODB_URI's MongoDB):
a second start-up's creation is a no-op, and the unique one turns a duplicate into a `ConflictError` (409)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from src.database.generic_dao import GenericDAO
from src.database.indexes import Index, create_declared_indexes
from src.database.mongo_client import close_mongo_client, create_mongo_client
from src.model.errors import ConflictError
from src.settings import DatabaseSettings
from tests.support.nx_27017_process import Nx27017Process


class CodeDAO(GenericDAO[dict[str, Any]]):
    resource = "coded"
    indexes = (Index(("code", 1), unique=True), Index(("size", 1), ("code", -1)))

    def collection(self) -> Any:
        return self.database["coded"]


@pytest.fixture(scope="module")
def database_uri() -> Iterator[str]:
    if os.environ.get("MONGODB_URI"):
        yield os.environ["MONGODB_URI"]
        return
    with Nx27017Process() as nx_27017:
        yield nx_27017.uri()


@pytest.mark.parametrize("driver", ["motor", "pymongo"])
async def test_declared_indexes_over_the_wire(database_uri: str, driver: str) -> None:
    client = create_mongo_client(DatabaseSettings(uri=database_uri, driver=driver, timeout_ms=3000))
    dao = CodeDAO(client[f"wire_indexes_{uuid.uuid4().hex[:8]}"])
    try:
        first = await create_declared_indexes([dao])
        assert len(first) == 2
        assert await create_declared_indexes([dao]) == first
        await dao.insert({"code": "x", "size": 1})
        with pytest.raises(ConflictError):
            await dao.insert({"code": "x", "size": 2})
    finally:
        await dao.collection().drop()
        await close_mongo_client(client)
