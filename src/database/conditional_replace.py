"""`replace_by_id(collection, ...)`: the port's conditional replace (`src.database.store.ConditionalReplace`) on
any collection.

The embedded store answers it itself, with one statement on its primary key; MongoDB (Motor, PyMongo) and any
other back end get `replace_one` with the condition in the filter, which MongoDB also applies atomically. So a
write conditional on an entity tag costs one store call, not a read, a check and a write.
"""

from __future__ import annotations

from collections.abc import Collection

from src.database.embedded import EmbeddedCollection
from src.database.store import Document, StoreCollection, replace_with_filter


async def replace_by_id(collection: StoreCollection, id: object, replacement: Document, field: str,
                        accepted: Collection[str] | None) -> tuple[bool, Document | None]:
    """Replace the document `id` while its `field` holds one of `accepted` (None: unconditionally); see
    `ConditionalReplace` for the answer."""
    if isinstance(collection, EmbeddedCollection):
        return await collection.replace_by_id(id, replacement, field, accepted)
    return await replace_with_filter(collection, id, replacement, field, accepted)
