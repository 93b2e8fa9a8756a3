"""The port's conditional replace and delete (`replace_by_id`, `delete_by_id`) against every back end of the
collection contract: the embedded store answers them with one statement on its primary key, the others with
`replace_one` / `delete_one` and the condition in the filter; both keep the `_id`, write only while the field
holds an accepted string, and answer the document as it is when they refuse."""

from __future__ import annotations

from typing import Any

import pytest
from bson import ObjectId
from pymongo.errors import DuplicateKeyError, OperationFailure

from src.database.conditional_replace import delete_by_id, replace_by_id
from tests.unit.database.collection_backends import Backend, backend

__all__ = ["backend"]

OBJECT_ID = ObjectId("66fd0c0ffee0c0ffee0c0ffe")


async def seeded(collection: Any) -> Any:
    await collection.insert_many([
        {"_id": OBJECT_ID, "title": "object id", "_rev": "r1"},
        {"_id": "text-id", "title": "text id", "_rev": "r2"},
        {"_id": 7, "title": "number id", "_rev": "r3"},
        {"_id": "no-rev", "title": "written by hand"},
        {"_id": "object-rev", "title": "odd", "_rev": {"a": 1}},
    ])
    return collection


@pytest.mark.parametrize("document_id", [OBJECT_ID, "text-id", 7])
async def test_an_unconditional_replace_keeps_the_id_and_writes(backend: Backend, document_id: Any) -> None:
    async with backend.collection() as collection:
        await seeded(collection)
        answer = await replace_by_id(collection, document_id, {"title": "new", "_rev": "n"}, "_rev", None)
        assert answer == (True, None)
        assert await collection.find_one({"_id": document_id}) == {"_id": document_id, "title": "new", "_rev": "n"}


@pytest.mark.parametrize(("document_id", "stored"), [(OBJECT_ID, "r1"), ("text-id", "r2"), (7, "r3")])
async def test_a_conditional_replace_writes_only_while_the_field_holds_an_accepted_value(
        backend: Backend, document_id: Any, stored: str) -> None:
    async with backend.collection() as collection:
        await seeded(collection)
        before = await collection.find_one({"_id": document_id})
        refused = await replace_by_id(collection, document_id, {"title": "lost", "_rev": "x"}, "_rev", ["old", "r9"])
        assert refused == (False, before)
        assert await replace_by_id(collection, document_id, {"title": "kept", "_rev": "n"}, "_rev",
                                   ["old", stored]) == (True, None)
        assert await collection.find_one({"_id": document_id}) == {"_id": document_id, "title": "kept", "_rev": "n"}
        assert (await replace_by_id(collection, document_id, {"title": "lost"}, "_rev", [stored]))[0] is False


async def test_a_missing_document_is_not_replaced_with_or_without_a_condition(backend: Backend) -> None:
    async with backend.collection() as collection:
        await seeded(collection)
        for document_id in (ObjectId(), "missing", 8):
            assert await replace_by_id(collection, document_id, {"title": "x"}, "_rev", None) == (False, None)
            assert await replace_by_id(collection, document_id, {"title": "x"}, "_rev", ["r1"]) == (False, None)
        assert await collection.count_documents({}) == 5


async def test_only_a_stored_string_can_match(backend: Backend) -> None:
    async with backend.collection() as collection:
        await seeded(collection)
        for document_id, lookalike in (("no-rev", "null"), ("object-rev", '{"a":1}'), ("object-rev", "a")):
            replaced, current = await replace_by_id(collection, document_id, {"title": "x"}, "_rev", [lookalike])
            assert not replaced
            assert current == await collection.find_one({"_id": document_id})
        assert await replace_by_id(collection, "text-id", {"title": "x"}, "_rev", []) == (
            False, {"_id": "text-id", "title": "text id", "_rev": "r2"})


async def test_a_replacement_may_repeat_the_id_but_not_change_it(backend: Backend) -> None:
    async with backend.collection() as collection:
        await seeded(collection)
        assert await replace_by_id(collection, "text-id", {"_id": "text-id", "title": "same"}, "_rev", None) == (
            True, None)
        with pytest.raises(OperationFailure):  # WriteError (66) from MongoDB and the embedded store
            await replace_by_id(collection, "text-id", {"_id": "other", "title": "moved"}, "_rev", None)
        if backend.name != "mongomock":  # mongomock changes the document before it raises; MongoDB does not
            assert await collection.find_one({"_id": "text-id"}) == {"_id": "text-id", "title": "same"}


async def test_a_replace_that_breaks_a_unique_index_is_a_duplicate_key_error(backend: Backend) -> None:
    async with backend.collection() as collection:
        await seeded(collection)
        await collection.create_index("title", unique=True)
        with pytest.raises(DuplicateKeyError):
            await replace_by_id(collection, "text-id", {"title": "object id", "_rev": "n"}, "_rev", ["r2"])
        assert (await collection.find_one({"_id": "text-id"}))["title"] == "text id"


@pytest.mark.parametrize(("document_id", "stored"), [(OBJECT_ID, "r1"), ("text-id", "r2"), (7, "r3")])
async def test_a_conditional_delete_deletes_only_while_the_field_holds_an_accepted_value(
        backend: Backend, document_id: Any, stored: str) -> None:
    async with backend.collection() as collection:
        await seeded(collection)
        before = await collection.find_one({"_id": document_id})
        assert await delete_by_id(collection, document_id, "_rev", ["old"]) == (False, before)
        assert await delete_by_id(collection, document_id, "_rev", ["old", stored]) == (True, None)
        assert await collection.find_one({"_id": document_id}) is None
        assert await delete_by_id(collection, document_id, "_rev", [stored]) == (False, None)
        assert await delete_by_id(collection, document_id, "_rev", None) == (False, None)
        assert await collection.count_documents({}) == 4


async def test_an_unconditional_delete_and_lookalike_tags(backend: Backend) -> None:
    async with backend.collection() as collection:
        await seeded(collection)
        hand_written = await collection.find_one({"_id": "no-rev"})
        assert await delete_by_id(collection, "no-rev", "_rev", ["null"]) == (False, hand_written)
        assert await delete_by_id(collection, "object-rev", "_rev", ['{"a":1}']) == (
            False, {"_id": "object-rev", "title": "odd", "_rev": {"a": 1}})
        assert await delete_by_id(collection, "no-rev", "_rev", None) == (True, None)
        assert await collection.count_documents({}) == 4
