"""`replace_by_id(collection, ...)` and `delete_by_id(collection, ...)`: the port's conditional writes
(`src.database.store.ConditionalReplace`) on any collection; `insert_one(collection, ...)`, an insert with a
DAO's encoder (`EncodedInsert`).

The embedded store answers them itself, with one statement on its primary key; MongoDB (Motor, PyMongo) and any
other back end get `replace_one` / `delete_one` with the condition in the filter, which MongoDB also applies
atomically. So a write conditional on an entity tag costs one store call, not a read, a check and a write. A
DAO's encoder (`DocumentEncoder`) writes the embedded store's JSON text; the other back ends have no use for it.
Each picks the back end's call and hands back its awaitable: as a coroutine of its own it would add a frame to
every write's way to the store and back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Collection

from src.database.embedded import EmbeddedCollection
from src.database.store import (
    Document,
    DocumentEncoder,
    InsertOneOutcome,
    StoreCollection,
    delete_with_filter,
    replace_with_filter,
)


def insert_one(collection: StoreCollection, document: Document,
               encoder: DocumentEncoder | None) -> Awaitable[InsertOneOutcome]:
    """`collection.insert_one(document)`, its stored text written by `encoder` in the embedded store."""
    if encoder is not None and isinstance(collection, EmbeddedCollection):
        return collection.insert_encoded(document, encoder)
    return collection.insert_one(document)


def replace_by_id(collection: StoreCollection, id: object, replacement: Document, field: str,
                  accepted: Collection[str] | None, *,
                  encoder: DocumentEncoder | None = None) -> Awaitable[tuple[bool, Document | None]]:
    """Replace the document `id` while its `field` holds one of `accepted` (None: unconditionally); see
    `ConditionalReplace` for the answer."""
    if isinstance(collection, EmbeddedCollection):
        return collection.replace_by_id(id, replacement, field, accepted, encoder)
    return replace_with_filter(collection, id, replacement, field, accepted)


def delete_by_id(collection: StoreCollection, id: object, field: str,
                 accepted: Collection[str] | None) -> Awaitable[tuple[bool, Document | None]]:
    """Delete the document `id` while its `field` holds one of `accepted` (None: unconditionally)."""
    if isinstance(collection, EmbeddedCollection):
        return collection.delete_by_id(id, field, accepted)
    return delete_with_filter(collection, id, field, accepted)
