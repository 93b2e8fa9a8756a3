"""`ExampleDAO`: the CRUD example's data access object, on the `example` collection (the spec's `ExampleDao`).

It is what a new DAO looks like: name the collection, map documents to and from the model; `GenericDAO` does
the rest (reads, writes with revisions and `If-Match`, typed errors) on Motor and the embedded store alike.
"""

from __future__ import annotations

from typing import Any

from src.database.generic_dao import GenericDAO
from src.database.store import Document, StoreCollection
from src.model.example_resource import ExampleResource

# Creation order: ObjectIds grow with time, and `_id` is indexed in both back ends.
CREATION_ORDER = (("_id", 1),)


class ExampleDAO(GenericDAO[ExampleResource]):
    resource = "resource"

    def collection(self) -> StoreCollection:
        return self.database["example"]

    def to_document(self, model: ExampleResource) -> Document:
        document: Document = {"name": model.name, "properties": model.properties}
        if model.description is not None:
            document["description"] = model.description
        return document

    def from_document(self, document: Document) -> ExampleResource:
        # Tolerant: a document written by hand still reads.
        description = document.get("description")
        properties = document.get("properties")
        return ExampleResource(
            name=str(document.get("name", "")),
            description=description if isinstance(description, str) else None,
            properties=_json_object(properties),
            id=self.id_to_text(document["_id"]),
        )

    async def list_page(self, offset: int, limit: int) -> list[ExampleResource]:
        return await self.find(sort=CREATION_ORDER, skip=offset, limit=limit)


def _json_object(value: object) -> dict[str, Any]:
    return {str(name): item for name, item in value.items()} if isinstance(value, dict) else {}


# The spec names it both ways (`ExampleDao` in the DAO section's text, `ExampleDAO` in its code).
ExampleDao = ExampleDAO
