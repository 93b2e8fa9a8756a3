"""`ExampleDAO`: the CRUD example's data access object, on the `example` collection (the spec's `ExampleDao`).

It is what a new DAO looks like: name the collection, map documents to and from the model; `GenericDAO` does
the rest (reads, writes with revisions and `If-Match`, typed errors) on Motor and the embedded store alike.
"""

from __future__ import annotations

from typing import Any

from src.database.generic_dao import GenericDAO
from src.database.json_reads import document_from_json
from src.database.revisions import revision_of
from src.database.store import Document, StoreCollection
from src.model.example_resource import ExampleResource
from src.model.example_resource_mappers import resource_fields
from src.model.versioned import Versioned

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
        return ExampleResource(*_stored_fields(document), id=self.id_to_text(document["_id"]))

    def to_body(self, document: Document) -> Document:
        """What the answer gives for the resource (`ExampleResourceResponseMapper.to_body`), without building
        it: reads need no model object (validation is for writes)."""
        return {"id": self.id_to_text(document["_id"]), **resource_fields(*_stored_fields(document))}

    async def list_page(self, offset: int, limit: int) -> list[ExampleResource]:
        return await self.find(sort=CREATION_ORDER, skip=offset, limit=limit)

    async def get_body(self, id_text: str) -> Versioned[Document]:
        """The resource's answer body and entity tag, from the stored JSON text in one read."""
        document = document_from_json(await self.find_json(id_text))
        return Versioned(self.to_body(document), revision_of(document))

    async def list_page_bodies(self, offset: int, limit: int) -> tuple[int, list[Document]]:
        """How many resources there are, and `list_page` as answer bodies, from one read of the stored texts."""
        total, texts = await self.page_json(CREATION_ORDER, offset, limit)
        return total, [self.to_body(document_from_json(text)) for text in texts]


def _stored_fields(document: Document) -> tuple[str, str | None, dict[str, Any]]:
    """A resource's fields from its stored document. Tolerant: a document written by hand still reads."""
    description = document.get("description")
    properties = document.get("properties")
    return (str(document.get("name", "")), description if isinstance(description, str) else None,
            _json_object(properties))


def _json_object(value: object) -> dict[str, Any]:
    return {str(name): item for name, item in value.items()} if isinstance(value, dict) else {}


# The spec names it both ways (`ExampleDao` in the DAO section's text, `ExampleDAO` in its code).
ExampleDao = ExampleDAO
