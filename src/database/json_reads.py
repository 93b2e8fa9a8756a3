"""`json_reads(collection)`: the port's JSON-text reads (`src.database.store.JSONReads`) for any collection.

The embedded store holds every document as JSON text and answers them itself: a point read on the primary key,
and a page with its total in one call on its thread, both without decoding. For MongoDB (Motor, PyMongo) and
any other back end, `DocumentsAsJSON` reads the documents with the common API and writes them in the embedded
store's form, so a read path has one input whatever the back end.
"""

from __future__ import annotations

from src.database.embedded import EmbeddedCollection
from src.database.embedded.codec import decode, encode_lenient
from src.database.store import Document, Filter, JSONReads, SortSpec, StoreCollection, find_window


def document_from_json(text: str) -> Document:
    """A document from the text a `JSONReads` gave (ObjectIds and dates back as such)."""
    return decode(text)


def json_reads(collection: StoreCollection) -> JSONReads:
    return collection if isinstance(collection, EmbeddedCollection) else DocumentsAsJSON(collection)


class DocumentsAsJSON:
    """`JSONReads` over the collection API every back end has: `find_one`, `count_documents` and `find`."""

    def __init__(self, collection: StoreCollection) -> None:
        self.collection = collection

    async def find_one_json(self, id: object, /) -> str | None:
        document = await self.collection.find_one({"_id": id})
        return None if document is None else _as_json(document)

    async def page_json(self, filter: Filter, sort: SortSpec | None, skip: int, limit: int,
                        /) -> tuple[int, list[str]]:
        total = await self.collection.count_documents(filter)
        if skip >= total:
            return total, []
        cursor = find_window(self.collection, filter, sort, skip, limit)
        return total, [_as_json(document) for document in await cursor.to_list(limit or None)]


def _as_json(document: Document) -> str:
    # `_id` first, as MongoDB returns it and the embedded store keeps it (mongomock puts it last).
    return encode_lenient({"_id": document.get("_id"), **document})
