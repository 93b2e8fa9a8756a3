"""`GenericDAO` on both async back ends: CRUD, paging, ids as text, and driver errors as typed errors
(409 duplicate, 404 missing, 503 unavailable within the server-selection timeout)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId
from motor.motor_asyncio import AsyncIOMotorClient

from src.database.embedded import EmbeddedClient
from src.database.generic_dao import GenericDAO
from src.database.mongo import Mongo
from src.model.errors import ConflictError, NotFoundError, ServiceUnavailableError
from src.settings import DatabaseSettings
from tests.support.server_process import free_port
from tests.unit.database.collection_backends import Backend, backend

__all__ = ["backend"]


class NoteDAO(GenericDAO[dict[str, Any]]):
    resource = "note"

    def __init__(self, collection: Any) -> None:
        super().__init__(collection.database)
        self._collection = collection

    def collection(self) -> Any:
        return self._collection


@asynccontextmanager
async def dao_on(backend: Backend) -> AsyncIterator[NoteDAO]:
    async with backend.collection() as collection:
        yield NoteDAO(collection)


async def test_crud_round_trip(backend: Backend) -> None:
    async with dao_on(backend) as dao:
        note_id = await dao.insert({"text": "first", "stars": 1})
        assert ObjectId.is_valid(note_id)
        assert await dao.get(note_id) == {"_id": ObjectId(note_id), "text": "first", "stars": 1}
        await dao.update(note_id, {"stars": 5, "tag": "x"}, unset=["text"])
        assert await dao.get(note_id) == {"_id": ObjectId(note_id), "stars": 5, "tag": "x"}
        await dao.update(note_id, {})  # nothing to change: still checks the id exists
        await dao.replace(note_id, {"_id": "ignored", "text": "replaced"})
        assert await dao.get(note_id) == {"_id": ObjectId(note_id), "text": "replaced"}
        await dao.delete(note_id)
        assert await dao.count() == 0
        assert await dao.find_one({"text": "replaced"}) is None


async def test_find_count_sort_skip_limit(backend: Backend) -> None:
    async with dao_on(backend) as dao:
        created = await dao.insert_many([{"_id": f"n{n}", "n": n, "odd": n % 2 == 1} for n in range(7)])
        assert created == [f"n{n}" for n in range(7)]
        assert await dao.insert_many([]) == []
        assert await dao.count() == 7
        assert await dao.count({"odd": True}) == 3
        page = await dao.find({"odd": False}, sort=[("n", -1)], skip=1, limit=2)
        assert [note["n"] for note in page] == [4, 2]
        assert [note["n"] for note in await dao.find(sort=[("_id", 1)])] == list(range(7))
        assert (await dao.find_one({"n": 3}) or {})["_id"] == "n3"
        assert await dao.get("n3") == {"_id": "n3", "n": 3, "odd": True}  # non-ObjectId ids are used as text
        assert await dao.delete_many({"odd": True}) == 3


async def test_missing_ids_are_not_found(backend: Backend) -> None:
    async with dao_on(backend) as dao:
        missing = str(ObjectId())
        spec_id = "66fdbb78e79846849608b2cfe244a858"  # the spec's id: not an ObjectId, so a text id
        for attempt in (dao.get(missing), dao.update(missing, {"a": 1}), dao.update(missing, {}),
                        dao.replace(missing, {"a": 1}), dao.delete(missing), dao.get(spec_id)):
            with pytest.raises(NotFoundError, match=r"note .* not found"):
                await attempt


async def test_duplicates_are_conflicts(backend: Backend) -> None:
    async with dao_on(backend) as dao:
        assert await dao.create_index("slug", unique=True) == "slug_1"
        await dao.insert({"slug": "a"})
        other = await dao.insert({"slug": "b"})
        with pytest.raises(ConflictError, match="already exists"):
            await dao.insert({"slug": "a"})
        with pytest.raises(ConflictError):
            await dao.insert_many([{"slug": "c"}, {"slug": "a"}])
        with pytest.raises(ConflictError):
            await dao.update(other, {"slug": "a"})
        with pytest.raises(ConflictError):
            await dao.replace(other, {"slug": "a"})


async def test_a_locked_embedded_store_is_unavailable(tmp_path: Path) -> None:
    client = EmbeddedClient(tmp_path, busy_timeout=0.1)
    dao = NoteDAO(client["test"]["notes"])
    await dao.insert({"_id": "a"})
    blocker = sqlite3.connect(tmp_path / "test.sqlite3", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(ServiceUnavailableError) as raised:
            await dao.insert({"_id": "b"})
        assert raised.value.status == 503
        assert raised.value.fields["db_error"] == "EmbeddedStoreUnavailableError"
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        await client.aclose()


@pytest.mark.slow  # waits out the server selection timeout
async def test_an_unreachable_mongodb_is_unavailable_within_the_selection_timeout() -> None:
    motor: Any = AsyncIOMotorClient(f"mongodb://127.0.0.1:{free_port()}", serverSelectionTimeoutMS=300)
    dao = NoteDAO(motor["test"]["notes"])
    try:
        for attempt in (dao.get(str(ObjectId())), dao.insert({"a": 1}), dao.find(), dao.count()):
            started = time.monotonic()
            with pytest.raises(ServiceUnavailableError, match="not available"):
                await attempt
            assert time.monotonic() - started < 3
    finally:
        motor.close()


async def test_the_database_defaults_to_mongo_get(tmp_path: Path) -> None:
    class DefaultDAO(GenericDAO[dict[str, Any]]):
        def collection(self) -> Any:
            return self.database["defaults"]

    database = Mongo.init(DatabaseSettings(path=tmp_path))
    try:
        dao = DefaultDAO()
        assert dao.database is database
        assert await dao.get(await dao.insert({"x": 1})) == {"_id": (await dao.find())[0]["_id"], "x": 1}
    finally:
        await Mongo.close()
