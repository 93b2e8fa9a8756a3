"""`TaskService` and `TaskDAO` on the embedded store: create, read, replace, delete, paging in creation order."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from bson import ObjectId

from src.database.daos.task_dao import TaskDAO
from src.database.embedded import EmbeddedClient
from src.model.errors import BadRequestError, NotFoundError
from src.model.task import Priority, Task
from src.service.task_service import TaskService


@asynccontextmanager
async def service_in(folder: Path) -> AsyncIterator[TaskService]:
    client = EmbeddedClient(folder)
    try:
        yield TaskService(TaskDAO(client["test"]))
    finally:
        await client.aclose()


async def test_create_get_replace_delete(tmp_path: Path) -> None:
    async with service_in(tmp_path) as service:
        created = await service.create({"title": "Task1", "priority": "high"})
        assert created.id is not None and ObjectId.is_valid(created.id)
        assert await service.get(created.id) == Task(title="Task1", priority=Priority.HIGH, id=created.id)
        replaced = (await service.replace(created.id, {"title": "Task2", "completed": True})).value
        assert replaced == Task(title="Task2", completed=True, id=created.id)
        # A replace is complete: the priority left out went back to its default.
        assert await service.get(created.id) == replaced
        await service.delete(created.id)
        with pytest.raises(NotFoundError, match=f"task {created.id} not found"):
            await service.get(created.id)


async def test_unknown_ids_are_not_found_and_bad_input_is_refused(tmp_path: Path) -> None:
    async with service_in(tmp_path) as service:
        for attempt in (service.get("nope"), service.replace("nope", {"title": "x"}), service.delete("nope")):
            with pytest.raises(NotFoundError):
                await attempt
        with pytest.raises(BadRequestError):
            await service.create({"title": ""})
        created = await service.create({"title": "kept"})
        with pytest.raises(BadRequestError):
            await service.replace(created.id or "", {"title": "x", "bogus": 1})
        assert (await service.get(created.id or "")).title == "kept"


async def test_list_pages_in_creation_order_with_the_total(tmp_path: Path) -> None:
    async with service_in(tmp_path) as service:
        titles = [f"task {n}" for n in range(12)]
        for title in titles:
            await service.create({"title": title})
        page = await service.list(offset=0, limit=5)
        assert page.total == 12
        assert [task.title for task in page.tasks] == titles[:5]
        assert [task.title for task in (await service.list(offset=10, limit=5)).tasks] == titles[10:]
        beyond = await service.list(offset=50, limit=5)
        assert (beyond.tasks, beyond.total) == ([], 12)
        with pytest.raises(ValueError, match="limit"):
            await service.list(limit=0)


async def test_documents_written_by_hand_still_read(tmp_path: Path) -> None:
    client = EmbeddedClient(tmp_path)
    try:
        await client["test"]["tasks"].insert_one({"_id": "legacy", "title": "old", "priority": "blocker",
                                                  "completed": "yes", "due_date": True})
        task = await TaskService(TaskDAO(client["test"])).get("legacy")
        assert task == Task(title="old", priority=Priority.NONE, completed=False, due_date=None, id="legacy")
    finally:
        await client.aclose()


# Stored documents as the API writes them and as hand or an older version may have: the read path's
# representation must be what the model gives for each.
STORED_DOCUMENTS = [
    {"_id": "full", "title": "t", "description": "d", "priority": "urgent", "completed": True, "due_date": 5},
    {"_id": "plain", "title": "t", "priority": "none", "completed": False},
    {"_id": "legacy", "title": 3, "description": 4, "priority": "blocker", "completed": "yes", "due_date": True},
    {"_id": "odd", "priority": ["high"], "due_date": 1.5, "_revision": "r1", "extra": 1},
]


@pytest.mark.parametrize("document", STORED_DOCUMENTS, ids=lambda document: str(document["_id"]))
def test_representation_is_what_the_model_gives(document: dict[str, object]) -> None:
    dao = TaskDAO()
    assert dao.to_representation(document) == dao.from_document(document).to_json()


async def test_listing_is_the_page_in_its_json_representation(tmp_path: Path) -> None:
    async with service_in(tmp_path) as service:
        for number in range(7):
            await service.create({"title": f"task {number}", "priority": "high", "due_date": number})
        for offset, limit in ((0, 5), (5, 5), (50, 5)):
            page, listing = await service.list(offset, limit), await service.listing(offset, limit)
            assert listing.total == page.total == 7
            assert json.loads(listing.body, object_pairs_hook=list) == [
                (task.id, list(task.to_json().items())) for task in page.tasks]
        with pytest.raises(ValueError, match="limit"):
            await service.listing(limit=0)
