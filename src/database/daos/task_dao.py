"""`TaskDAO`: the `tasks` collection, read and written as `Task` objects."""

from __future__ import annotations

from src.database.generic_dao import GenericDAO
from src.database.store import Document, StoreCollection
from src.model.task import PRIORITY_BY_VALUE, Priority, Task

# The list is ordered by creation: ObjectIds grow with time, and `_id` is indexed in both back ends.
CREATION_ORDER = (("_id", 1),)


class TaskDAO(GenericDAO[Task]):
    resource = "task"

    def collection(self) -> StoreCollection:
        return self.database["tasks"]

    def to_document(self, model: Task) -> Document:
        return model.to_json()

    def from_document(self, document: Document) -> Task:
        # Tolerant: a document written by hand or by an older version still reads, with defaults.
        priority = document.get("priority")
        description = document.get("description")
        due_date = document.get("due_date")
        return Task(
            title=str(document.get("title", "")),
            description=description if isinstance(description, str) else None,
            priority=PRIORITY_BY_VALUE.get(priority, Priority.NONE) if isinstance(priority, str) else Priority.NONE,
            completed=document.get("completed") is True,
            due_date=due_date if isinstance(due_date, int) and not isinstance(due_date, bool) else None,
            id=self.id_to_text(document["_id"]),
        )

    async def list_page(self, offset: int, limit: int) -> list[Task]:
        return await self.find(sort=CREATION_ORDER, skip=offset, limit=limit)
