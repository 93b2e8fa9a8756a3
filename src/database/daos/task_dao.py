"""`TaskDAO`: the `tasks` collection, written from `Task` objects; read as `Task`s, or (the read path) straight
to their JSON representation."""

from __future__ import annotations

from src.database.generic_dao import GenericDAO
from src.database.store import Document, StoreCollection
from src.model.task import PRIORITY_BY_VALUE, Priority, Task, representation

# The list is ordered by creation: ObjectIds grow with time, and `_id` is indexed in both back ends.
CREATION_ORDER = (("_id", 1),)


class TaskDAO(GenericDAO[Task]):
    resource = "task"

    def collection(self) -> StoreCollection:
        return self.database["tasks"]

    def to_document(self, model: Task) -> Document:
        return model.to_json()

    def from_document(self, document: Document) -> Task:
        return Task(*_stored_fields(document), id=self.id_to_text(document["_id"]))

    @staticmethod
    def to_representation(document: Document) -> Document:
        """What `from_document(document).to_json()` gives, without building the `Task`: reads need no model
        object (validation is for writes)."""
        return representation(*_stored_fields(document))

    async def list_page(self, offset: int, limit: int) -> list[Task]:
        return await self.find(sort=CREATION_ORDER, skip=offset, limit=limit)

    async def list_page_representations(self, offset: int, limit: int) -> dict[str, Document]:
        """`list_page` as `{id: representation}`, in creation order, without `Task` objects."""
        documents = await self.find_documents(sort=CREATION_ORDER, skip=offset, limit=limit)
        return {self.id_to_text(document["_id"]): self.to_representation(document) for document in documents}


def _stored_fields(document: Document) -> tuple[str, str | None, Priority, bool, int | None]:
    """A task's fields from its stored document. Tolerant: a document written by hand or by an older version
    still reads, with defaults."""
    priority = document.get("priority")
    description = document.get("description")
    due_date = document.get("due_date")
    return (str(document.get("title", "")),
            description if isinstance(description, str) else None,
            PRIORITY_BY_VALUE.get(priority, Priority.NONE) if isinstance(priority, str) else Priority.NONE,
            document.get("completed") is True,
            due_date if isinstance(due_date, int) and not isinstance(due_date, bool) else None)
