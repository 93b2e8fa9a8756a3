"""`task_dao.stored_json`, the tasks DAO's writer of the embedded store's text: for every document the DAO writes
it gives exactly what the store's general encoder gives (`codec.encode`), and it leaves every other document to
that encoder (None), so the store holds the same text either way; writes through the DAO store that text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId
from hypothesis import given
from hypothesis import strategies as st

from src.database.daos.task_dao import TaskDAO, stored_json
from src.database.embedded import EmbeddedClient
from src.database.embedded.codec import encode, encode_with
from src.database.revisions import REVISION_FIELD, new_revision
from src.model.task import Task
from src.service.task_service import TaskService
from tests.unit.service.test_task_read_path import BODIES, BY_HAND, TEXTS

IDS: list[Any] = [ObjectId(), ObjectId("0" * 24), "legacy", 'te"xt\\', "ünïcode ✓", ""]


def stored(task: Task, id_: object) -> dict[str, Any]:
    """A task's document as `GenericDAO` hands it to the store: `_id` first, the representation, the revision."""
    return {"_id": id_, **task.to_json(), REVISION_FIELD: new_revision()}


def test_every_task_document_the_dao_writes_is_the_general_encoders_text() -> None:
    for body in BODIES:
        for id_ in IDS:
            document = stored(Task.from_json(body), id_)
            assert stored_json(document) == encode(document)


@given(title=st.text(min_size=1), description=st.none() | st.text(), priority=st.sampled_from(
    ["urgent", "high", "normal", "low", "none"]), completed=st.booleans(),
    due_date=st.none() | st.integers(-(2**63), 2**63 - 1), id_=st.text() | st.builds(ObjectId),
    revision=st.text())
def test_any_task_shaped_document_is_the_general_encoders_text(
        title: str, description: str | None, priority: str, completed: bool, due_date: int | None, id_: object,
        revision: str) -> None:
    document: dict[str, Any] = {"_id": id_, "title": title}
    if description is not None:
        document["description"] = description
    document |= {"priority": priority, "completed": completed}
    if due_date is not None:
        document["due_date"] = due_date
    document[REVISION_FIELD] = revision
    assert stored_json(document) == encode(document)


def test_documents_of_another_shape_are_left_to_the_general_encoder() -> None:
    task = stored(Task.from_json({"title": "t", "description": "d", "due_date": 5}), ObjectId())
    others: list[dict[str, Any]] = [
        *BY_HAND,
        {key: value for key, value in task.items() if key != REVISION_FIELD},  # no revision
        {key: value for key, value in task.items() if key != "_id"},  # no id
        {**task, "extra": 1},  # a field tasks do not have
        dict(reversed(task.items())),  # the fields in another order
        {**task, "_id": 7}, {**task, "_id": None},
        {**task, "title": 3}, {**task, "description": None}, {**task, "priority": None},
        {**task, "completed": 1}, {**task, "due_date": True}, {**task, "due_date": 1.5},
        {**task, REVISION_FIELD: 5},
    ]
    for document in others:
        assert stored_json(document) is None
        assert encode_with(stored_json, document) == encode_with(None, document)
    too_large = {**task, "due_date": 2**63}  # refused by the general encoder, as BSON refuses it
    assert stored_json(too_large) is None
    with pytest.raises(OverflowError):
        encode_with(stored_json, too_large)


async def test_writes_through_the_dao_store_the_general_encoders_text(tmp_path: Path) -> None:
    client = EmbeddedClient(tmp_path)
    try:
        collection = client["test"]["tasks"]

        class OnCollection(TaskDAO):
            def collection(self) -> Any:
                return collection

        service = TaskService(OnCollection())
        for text in TEXTS:
            created = await service.create({"title": text, "description": text, "due_date": -1})
            assert created.id is not None
            await service.replace(created.id, {"title": text[:199] + "!", "priority": "urgent", "completed": True})
            await service.patch(created.id, {"description": text})
        texts = (await collection.page_json({}, None, 0, 0))[1]
        assert len(texts) == len(TEXTS)
        documents = await collection.find({}).to_list(None)
        assert texts == [encode(document) for document in documents]
        assert [document["title"] for document in documents] == [text[:199] + "!" for text in TEXTS]
    finally:
        await client.aclose()
