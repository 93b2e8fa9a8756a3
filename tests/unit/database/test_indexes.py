"""DAO-declared indexes: created at start-up on the embedded store (idempotent, unique ones enforced), and used:
`explain()` shows SQLite answering equality, `$in` and range filters on an indexed field from the index, and the
answers stay MongoDB's (arrays, null and missing, 1 and 1.0, true and 1, infinities) with the index in the way."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from src.database.embedded import EmbeddedClient
from src.database.generic_dao import GenericDAO
from src.database.indexes import Index, create_declared_indexes, index_start_up
from src.model.errors import ConflictError, ServiceUnavailableError

DOCUMENTS: list[dict[str, Any]] = [
    {"_id": 1, "code": "a", "size": 1},
    {"_id": 2, "code": "b", "size": 1.0},
    {"_id": 3, "code": "c", "size": True},
    {"_id": 4, "code": "d", "size": [5, 1]},
    {"_id": 5, "code": "e", "size": None},
    {"_id": 6, "code": "f"},
    {"_id": 7, "code": "g", "size": math.inf},
    {"_id": 8, "code": "h", "size": "1"},
    {"_id": 9, "code": "i", "size": 7},
    {"_id": 10, "code": "j", "size": {"nested": 1}},
]


class SizedDAO(GenericDAO[dict[str, Any]]):
    resource = "sized"
    indexes = (Index(("size", 1)), Index(("code", 1), unique=True))

    def collection(self) -> Any:
        return self.database["sized"]


@asynccontextmanager
async def sized_dao(folder: Path) -> AsyncIterator[SizedDAO]:
    client = EmbeddedClient(folder)
    try:
        yield SizedDAO(client["indexes"])
    finally:
        await client.aclose()


async def winning_plan(dao: SizedDAO, filter_: dict[str, Any]) -> dict[str, Any]:
    plan: dict[str, Any] = (await dao.collection().find(filter_).explain())["queryPlanner"]["winningPlan"]
    return plan


async def test_declared_indexes_are_created_once_and_enforced(tmp_path: Path) -> None:
    async with sized_dao(tmp_path) as dao:
        assert await create_declared_indexes([dao]) == ["size_1", "code_1"]
        assert await create_declared_indexes([dao]) == ["size_1", "code_1"], "a second start-up changes nothing"
        await dao.insert({"code": "x"})
        with pytest.raises(ConflictError):
            await dao.insert({"code": "x"})


async def test_filters_on_an_indexed_field_are_answered_from_the_index(tmp_path: Path) -> None:
    async with sized_dao(tmp_path) as dao:
        await dao.insert_many([dict(document) for document in DOCUMENTS])
        assert await winning_plan(dao, {"size": 1}) == {"stage": "COLLSCAN"}, "no index yet: a scan"
        await create_declared_indexes([dao])
        for filter_ in ({"size": 1}, {"size": {"$eq": "1"}}, {"size": None}, {"size": True},
                        {"size": {"$in": [1, "1", None]}}, {"size": {"$gte": 1, "$lt": 6}}, {"code": {"$gt": "c"}}):
            plan = await winning_plan(dao, filter_)
            assert plan["stage"] == "IXSCAN", (filter_, plan)
            assert plan["indexNames"] == ["code_1" if "code" in filter_ else "size_1"]
        assert (await winning_plan(dao, {"_id": 3}))["indexNames"] == ["_id_"]
        assert (await winning_plan(dao, {"size.nested": 1}))["stage"] == "COLLSCAN", "dotted paths are scanned"
        assert (await winning_plan(dao, {"size": {"$ne": 1}}))["stage"] == "COLLSCAN"


@pytest.mark.parametrize(("filter_", "expected"), [
    ({"size": 1}, [1, 2, 4]),  # 1 == 1.0, an array holding 1 matches, true and "1" do not
    ({"size": True}, [3]),
    ({"size": None}, [5, 6]),  # null and missing
    ({"size": "1"}, [8]),
    ({"size": {"$gt": 4}}, [4, 7, 9]),  # an array element, and infinity (stored as a tagged value)
    ({"size": {"$gte": 1, "$lt": 6}}, [1, 2, 4]),
    ({"size": {"$lt": "2"}}, [8]),  # ranges stay within their type
    ({"size": {"$in": [7, None]}}, [5, 6, 9]),
    ({"code": {"$gt": "h"}}, [9, 10]),
])
async def test_indexed_answers_are_mongodbs(tmp_path: Path, filter_: dict[str, Any], expected: list[int]) -> None:
    async with sized_dao(tmp_path) as dao:
        await dao.insert_many([dict(document) for document in DOCUMENTS])
        scanned = [document["_id"] for document in await dao.find(filter_)]
        await create_declared_indexes([dao])
        assert [document["_id"] for document in await dao.find(filter_)] == expected == scanned


async def test_start_up_work_creates_the_indexes_in_the_background(tmp_path: Path) -> None:
    async with sized_dao(tmp_path) as dao:
        start_up = index_start_up(lambda components: [SizedDAO(components)])
        await start_up(dao.database)  # returns at once: start-up never waits for the database
        for _ in range(200):
            if (await winning_plan(dao, {"size": 1}))["stage"] == "IXSCAN":
                break
            await asyncio.sleep(0.01)
        assert (await winning_plan(dao, {"size": 1}))["indexNames"] == ["size_1"]


async def test_start_up_work_retries_while_the_database_is_unavailable(caplog: pytest.LogCaptureFixture) -> None:
    class Unavailable(SizedDAO):
        calls = 0

        async def create_index(self, keys: Any, unique: bool = False) -> str:
            Unavailable.calls += 1
            if Unavailable.calls < 3:
                raise ServiceUnavailableError("the database is not available; try again shortly")
            return "_".join(f"{field}_{direction}" for field, direction in keys)

    await index_start_up(lambda components: [Unavailable(components)], retry_seconds=0.01)(object())
    for _ in range(300):
        if Unavailable.calls >= 4:  # two failures, then both indexes
            break
        await asyncio.sleep(0.01)
    assert Unavailable.calls == 4
    assert "indexes not created yet: the database is unavailable" in caplog.text
