"""The read path of the tasks API (`TaskService.get_json`, `listing`), which answers from the stored JSON text,
gives byte for byte the JSON the model gives (`Task.to_json` of `get_versioned`, `{id: task}` of `list`) and
the same entity tags, for tasks with every field set or unset, any text, and documents written by hand, the
list filtered by `completed` too; on the embedded store and through the adapter the MongoDB drivers use
(mongomock)."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from src.database.daos import task_dao
from src.database.daos.task_dao import TaskDAO
from src.database.json_reads import json_reads
from src.database.store import StoreCollection
from src.model.json_types import encode_json
from src.service.task_service import TaskService
from tests.unit.database.collection_backends import Backend, backend

__all__ = ["backend"]

TEXTS = ["plain", "ünïcode ✓ 日本語 🎉", 'quote " and backslash \\ and /', "line\nbreak\ttab\x01\x1f",
         "\u2028\u2029 separators", "<script>&amp;</script>", " spaced ", "x" * 200]
BODIES: list[dict[str, Any]] = [
    {"title": "only a title"},
    {"title": "all", "description": "d", "priority": "urgent", "completed": True, "due_date": 1_700_000_000},
    *({"title": text, "description": text, "priority": priority, "completed": index % 2 == 0,
       "due_date": due_date}
      for index, (text, priority, due_date) in enumerate(zip(TEXTS, ["high", "normal", "low", "none"] * 2,
                                                             [0, -62_135_596_800, 253_402_300_799, 1, None] * 2,
                                                             strict=False))),
    {"title": "unset", "description": None, "priority": None, "completed": None, "due_date": None},
    {"title": "empty description", "description": ""},
]
# Written without the API: every field odd, missing or of the wrong type, ids that are not ObjectIds.
BY_HAND: list[dict[str, Any]] = [
    {"_id": "legacy", "title": 3, "description": 4, "priority": "blocker", "completed": "yes", "due_date": True},
    {"_id": 'te"xt', "title": "no revision", "priority": "high", "completed": False},
    {"_id": 7, "priority": ["high"], "due_date": 1.5, "extra": {"nested": 1}},
    {"_id": ObjectId(), "completed": True, "title": "fields out of order", "priority": "low", "_rev": "r1"},
    {"_id": ObjectId(), "title": "revision not text", "priority": "low", "completed": False, "_rev": 5},
]


class OnCollection(TaskDAO):
    """The tasks DAO on the test's collection."""

    def __init__(self, collection: StoreCollection) -> None:
        super().__init__()
        self._collection = collection

    def collection(self) -> StoreCollection:
        return self._collection


async def stored_tasks(service: TaskService, collection: Any) -> list[str]:
    ids = [(await service.create(body)).id or "" for body in BODIES]
    await service.replace(ids[0], {"title": "replaced", "due_date": 5})
    await service.patch(ids[1], {"description": None, "priority": "low"})
    await collection.insert_many([dict(document) for document in BY_HAND])
    return ids + [str(document["_id"]) for document in BY_HAND]


async def test_reading_one_task_gives_the_models_json_and_tag(backend: Backend) -> None:
    async with backend.collection() as collection:
        service = TaskService(OnCollection(collection))
        for task_id in await stored_tasks(service, collection):
            if task_id == "7":
                continue  # an int id has no URL: the text "7" names another task
            read, model = await service.get_json(task_id), await service.get_versioned(task_id)
            assert read.value == encode_json(model.value.to_json())
            assert read.etag == model.etag


async def test_the_list_gives_the_models_json_for_every_page(backend: Backend) -> None:
    async with backend.collection() as collection:
        service = TaskService(OnCollection(collection))
        count = len(await stored_tasks(service, collection))
        for offset, limit in ((0, 100), (0, 1), (3, 4), (count - 2, 10), (count, 5), (1000, 5)):
            listing, page = await service.listing(offset, limit), await service.list(offset, limit)
            assert listing.body == encode_json({task.id: task.to_json() for task in page.tasks})
            assert listing.total == page.total == count


async def test_a_list_of_the_done_or_the_open_tasks_is_those_the_model_reads_so(backend: Backend) -> None:
    """`completed` filters on what a task reads as: a hand-written `"yes"` or a missing field is not done."""
    async with backend.collection() as collection:
        service = TaskService(OnCollection(collection))
        await stored_tasks(service, collection)
        everything = (await service.list(0, 1000)).tasks
        for completed in (True, False):
            tasks = [task for task in everything if task.completed is completed]
            assert 3 <= len(tasks) < len(everything)
            listing = await service.listing(0, 1000, completed)
            assert listing.body == encode_json({task.id: task.to_json() for task in tasks})
            assert listing.total == len(tasks)
            window = await service.listing(1, 2, completed)
            assert window.body == encode_json({task.id: task.to_json() for task in tasks[1:3]})
            assert window.total == len(tasks)


async def test_tasks_the_api_wrote_are_answered_from_their_stored_text(backend: Backend) -> None:
    """The fast path applies to every task the API stored: its representation is a slice of the stored text."""
    async with backend.collection() as collection:
        service = TaskService(OnCollection(collection))
        api_written = (await stored_tasks(service, collection))[:len(BODIES)]
        _, texts = await json_reads(collection).page_json({}, None, 0, 0)
        matched = [task_dao._WRITTEN_HERE.fullmatch(text) for text in texts]
        assert [found["object_id"] for found in matched if found] == api_written
