"""The embedded store beyond the shared contract: MongoDB semantics mongomock gets wrong, the clear refusal of
everything outside the subset, value encoding, persistence, several clients and processes on one file, and
availability errors."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId
from bson.errors import InvalidDocument
from pymongo.errors import (
    DuplicateKeyError,
    InvalidName,
    InvalidOperation,
    OperationFailure,
    WriteError,
)

from src.database.driver_errors import translated_driver_errors
from src.database.embedded import EmbeddedClient, EmbeddedStoreUnavailableError, UnsupportedOperationError
from src.database.embedded.codec import decode, encode, id_key
from src.model.errors import ServiceUnavailableError
from tests.support.server_process import PROJECT_ROOT


@asynccontextmanager
async def opened(folder: Path, name: str = "things", **options: Any) -> AsyncIterator[Any]:
    client = EmbeddedClient(folder, **options)
    try:
        yield client["test"][name]
    finally:
        await client.aclose()


async def ids(cursor: Any) -> list[Any]:
    return [document["_id"] for document in await cursor.to_list(None)]


# ---- MongoDB semantics where mongomock departs from MongoDB ------------------------------------------------------


async def test_booleans_are_not_numbers(tmp_path: Path) -> None:
    async with opened(tmp_path) as collection:
        await collection.insert_many([{"_id": 1, "flag": True}, {"_id": 2, "flag": 1}, {"_id": 3, "flag": 0}])
        assert await ids(collection.find({"flag": True})) == [1]
        assert await ids(collection.find({"flag": 1})) == [2]
        assert await ids(collection.find({"flag": {"$in": [False]}})) == []
        assert await ids(collection.find().sort("flag", 1)) == [3, 2, 1]  # numbers sort before booleans


async def test_arrays_sort_by_their_smallest_or_largest_element(tmp_path: Path) -> None:
    async with opened(tmp_path) as collection:
        await collection.insert_many([
            {"_id": "a", "scores": [5, 1]}, {"_id": "b", "scores": [3]}, {"_id": "c", "scores": [4, 9]},
            {"_id": "d", "scores": [2, 2]}, {"_id": "e", "scores": []}, {"_id": "f"},
        ])
        assert await ids(collection.find().sort("scores", 1)) == ["e", "f", "a", "d", "b", "c"]
        assert await ids(collection.find().sort("scores", -1)) == ["c", "a", "b", "d", "f", "e"]


async def test_embedded_documents_are_equal_only_with_the_same_field_order(tmp_path: Path) -> None:
    async with opened(tmp_path) as collection:
        await collection.insert_many([{"_id": 1, "meta": {"x": 1, "y": 2}}, {"_id": 2, "meta": {"y": 2, "x": 1}}])
        assert await ids(collection.find({"meta": {"x": 1, "y": 2}})) == [1]
        assert await ids(collection.find({"meta": {"$gt": {"x": 1}}}).sort("_id", 1)) == [1, 2]
        assert await ids(collection.find().sort("meta", 1)) == [1, 2]  # x < y at the first field


async def test_upserts_take_equalities_from_and(tmp_path: Path) -> None:
    async with opened(tmp_path) as collection:
        await collection.update_one({"$and": [{"name": "ada"}, {"team.name": {"$eq": "core"}}], "age": {"$gt": 3}},
                                    {"$set": {"seen": 1}}, upsert=True)
        assert await collection.find_one({}, {"_id": 0}) == {"name": "ada", "team": {"name": "core"}, "seen": 1}


async def test_to_list_returns_at_most_length_documents(tmp_path: Path) -> None:
    async with opened(tmp_path) as collection:
        await collection.insert_many([{"_id": n} for n in range(5)])
        cursor = collection.find().sort("_id", -1)
        assert [d["_id"] for d in await cursor.to_list(2)] == [4, 3]
        assert [d["_id"] for d in await cursor.to_list(None)] == [2, 1, 0]
        assert await cursor.to_list(None) == []
        with pytest.raises(InvalidOperation):
            cursor.limit(1)  # options cannot change once the query ran


async def test_failed_updates_leave_the_document_unchanged(tmp_path: Path) -> None:
    async with opened(tmp_path) as collection:
        await collection.insert_one({"_id": 1, "name": "text", "n": 1})
        with pytest.raises(WriteError, match="non-numeric"):
            await collection.update_one({"_id": 1}, {"$inc": {"n": 1, "name": 1}})
        with pytest.raises(WriteError) as raised:
            await collection.replace_one({"_id": 1}, {"_id": 2, "name": "x"})
        assert raised.value.code == 66
        with pytest.raises(WriteError) as conflict:
            await collection.update_one({"_id": 1}, {"$set": {"a.b": 1}, "$inc": {"a": 1}})
        assert conflict.value.code == 40
        with pytest.raises(WriteError, match="non-numeric argument"):
            await collection.update_one({"_id": 1}, {"$inc": {"n": "1"}})
        assert await collection.find_one({"_id": 1}) == {"_id": 1, "name": "text", "n": 1}


async def test_documents_keep_their_id_first(tmp_path: Path) -> None:
    async with opened(tmp_path) as collection:
        await collection.insert_one({"b": 1, "a": 2, "_id": "x"})
        assert list(await collection.find_one({"_id": "x"}) or {}) == ["_id", "b", "a"]


async def test_set_creates_nested_fields_and_array_positions(tmp_path: Path) -> None:
    async with opened(tmp_path) as collection:
        await collection.insert_one({"_id": 1, "list": [1], "scalar": 5})
        await collection.update_one({"_id": 1}, {"$set": {"a.b.c": 1, "list.2": "x"}, "$unset": {"list.0": ""}})
        assert await collection.find_one({"_id": 1}) == {"_id": 1, "list": [None, None, "x"], "scalar": 5,
                                                           "a": {"b": {"c": 1}}}
        with pytest.raises(WriteError):
            await collection.update_one({"_id": 1}, {"$set": {"scalar.inner": 1}})


# ---- outside the subset: a clear error, never a wrong answer -----------------------------------------------------


@pytest.mark.parametrize(("call", "named"), [
    (lambda c: c.find_one({"name": {"$regex": "^a"}}), "$regex"),
    (lambda c: c.find_one({"tags": {"$elemMatch": {"x": 1}}}), "$elemMatch"),
    (lambda c: c.find_one({"$where": "this.a > 1"}), "$where"),
    (lambda c: c.find_one({"$nor": [{"a": 1}]}), "$nor"),
    (lambda c: c.count_documents({"a": {"$size": 2}}), "$size"),
    (lambda c: c.update_one({"_id": 1}, {"$push": {"tags": "x"}}), "$push"),
    (lambda c: c.update_many({}, {"$rename": {"a": "b"}}), "$rename"),
    (lambda c: c.update_one({"_id": 1}, [{"$set": {"a": 1}}]), "pipeline"),
    (lambda c: c.find().sort("name", "text").to_list(None), "'text'"),
    (lambda c: c.find({}, {"tags": {"$slice": 1}}).to_list(None), "$slice"),
    (lambda c: c.find({}, collation={"locale": "fr"}).to_list(None), "collation"),
    (lambda c: c.create_index([("location", "2dsphere")]), "2dsphere"),
])
async def test_unsupported_operations_raise_naming_the_operator(tmp_path: Path, call: Any, named: str) -> None:
    async with opened(tmp_path) as collection:
        with pytest.raises(UnsupportedOperationError) as raised:
            await call(collection)
        assert named in str(raised.value)


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda c: c.find().skip(-1), ValueError, "skip must be >= 0"),
    (lambda c: c.find().limit("10"), TypeError, "limit must be an integer"),
    (lambda c: c.find().sort(5), TypeError, "key_or_list"),
    (lambda c: c.find({}, {"a": 1, "b": 0}), OperationFailure, "exclusion on field b"),
    (lambda c: c.find({}, {"a": 1, "a.b": 1}), OperationFailure, "Path collision"),
    (lambda c: c.find({}, "a"), TypeError, "projection"),
    (lambda c: c.find({"a": {"$in": 5}}), OperationFailure, r"\$in needs an array"),
    (lambda c: c.find({"$or": []}), OperationFailure, "nonempty array"),
    (lambda c: c.find({"a": {"$gt": 1, "b": 2}}), OperationFailure, "unknown operator: b"),
    (lambda c: c.find({"a..b": 1}), UnsupportedOperationError, "invalid field path"),
    (lambda c: c.find("not a filter"), TypeError, "filter must be an instance of dict"),
])
def test_invalid_queries_fail_at_the_call(tmp_path: Path, call: Any, error: type[Exception], match: str) -> None:
    client = EmbeddedClient(tmp_path)
    try:
        with pytest.raises(error, match=match):
            call(client["test"]["things"])
    finally:
        client.close()


@pytest.mark.parametrize(("update", "error", "match"), [
    ({}, ValueError, "update cannot be empty"),
    ({"$set": 5}, WriteError, "Modifiers operate on fields"),
    ({"$set": {"": 1}}, WriteError, "empty update path"),
    ({"$set": {"a": 1}, "$unset": {"a": ""}}, WriteError, "conflict"),
    ("text", TypeError, "update must be an instance of dict"),
])
async def test_invalid_updates_fail_before_touching_data(tmp_path: Path, update: Any, error: type[Exception],
                                                          match: str) -> None:
    async with opened(tmp_path) as collection:
        await collection.insert_one({"_id": 1, "a": 0})
        with pytest.raises(error, match=match):
            await collection.update_many({}, update)
        assert await collection.find_one({"_id": 1}) == {"_id": 1, "a": 0}


async def test_unsupported_id_types_and_invalid_values(tmp_path: Path) -> None:
    async with opened(tmp_path) as collection:
        with pytest.raises(UnsupportedOperationError, match="_id"):
            await collection.insert_one({"_id": {"compound": 1}})
        with pytest.raises(WriteError, match="array"):
            await collection.insert_one({"_id": [1, 2]})
        with pytest.raises(InvalidDocument):
            await collection.insert_one({"value": {1, 2}})
        with pytest.raises(InvalidDocument):
            await collection.insert_one({"nested": {3: "non-string key"}})
        with pytest.raises(OverflowError):
            await collection.insert_one({"huge": 2**64})
        with pytest.raises(InvalidName):
            collection.database["bad$name"]
        assert await collection.count_documents({}) == 0


# ---- encoding ----------------------------------------------------------------------------------------------------


def test_codec_round_trips_bson_types_and_lookalike_objects() -> None:
    oid = ObjectId()
    document = {
        "_id": oid, "when": datetime(2024, 2, 29, 23, 59, 59, 999_999), "nan": float("nan"),
        "inf": float("-inf"), "marker": {"$oid": "not an id"}, "nested": [{"$date": 5}, {"$esc": [1]}],
        "tuple": (1, 2), "text": "ünïcode ✓",
    }
    decoded = decode(encode(document))
    assert decoded["_id"] == oid
    assert decoded["when"] == datetime(2024, 2, 29, 23, 59, 59, 999_000)  # milliseconds, like BSON
    assert decoded["nan"] != decoded["nan"]
    assert decoded["inf"] == float("-inf")
    assert decoded["marker"] == {"$oid": "not an id"}
    assert decoded["nested"] == [{"$date": 5}, {"$esc": [1]}]
    assert decoded["tuple"] == [1, 2]
    assert decoded["text"] == "ünïcode ✓"


def test_aware_datetimes_are_stored_in_utc() -> None:
    paris = timezone(timedelta(hours=2))
    decoded = decode(encode({"at": datetime(2024, 6, 1, 14, 0, tzinfo=paris)}))
    assert decoded["at"] == datetime(2024, 6, 1, 12, 0)
    assert decoded["at"].tzinfo is None
    assert decode(encode({"at": datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC)}))["at"] == datetime(
        1969, 12, 31, 23, 59, 59, 500_000)


def test_id_keys_sort_in_mongodb_order() -> None:
    values: list[Any] = [None, -1e300, -5, -0.5, 0, 0.25, 3, 2**40, "", "A", "a", "é", ObjectId("0" * 24),
                         ObjectId("f" * 24), False, True, datetime(1900, 1, 1), datetime(2100, 1, 1)]
    keys = [id_key(value) for value in values]
    assert keys == sorted(keys)
    assert id_key(1) == id_key(1.0)
    assert id_key(-0.0) == id_key(0)


async def test_datetime_queries_compare_at_millisecond_precision(tmp_path: Path) -> None:
    async with opened(tmp_path) as collection:
        moment = datetime(2024, 1, 1, 8, 0, 0, 123_456)
        await collection.insert_one({"_id": 1, "at": moment})
        assert await ids(collection.find({"at": moment})) == [1]
        assert await ids(collection.find({"at": {"$gt": datetime(2024, 1, 1)}})) == [1]
        assert await ids(collection.find({"_id": 1, "at": {"$lt": datetime(2024, 1, 1)}})) == []


# ---- indexes -----------------------------------------------------------------------------------------------------


async def test_index_creation_is_idempotent_and_checks_existing_data(tmp_path: Path) -> None:
    async with opened(tmp_path) as collection:
        assert await collection.create_index("_id") == "_id_"
        assert await collection.create_index([("a", 1)], unique=True) == "a_1"
        assert await collection.create_index([("a", 1)], unique=True) == "a_1"
        with pytest.raises(OperationFailure) as conflict:
            await collection.create_index([("a", -1)], unique=True, name="a_1")
        assert conflict.value.code == 86
        await collection.insert_many([{"a": 1, "b": 1}, {"a": 2, "b": 1}])
        with pytest.raises(DuplicateKeyError):
            await collection.create_index("b", unique=True)
        assert await collection.create_index("b") == "b_1"  # not unique: fine


async def test_duplicate_key_errors_name_the_index_and_the_key(tmp_path: Path) -> None:
    async with opened(tmp_path) as collection:
        await collection.create_index([("user.email", 1)], unique=True, name="email")
        await collection.insert_one({"user": {"email": "a@example.com"}})
        with pytest.raises(DuplicateKeyError) as raised:
            await collection.insert_one({"user": {"email": "a@example.com"}})
        assert raised.value.details is not None
        assert raised.value.details["keyValue"] == {"user.email": "a@example.com"}
        assert "index: email dup key" in str(raised.value)


# ---- persistence, several clients, several processes -------------------------------------------------------------


async def test_data_survives_closing_and_reopening(tmp_path: Path) -> None:
    async with opened(tmp_path) as collection:
        await collection.create_index("code", unique=True)
        inserted = (await collection.insert_one({"code": "A"})).inserted_id
    async with opened(tmp_path) as collection:
        assert await collection.find_one({"_id": inserted}) == {"_id": inserted, "code": "A"}
        with pytest.raises(DuplicateKeyError):
            await collection.insert_one({"code": "A"})
    assert (tmp_path / "test.sqlite3").exists()


async def test_two_clients_share_one_file(tmp_path: Path) -> None:
    async with opened(tmp_path) as first, opened(tmp_path) as second:
        await first.insert_one({"_id": "shared", "n": 0})
        await second.update_one({"_id": "shared"}, {"$inc": {"n": 1}})
        assert await first.find_one({"_id": "shared"}) == {"_id": "shared", "n": 1}
        await second.drop()
        await first.insert_one({"_id": "after-drop"})  # the table is created again
        assert await ids(second.find()) == ["after-drop"]


_INCREMENTER = textwrap.dedent("""
    import asyncio, sys
    from src.database.embedded import EmbeddedClient

    async def main(folder, rounds):
        client = EmbeddedClient(folder, busy_timeout=10)
        collection = client["test"]["counters"]
        for n in range(rounds):
            await collection.update_one({"_id": "hits"}, {"$inc": {"n": 1}}, upsert=True)
            await collection.insert_one({"writer": sys.argv[3], "n": n})
        await client.aclose()

    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
