"""The port's JSON-text reads (`find_one_json`, `page_json`) against every back end of the collection contract:
the embedded store answers them itself, the others through `DocumentsAsJSON`; both give the same texts, which
decode to what `find_one` and `find` return."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from bson import Decimal128, ObjectId

from src.database.embedded import EmbeddedClient, EmbeddedCollection
from src.database.embedded.codec import encode
from src.database.json_reads import DocumentsAsJSON, document_from_json, json_reads
from tests.unit.database.collection_backends import Backend, backend

__all__ = ["backend"]

OBJECT_ID = ObjectId("66fd0c0ffee0c0ffee0c0ffe")
DOCUMENTS: list[dict[str, Any]] = [
    {"_id": 3, "name": "third", "when": datetime(2024, 5, 1, 12, 30, 0, 125000)},
    {"_id": "a\"b\\c", "name": "ünïcode ✓ \u2028", "tags": ["x", {"$oid": "not an id"}]},
    {"_id": OBJECT_ID, "name": "first", "nested": {"deep": [1, 2.5, None, True]}},
    {"_id": 1, "name": "one", "rank": 7},
]


async def seeded(collection: Any) -> Any:
    await collection.insert_many([dict(document) for document in DOCUMENTS])
    return collection


async def test_find_one_json_is_the_document_as_text(backend: Backend) -> None:
    async with backend.collection() as collection:
        reads = json_reads(await seeded(collection))
        for document in DOCUMENTS:
            text = await reads.find_one_json(document["_id"])
            assert text is not None
            assert document_from_json(text) == await collection.find_one({"_id": document["_id"]})
            assert next(iter(json.loads(text))) == "_id"
        assert await reads.find_one_json("missing") is None
        assert await reads.find_one_json(ObjectId()) is None


@pytest.mark.parametrize(("sort", "skip", "limit", "expected"), [
    ([("_id", 1)], 0, 0, [1, 3, "a\"b\\c", OBJECT_ID]),
    ([("_id", -1)], 1, 2, ["a\"b\\c", 3]),
    ([("rank", -1), ("name", 1)], 0, 3, [1, OBJECT_ID, 3]),
    (None, 2, 5, [OBJECT_ID, 1]),
    ([("_id", 1)], 4, 10, []),
])
async def test_page_json_is_the_total_and_the_window_of_find(backend: Backend, sort: list[tuple[str, int]] | None,
                                                             skip: int, limit: int, expected: list[Any]) -> None:
    async with backend.collection() as collection:
        reads = json_reads(await seeded(collection))
        total, texts = await reads.page_json({}, sort, skip, limit)
        assert total == len(DOCUMENTS)
        assert [document_from_json(text)["_id"] for text in texts] == expected
        by_id = {document["_id"]: document for document in await collection.find({}).to_list(None)}
        assert [document_from_json(text) for text in texts] == [by_id[value] for value in expected]


async def test_page_json_counts_and_pages_the_filter(backend: Backend) -> None:
    async with backend.collection() as collection:
        reads = json_reads(await seeded(collection))
        total, texts = await reads.page_json({"_id": {"$in": [1, 3, "nope"]}}, [("_id", 1)], 1, 0)
        assert (total, [document_from_json(text)["name"] for text in texts]) == (2, ["third"])
        total, texts = await reads.page_json({"name": {"$in": ["one", "first"]}}, None, 0, 1)
        assert (total, [document_from_json(text)["name"] for text in texts]) == (2, ["first"])


async def test_the_embedded_store_answers_with_its_stored_texts_as_the_adapter_would(tmp_path: Any) -> None:
    client = EmbeddedClient(tmp_path)
    try:
        collection = await seeded(client["test"]["json"])
        assert isinstance(json_reads(collection), EmbeddedCollection)
        adapter = DocumentsAsJSON(collection)
        for document in DOCUMENTS:
            own = await collection.find_one_json(document["_id"])
            assert own == await adapter.find_one_json(document["_id"]) == encode(
                await collection.find_one({"_id": document["_id"]}) or {})
        for sort in ([("_id", 1)], [("name", 1)], None):
            assert await collection.page_json({}, sort, 1, 2) == await adapter.page_json({}, sort, 1, 2)
        with pytest.raises(ValueError, match="skip and limit"):
            await collection.page_json({}, None, -1, 0)
    finally:
        await client.aclose()


class DriverCollection:
    """What MongoDB may hand back: a BSON type the embedded store never holds."""

    async def find_one(self, filter_: dict[str, Any]) -> dict[str, Any]:
        return {"_id": filter_["_id"], "price": Decimal128("1.10"), "at": datetime(2024, 1, 2)}


async def test_the_adapter_writes_values_json_has_no_form_for_as_text() -> None:
    text = await DocumentsAsJSON(DriverCollection()).find_one_json(OBJECT_ID)  # type: ignore[arg-type]
    assert text == '{"_id":{"$oid":"66fd0c0ffee0c0ffee0c0ffe"},"price":"1.10","at":{"$date":1704153600000}}'
