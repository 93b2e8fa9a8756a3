"""One contract for the async collection API, run against every back end with the same expectations: the
embedded store, mongomock-motor, and a real MongoDB when MONGODB_URI is set (skipped with the reason otherwise).
If the embedded store answered differently from MongoDB's semantics, a test here would fail for it alone.
Where mongomock itself departs from MongoDB (true == 1, sorting arrays, $inc on text, to_list(n) returning more
than n), the embedded store's MongoDB behaviour is tested in test_embedded_store.py instead."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from bson import ObjectId
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure, WriteError

from tests.unit.database.collection_backends import (
    BACKENDS,
    MONGODB_SKIP_REASON,
    REAL_MONGODB_BACKENDS,
    Backend,
    backend,
)

__all__ = ["backend"]

PEOPLE: list[dict[str, Any]] = [
    {"_id": 1, "name": "ada", "age": 36, "tags": ["math", "code"], "address": {"city": "london"}},
    {"_id": 2, "name": "alan", "age": 41, "tags": ["code"], "address": {"city": "wilmslow"}, "retired": None},
    {"_id": 3, "name": "grace", "age": 85, "tags": [], "address": {"city": "new york"}},
    {"_id": 4, "name": "linus", "age": 28.5, "active": True},
    {"_id": 5, "name": "margaret", "age": "unknown", "active": 1},
]


async def ids(cursor: Any) -> list[Any]:
    return [document["_id"] for document in await cursor.to_list(None)]


async def seeded(collection: Any) -> Any:
    await collection.insert_many([dict(person) for person in PEOPLE])
    return collection


def test_real_mongodb_is_part_of_the_contract() -> None:
    if not set(REAL_MONGODB_BACKENDS) & set(BACKENDS):
        pytest.skip(MONGODB_SKIP_REASON)
    assert ("embedded", "mongomock", *REAL_MONGODB_BACKENDS) == BACKENDS


# ---- inserts and reads by id ---------------------------------------------------------------------------------


async def test_insert_one_generates_an_object_id_and_find_one_returns_the_document(backend: Backend) -> None:
    async with backend.collection() as collection:
        document = {"title": "write the contract", "done": False, "when": datetime(2024, 5, 1, 12, 30)}
        result = await collection.insert_one(document)
        assert result.acknowledged  # results are read by their attributes (the store port), not their class
        assert isinstance(result.inserted_id, ObjectId)
        assert document["_id"] == result.inserted_id  # the caller's dict gets its _id, as with pymongo
        found = await collection.find_one({"_id": result.inserted_id})
        assert found == {"_id": result.inserted_id, "title": "write the contract", "done": False,
                         "when": datetime(2024, 5, 1, 12, 30)}
        assert await collection.find_one(result.inserted_id) == found  # a bare _id is a filter on _id
        assert await collection.find_one({"_id": ObjectId()}) is None


async def test_duplicate_id_raises_duplicate_key_error(backend: Backend) -> None:
    async with backend.collection() as collection:
        await collection.insert_one({"_id": "only-once", "n": 1})
        with pytest.raises(DuplicateKeyError) as raised:
            await collection.insert_one({"_id": "only-once", "n": 2})
        assert raised.value.code == 11000
        assert await collection.find_one({"_id": "only-once"}) == {"_id": "only-once", "n": 1}


async def test_ordered_insert_many_stops_at_the_first_duplicate(backend: Backend) -> None:
    async with backend.collection() as collection:
        result = await collection.insert_many([{"_id": 1}, {"_id": 2}])
        assert result.acknowledged
        assert result.inserted_ids == [1, 2]
        with pytest.raises(BulkWriteError) as raised:
            await collection.insert_many([{"_id": 3}, {"_id": 1}, {"_id": 4}])
        errors = raised.value.details["writeErrors"]
        assert [(error["index"], error["code"]) for error in errors] == [(1, 11000)]
        assert raised.value.details["nInserted"] == 1
        assert sorted(await ids(collection.find())) == [1, 2, 3]


async def test_find_without_sort_returns_insertion_order(backend: Backend) -> None:
    async with backend.collection() as collection:
        for key in ["c", "a", "b"]:
            await collection.insert_one({"_id": key})
        assert await ids(collection.find()) == ["c", "a", "b"]


# ---- filters ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("filter_", "expected"), [
    ({}, [1, 2, 3, 4, 5]),
    ({"name": "alan"}, [2]),
    ({"address.city": "london"}, [1]),
    ({"address": {"city": "london"}}, [1]),
    ({"tags": "code"}, [1, 2]),  # equality matches an array element
    ({"tags": ["code"]}, [2]),  # ... or the whole array
    ({"tags": []}, [3]),
    ({"age": 36.0}, [1]),  # 36 == 36.0
    ({"retired": None}, [1, 2, 3, 4, 5]),  # null matches missing fields too
    ({"age": {"$gt": 36}}, [2, 3]),  # comparisons stay within a type: "unknown" is not > 36
    ({"age": {"$gte": 36, "$lt": 85}}, [1, 2]),
    ({"age": {"$lte": 28.5}}, [4]),
    ({"age": {"$lt": "z"}}, [5]),
    ({"name": {"$in": ["ada", "grace", "nobody"]}}, [1, 3]),
    ({"tags": {"$in": ["math"]}}, [1]),
    ({"name": {"$nin": ["ada", "grace"]}}, [2, 4, 5]),
    ({"name": {"$ne": "ada"}}, [2, 3, 4, 5]),
    ({"tags": {"$ne": "code"}}, [3, 4, 5]),
    ({"retired": {"$exists": True}}, [2]),
    ({"tags": {"$exists": False}}, [4, 5]),
    ({"address.city": {"$exists": True}, "age": {"$gt": 40}}, [2, 3]),
    ({"$or": [{"name": "ada"}, {"age": {"$gt": 80}}]}, [1, 3]),
    ({"$and": [{"tags": "code"}, {"age": {"$gt": 40}}]}, [2]),
    ({"_id": 3}, [3]),
    ({"_id": {"$in": [5, 1, 9]}}, [1, 5]),
    ({"_id": {"$gt": 2, "$lte": 4}}, [3, 4]),
    ({"_id": {"$ne": 1}, "age": {"$gt": 30}}, [2, 3]),
    ({"_id": {"$nin": [1, 2]}}, [3, 4, 5]),
    ({"_id": {"$gt": "a"}}, []),  # strings and numbers never compare
    ({"_id": {"$exists": True}}, [1, 2, 3, 4, 5]),
])
async def test_filters(backend: Backend, filter_: dict[str, Any], expected: list[int]) -> None:
    async with backend.collection() as collection:
        await seeded(collection)
        assert sorted(await ids(collection.find(filter_))) == expected
        assert await collection.count_documents(filter_) == len(expected)


# ---- cursors: sort, skip, limit, projection, iteration -----------------------------------------------------------


async def test_sort_skip_limit_and_to_list(backend: Backend) -> None:
    async with backend.collection() as collection:
        await seeded(collection)
        assert await ids(collection.find().sort("name", -1)) == [5, 4, 3, 2, 1]
        assert await ids(collection.find().sort([("_id", -1)]).skip(1).limit(2)) == [4, 3]
        # Across types: numbers sort before strings.
        assert await ids(collection.find().sort("age", 1)) == [4, 1, 2, 3, 5]
        # A missing field sorts as null, before everything else.
        assert await ids(collection.find().sort([("retired", 1), ("_id", -1)])) == [5, 4, 3, 2, 1]
        assert await ids(collection.find({"tags": {"$exists": True}}).sort("_id", 1).skip(1)) == [2, 3]


async def test_sort_on_several_keys(backend: Backend) -> None:
    async with backend.collection() as collection:
        await collection.insert_many([
            {"_id": "a", "group": 2, "rank": 1},
            {"_id": "b", "group": 1, "rank": 2},
            {"_id": "c", "group": 2, "rank": 0},
            {"_id": "d", "group": 1, "rank": 1},
        ])
        assert await ids(collection.find().sort([("group", 1), ("rank", -1)])) == ["b", "d", "a", "c"]
        assert await ids(collection.find(sort=[("rank", 1), ("group", -1)])) == ["c", "a", "d", "b"]


async def test_id_sort_and_ranges_follow_mongodb_type_order(backend: Backend) -> None:
    async with backend.collection() as collection:
        oid = ObjectId()
        await collection.insert_many([{"_id": "b"}, {"_id": 2.5}, {"_id": oid}, {"_id": -3}, {"_id": "a"},
                                      {"_id": 10}])
        assert await ids(collection.find().sort("_id", 1)) == [-3, 2.5, 10, "a", "b", oid]
        assert await ids(collection.find().sort("_id", -1)) == [oid, "b", "a", 10, 2.5, -3]
        assert await ids(collection.find({"_id": {"$gte": 2.5}}).sort("_id", 1)) == [2.5, 10]
        assert await ids(collection.find({"_id": {"$lt": "b"}}).sort("_id", 1)) == ["a"]


async def test_async_for_iterates_the_cursor(backend: Backend) -> None:
    async with backend.collection() as collection:
        await seeded(collection)
        seen = [document["name"] async for document in collection.find({"age": {"$gt": 30}}).sort("age", -1)]
        assert seen == ["grace", "alan", "ada"]


async def test_projections(backend: Backend) -> None:
    async with backend.collection() as collection:
        await seeded(collection)
        assert await collection.find_one({"_id": 1}, {"name": 1}) == {"_id": 1, "name": "ada"}
        assert await collection.find_one({"_id": 1}, ["name", "age"]) == {"_id": 1, "name": "ada", "age": 36}
        assert await collection.find_one({"_id": 1}, {"name": 1, "_id": 0}) == {"name": "ada"}
        assert await collection.find_one({"_id": 1}, {"address.city": 1, "_id": 0}) == {"address": {"city": "london"}}
        assert await collection.find_one({"_id": 2}, {"tags": 0, "address": 0, "retired": 0}) == {
            "_id": 2, "name": "alan", "age": 41}
        assert await collection.find_one({"_id": 4}, {"_id": 0}) == {"name": "linus", "age": 28.5, "active": True}
        listed = await collection.find({"age": {"$gt": 40}}, {"name": 1, "_id": 0}).sort("name", 1).to_list(None)
        assert listed == [{"name": "alan"}, {"name": "grace"}]


# ---- updates, replacements, upserts ------------------------------------------------------------------------------


async def test_update_one_set_unset_inc(backend: Backend) -> None:
    async with backend.collection() as collection:
        await collection.insert_one({"_id": "t", "title": "draft", "views": 1, "obsolete": True})
        result = await collection.update_one({"_id": "t"}, {"$set": {"title": "final", "meta.owner": "ada"},
                                                            "$unset": {"obsolete": ""}, "$inc": {"views": 2}})
        assert result.acknowledged
        assert (result.matched_count, result.modified_count, result.upserted_id) == (1, 1, None)
        assert await collection.find_one({"_id": "t"}) == {"_id": "t", "title": "final", "views": 3,
                                                             "meta": {"owner": "ada"}}
        await collection.update_one({"_id": "t"}, {"$inc": {"views": -0.5, "new_counter": 5}})
        assert await collection.find_one({"_id": "t"}, {"views": 1, "new_counter": 1, "_id": 0}) == {
            "views": 2.5, "new_counter": 5}


async def test_update_that_changes_nothing_matches_but_does_not_modify(backend: Backend) -> None:
    async with backend.collection() as collection:
        await collection.insert_one({"_id": 1, "a": 1})
        unchanged = await collection.update_one({"_id": 1}, {"$set": {"a": 1}})
        assert (unchanged.matched_count, unchanged.modified_count) == (1, 0)
        missing = await collection.update_one({"_id": 2}, {"$set": {"a": 1}})
        assert (missing.matched_count, missing.modified_count, missing.upserted_id) == (0, 0, None)
        assert await collection.count_documents({}) == 1


async def test_update_many_and_filters_on_other_fields(backend: Backend) -> None:
    async with backend.collection() as collection:
        await seeded(collection)
        result = await collection.update_many({"tags": "code"}, {"$set": {"coder": True}})
        assert (result.matched_count, result.modified_count) == (2, 2)
        first = await collection.update_one({"age": {"$gt": 30}}, {"$inc": {"visits": 1}})
        assert first.modified_count == 1
        assert sorted(await ids(collection.find({"coder": True}))) == [1, 2]
        assert await collection.count_documents({"visits": 1}) == 1


async def test_upserts_build_the_document_from_the_filter(backend: Backend) -> None:
    async with backend.collection() as collection:
        result = await collection.update_one({"name": "ada", "role": {"$eq": "admin"}},
                                             {"$set": {"active": True}, "$inc": {"logins": 1}}, upsert=True)
        assert result.matched_count == 0
        assert isinstance(result.upserted_id, ObjectId)
        found = await collection.find_one({"_id": result.upserted_id}, {"_id": 0})
        assert found == {"name": "ada", "role": "admin", "active": True, "logins": 1}
        again = await collection.update_one({"name": "ada"}, {"$inc": {"logins": 1}}, upsert=True)
        assert (again.matched_count, again.upserted_id) == (1, None)
        with_id = await collection.update_one({"_id": "chosen"}, {"$set": {"x": 1}}, upsert=True)
        assert with_id.upserted_id == "chosen"
        assert await collection.count_documents({}) == 2


async def test_replace_one_keeps_the_id_and_drops_other_fields(backend: Backend) -> None:
    async with backend.collection() as collection:
        await collection.insert_one({"_id": 7, "title": "old", "extra": 1})
        result = await collection.replace_one({"_id": 7}, {"title": "new"})
        assert (result.matched_count, result.modified_count) == (1, 1)
        assert await collection.find_one({"_id": 7}) == {"_id": 7, "title": "new"}
        missing = await collection.replace_one({"_id": 8}, {"title": "x"})
        assert missing.matched_count == 0
        upserted = await collection.replace_one({"_id": 9}, {"title": "made"}, upsert=True)
        assert upserted.upserted_id == 9
        assert await collection.find_one({"_id": 9}) == {"_id": 9, "title": "made"}


async def test_invalid_updates_are_refused(backend: Backend) -> None:
    async with backend.collection() as collection:
        await collection.insert_one({"_id": 1, "name": "text"})
        with pytest.raises(ValueError, match=r"\$ operators"):
            await collection.update_one({"_id": 1}, {"name": "replacement-not-update"})
        with pytest.raises(ValueError, match=r"\$ operators"):
            await collection.replace_one({"_id": 1}, {"$set": {"name": "x"}})
        with pytest.raises(WriteError):
            await collection.update_one({"_id": 1}, {"$set": {"_id": 2}})
        assert await collection.find_one({"_id": 1}) == {"_id": 1, "name": "text"}
        with pytest.raises(OperationFailure):  # a WriteError (code 66) from MongoDB
            await collection.replace_one({"_id": 1}, {"_id": 2, "name": "x"})


# ---- deletes and counts ------------------------------------------------------------------------------------------


async def test_delete_one_and_delete_many(backend: Backend) -> None:
    async with backend.collection() as collection:
        await seeded(collection)
        result = await collection.delete_one({"tags": "code"})
        assert result.acknowledged
        assert result.deleted_count == 1
        assert sorted(await ids(collection.find())) == [2, 3, 4, 5]
        assert (await collection.delete_one({"_id": 99})).deleted_count == 0
        assert (await collection.delete_many({"age": {"$gt": 30}})).deleted_count == 2
        assert (await collection.delete_many({})).deleted_count == 2
        assert await collection.count_documents({}) == 0


async def test_count_documents_with_skip_and_limit(backend: Backend) -> None:
    async with backend.collection() as collection:
        await seeded(collection)
        assert await collection.count_documents({}, skip=1, limit=3) == 3
        assert await collection.count_documents({"age": {"$gt": 30}}, skip=2) == 1


# ---- unique indexes ----------------------------------------------------------------------------------------------


async def test_unique_index_rejects_duplicates_on_insert_and_update(backend: Backend) -> None:
    async with backend.collection() as collection:
        name = await collection.create_index("email", unique=True)
        assert name == "email_1"
        await collection.insert_one({"_id": 1, "email": "ada@example.com"})
        await collection.insert_one({"_id": 2, "email": "alan@example.com"})
        with pytest.raises(DuplicateKeyError) as raised:
            await collection.insert_one({"_id": 3, "email": "ada@example.com"})
        assert raised.value.code == 11000
        with pytest.raises(DuplicateKeyError):
            await collection.update_one({"_id": 2}, {"$set": {"email": "ada@example.com"}})
        assert await collection.find_one({"_id": 2}, {"email": 1, "_id": 0}) == {"email": "alan@example.com"}
        await collection.insert_one({"_id": 4, "email": "ADA@example.com"})  # case matters
        assert await collection.count_documents({}) == 3


async def test_unique_index_treats_numbers_by_value_and_missing_as_null(backend: Backend) -> None:
    async with backend.collection() as collection:
        await collection.create_index([("code", 1)], unique=True)
        await collection.insert_one({"_id": 1, "code": 7})
        with pytest.raises(DuplicateKeyError):
            await collection.insert_one({"_id": 2, "code": 7.0})
        await collection.insert_one({"_id": 3, "code": "7"})
        await collection.insert_one({"_id": 4, "code": True})
        await collection.insert_one({"_id": 5})
        with pytest.raises(DuplicateKeyError):
            await collection.insert_one({"_id": 6})


async def test_compound_unique_index(backend: Backend) -> None:
    async with backend.collection() as collection:
        await collection.create_index([("owner", 1), ("slug", -1)], unique=True)
        await collection.insert_one({"owner": "ada", "slug": "notes"})
        await collection.insert_one({"owner": "alan", "slug": "notes"})
        with pytest.raises(DuplicateKeyError):
            await collection.insert_one({"owner": "ada", "slug": "notes"})


# ---- arrays of documents, embedded documents, $setOnInsert -------------------------------------------------------


async def test_queries_and_projections_reach_into_arrays_of_documents(backend: Backend) -> None:
    async with backend.collection() as collection:
        await collection.insert_many([
            {"_id": 1, "items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 5}], "meta": {"x": 1, "y": 2}},
            {"_id": 2, "items": [{"sku": "c", "qty": 2}], "meta": {"y": 2, "x": 1}},
            {"_id": 3, "items": [], "meta": {"x": 1}},
        ])
        assert await ids(collection.find({"items.sku": "b"})) == [1]
        assert sorted(await ids(collection.find({"items.qty": {"$gte": 2}}))) == [1, 2]
        assert await ids(collection.find({"items.0.sku": "c"})) == [2]
        assert sorted(await ids(collection.find({"meta.x": 1, "meta.y": {"$exists": True}}))) == [1, 2]
        assert await ids(collection.find({"_id": {"$in": []}})) == []
        assert sorted(await ids(collection.find({"_id": {"$nin": []}}))) == [1, 2, 3]
        assert await collection.find_one({"_id": 1}, {"items.sku": 1, "_id": 0}) == {
            "items": [{"sku": "a"}, {"sku": "b"}]}
        assert await collection.find_one({"_id": 1}, {"items.qty": 0, "meta": 0}) == {
            "_id": 1, "items": [{"sku": "a"}, {"sku": "b"}]}


async def test_set_on_insert_applies_only_when_inserting(backend: Backend) -> None:
    async with backend.collection() as collection:
        first = await collection.update_one({"name": "ada", "team": "core"},
                                            {"$setOnInsert": {"created": 1}, "$set": {"seen": 1}}, upsert=True)
        assert first.upserted_id is not None
        await collection.update_one({"name": "ada"}, {"$setOnInsert": {"created": 2}, "$set": {"seen": 2}},
                                    upsert=True)
        assert await collection.find_one({}, {"_id": 0}) == {"name": "ada", "team": "core", "created": 1, "seen": 2}