""")


async def test_processes_writing_one_file_lose_no_update(tmp_path: Path) -> None:
    rounds = 150
    writers = [subprocess.Popen([sys.executable, "-c", _INCREMENTER, str(tmp_path), str(rounds), name],
                                cwd=PROJECT_ROOT) for name in ("one", "two", "three")]
    for writer in writers:
        assert writer.wait(timeout=60) == 0
    async with opened(tmp_path, "counters") as collection:
        assert await collection.find_one({"_id": "hits"}) == {"_id": "hits", "n": 3 * rounds}
        assert await collection.count_documents({"writer": {"$exists": True}}) == 3 * rounds
        for name in ("one", "two", "three"):
            assert await collection.count_documents({"writer": name}) == rounds


# ---- availability ------------------------------------------------------------------------------------------------


async def test_a_locked_file_fails_fast_as_unavailable(tmp_path: Path) -> None:
    async with opened(tmp_path, busy_timeout=0.2) as collection:
        await collection.insert_one({"_id": 1})
        blocker = sqlite3.connect(tmp_path / "test.sqlite3", isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another process holding the write lock
        try:
            with pytest.raises(EmbeddedStoreUnavailableError) as raised:
                await collection.insert_one({"_id": 2})
            # A 503, like an unreachable MongoDB.
            with pytest.raises(ServiceUnavailableError), translated_driver_errors("task"):
                raise raised.value
            assert "locked" in str(raised.value)
            assert await collection.find_one({"_id": 1}) == {"_id": 1}  # WAL: readers are not blocked
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        await collection.insert_one({"_id": 2})


async def test_an_unusable_folder_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    async with opened(tmp_path / "file" / "data") as collection:
        with pytest.raises(EmbeddedStoreUnavailableError, match="cannot be opened"):
            await collection.find_one({})
    (tmp_path / "test.sqlite3").write_bytes(b"this is not an SQLite database" * 100)
    async with opened(tmp_path) as collection:
        with pytest.raises(EmbeddedStoreUnavailableError, match="not a database"):
            await collection.find_one({})


async def test_a_closed_client_refuses_work(tmp_path: Path) -> None:
    client = EmbeddedClient(tmp_path)
    collection = client.test.things
    await collection.insert_one({"_id": 1})
    client.close()
    client.close()
    with pytest.raises(InvalidOperation):
        await collection.find_one({})
    with pytest.raises(InvalidOperation):
        await client.test.command("ping")


async def test_ping_and_unsupported_commands(tmp_path: Path) -> None:
    client = EmbeddedClient(tmp_path)
    try:
        assert await client["test"].command("ping") == {"ok": 1.0}
        assert await client["test"].command({"ping": 1}) == {"ok": 1.0}
        with pytest.raises(UnsupportedOperationError, match="dropDatabase"):
            await client["test"].command("dropDatabase")
    finally:
        await client.aclose()
