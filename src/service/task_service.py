"""`TaskService`: the todo list's business logic, independent of the web framework (no Tornado here).

Handlers pass it request data as plain mappings; it validates them into `Task`s (400 on bad input), stores them
through `TaskDAO`, and raises `NotFoundError` (404) for unknown ids. Writes take `if_match`, the entity tags
the client last saw (None: no condition), and answer `PreconditionFailedError` (412) when the task has changed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import NamedTuple

from src.database.daos.task_dao import TaskDAO
from src.model.body_fields import reject_unknown_fields
from src.model.json_types import JSONText
from src.model.paging import DEFAULT_PAGE_SIZE, check_page
from src.model.task import FIELDS, Task
from src.model.versioned import Versioned
from src.utils.json_merge_patch import apply_merge_patch


class TaskPage(NamedTuple):
    """A page of tasks, and how many tasks there are in all."""

    tasks: list[Task]
    total: int


class TaskListing(NamedTuple):
    """A page as the list's JSON text, `{id: task, ...}` in creation order, and how many tasks there are in all."""

    body: JSONText
    total: int


class TaskService:
    def __init__(self, dao: TaskDAO) -> None:
        self.dao = dao

    async def list(self, offset: int = 0, limit: int = DEFAULT_PAGE_SIZE) -> TaskPage:
        """Tasks in creation order, `limit` of them from `offset`, and how many there are in all."""
        check_page(offset, limit)
        total = await self.dao.count()
        tasks = await self.dao.list_page(offset, limit) if offset < total else []
        return TaskPage(tasks, total)

    async def listing(self, offset: int = 0, limit: int = DEFAULT_PAGE_SIZE,
                      completed: bool | None = None) -> TaskListing:
        """The page `list` gives, already as the list's JSON text: the read path of `GET /tasks`, which builds
        no `Task` objects only to turn them back into JSON. With `completed`, only the tasks done (True) or not
        (False), and the total counts those."""
        check_page(offset, limit)
        total, body = await self.dao.list_page_json(offset, limit, completed)
        return TaskListing(body, total)

    async def get(self, task_id: str) -> Task:
        return await self.dao.get(task_id)

    async def get_versioned(self, task_id: str) -> Versioned[Task]:
        return await self.dao.get_versioned(task_id)

    async def get_json(self, task_id: str) -> Versioned[JSONText]:
        """The task's JSON representation as text, with its entity tag: the read path of `GET /tasks/{id}`."""
        return await self.dao.get_json(task_id)

    async def create(self, data: Mapping[str, object]) -> Task:
        """Validate and store a new task; returns it with its id."""
        task = Task.from_json(data)
        return task.with_id(await self.dao.insert(task))

    async def replace(self, task_id: str, data: Mapping[str, object],
                      if_match: Collection[str] | None = None) -> Versioned[Task]:
        """Replace every field of an existing task (fields left out take their defaults)."""
        task = Task.from_json(data, task_id)
        return Versioned(task, await self.dao.replace(task_id, task, if_match))

    async def patch(self, task_id: str, patch: Mapping[str, object],
                    if_match: Collection[str] | None = None) -> Versioned[Task]:
        """Apply a JSON merge patch (RFC 7396) to the stored task; the result is validated as a whole task, so a
        bad value or a `null` title is a 400 naming the field, and so is an unknown field even as `null`.
        Concurrent writes are never lost."""
        reject_unknown_fields(patch, FIELDS)

        def patched(task: Task) -> Task:
            return Task.from_json(apply_merge_patch(task.to_json(), dict(patch)), task_id)

        return await self.dao.modify(task_id, patched, if_match)

    async def delete(self, task_id: str, if_match: Collection[str] | None = None) -> None:
        await self.dao.delete(task_id, if_match)
