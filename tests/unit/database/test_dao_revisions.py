"""`GenericDAO` revisions on both async back ends: every write gives a new entity tag, conditional writes
(`if_match`) refuse a changed document with a 412 and write nothing, concurrent read-modify-writes lose no
update, and documents stored without a revision still get a stable tag and conditional writes."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from src.database.revisions import REVISION_FIELD
from src.model.errors import ConflictError, NotFoundError, PreconditionFailedError
from tests.unit.database.collection_backends import Backend, backend
from tests.unit.database.test_generic_dao import NoteDAO, dao_on

__all__ = ["backend"]


async def test_every_write_changes_the_tag_and_reads_do_not(backend: Backend) -> None:
    async with dao_on(backend) as dao:
        note_id = await dao.insert({"text": "first"})
        tags = [(await dao.get_versioned(note_id)).etag]
        assert (await dao.get_versioned(note_id)).etag == tags[0]
        tags.append(await dao.replace(note_id, {"text": "second"}))
        assert (await dao.get_versioned(note_id)).etag == tags[-1]
        await dao.update(note_id, {"text": "third"})
        tags.append((await dao.get_versioned(note_id)).etag)
        modified = await dao.modify(note_id, lambda note: {**note, "text": "fourth"})
        tags.append(modified.etag)
        assert modified.value["text"] == "fourth"
        assert REVISION_FIELD not in modified.value
        assert len(set(tags)) == 4
        assert await dao.get(note_id) == {"_id": modified.value["_id"], "text": "fourth"}


async def test_a_stale_tag_is_refused_and_nothing_is_written(backend: Backend) -> None:
    async with dao_on(backend) as dao:
        note_id = await dao.insert({"text": "v1"})
        stale = (await dao.get_versioned(note_id)).etag
        current = await dao.replace(note_id, {"text": "v2"}, if_match=[stale])
        with pytest.raises(PreconditionFailedError, match=f"note {note_id} has changed"):
            await dao.replace(note_id, {"text": "lost"}, if_match=[stale])
        with pytest.raises(PreconditionFailedError):
            await dao.modify(note_id, lambda note: {**note, "text": "lost"}, if_match=[stale])
        with pytest.raises(PreconditionFailedError):
            await dao.delete(note_id, if_match=[stale])
        assert (await dao.get(note_id))["text"] == "v2"
        await dao.delete(note_id, if_match=["other", current])
        with pytest.raises(NotFoundError):
            await dao.delete(note_id, if_match=[current])


async def test_a_conditional_replace_of_a_missing_document_is_a_404(backend: Backend) -> None:
    async with dao_on(backend) as dao:
        note_id = await dao.insert({"text": "v1"})
        tag = (await dao.get_versioned(note_id)).etag
        await dao.delete(note_id)
        with pytest.raises(NotFoundError, match=f"note {note_id} not found"):
            await dao.replace(note_id, {"text": "v2"}, if_match=[tag])
        with pytest.raises(NotFoundError):
            await dao.replace(note_id, {"text": "v2"})


async def test_concurrent_read_modify_writes_lose_nothing(backend: Backend) -> None:
    async with dao_on(backend) as dao:
        note_id = await dao.insert({"count": 0})

        def increment(note: dict[str, Any]) -> dict[str, Any]:
            return {**note, "count": note["count"] + 1}

        async def client_with_if_match(rounds: int) -> None:
            # What an HTTP client does: read, then write with If-Match, and start again on a 412.
            for _ in range(rounds):
                while True:
                    seen = await dao.get_versioned(note_id)
                    try:
                        await dao.replace(note_id, increment(seen.value), if_match=[seen.etag])
                        break
                    except PreconditionFailedError:
                        continue

        async def unconditional_modify(rounds: int) -> None:
            for _ in range(rounds):
                await dao.modify(note_id, increment)

        await asyncio.gather(*(client_with_if_match(10) for _ in range(4)),
                             *(unconditional_modify(10) for _ in range(4)))
        assert (await dao.get(note_id))["count"] == 80


async def test_a_document_without_a_revision_gets_a_content_tag(backend: Backend) -> None:
    async with backend.collection() as collection:
        dao = NoteDAO(collection)
        inserted = await collection.insert_one({"text": "written by hand"})
        note_id = str(inserted.inserted_id)
        legacy = (await dao.get_versioned(note_id)).etag
        assert (await dao.get_versioned(note_id)).etag == legacy
        new = await dao.replace(note_id, {"text": "through the DAO"}, if_match=[legacy])
        assert new != legacy
        with pytest.raises(PreconditionFailedError):
            await dao.replace(note_id, {"text": "stale"}, if_match=[legacy])


class InterferingCollection:
    """The real collection, except that another writer changes the document just before each replace."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)

    async def replace_one(self, filter_: dict[str, Any], replacement: dict[str, Any]) -> Any:
        await self._collection.update_one({"_id": filter_["_id"]}, {"$set": {REVISION_FIELD: uuid.uuid4().hex}})
        return await self._collection.replace_one(filter_, replacement)


async def test_endless_contention_is_a_409_not_a_hang(backend: Backend) -> None:
    async with backend.collection() as collection:
        note_id = await NoteDAO(collection).insert({"count": 0})
        dao = NoteDAO(InterferingCollection(collection))
        with pytest.raises(ConflictError, match=f"note {note_id} is being changed by other requests"):
            await dao.modify(note_id, lambda note: {**note, "count": 1})
        assert (await dao.get(note_id))["count"] == 0
