"""The store port: the async database / collection / cursor subset that `GenericDAO` is written against.

Motor, PyMongo's `AsyncMongoClient` and the embedded store all provide it; the checks at the bottom make mypy
prove that, so a DAO never needs `Any` to reach its data. Everything here is what the three share: positional
filters, pymongo's result objects (read through the few attributes used), `to_list` on cursors.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

# A stored document: field name -> BSON value (text, numbers, ObjectId, nested documents and lists...).
Document = dict[str, object]
Filter = Mapping[str, object]
SortSpec = Sequence[tuple[str, int]]
IndexKeys = str | list[tuple[str, int]]
# A DAO's encoder of the documents it writes into the embedded store's JSON text (`GenericDAO.document_encoder`):
# exactly `codec.encode`'s text, or None for a document it does not know, which the store encodes itself.
DocumentEncoder = Callable[[Document], str | None]


class InsertOneOutcome(Protocol):
    @property
    def inserted_id(self) -> object: ...


class InsertManyOutcome(Protocol):
    @property
    def inserted_ids(self) -> list[object]: ...


class UpdateOutcome(Protocol):
    @property
    def matched_count(self) -> int: ...

    @property
    def upserted_id(self) -> object: ...


class DeleteOutcome(Protocol):
    @property
    def deleted_count(self) -> int: ...


class StoreCursor(Protocol):
    def sort(self, key_or_list: list[tuple[str, int]], /) -> StoreCursor: ...

    def skip(self, skip: int, /) -> StoreCursor: ...

    def limit(self, limit: int, /) -> StoreCursor: ...

    def to_list(self, length: int | None, /) -> Awaitable[list[Document]]: ...


class StoreCollection(Protocol):
    def find(self, filter: Filter, /) -> StoreCursor: ...

    def find_one(self, filter: Filter, /) -> Awaitable[Document | None]: ...

    def count_documents(self, filter: Filter, /) -> Awaitable[int]: ...

    def insert_one(self, document: Document, /) -> Awaitable[InsertOneOutcome]: ...

    def insert_many(self, documents: Iterable[Document], /) -> Awaitable[InsertManyOutcome]: ...

    def update_one(self, filter: Filter, update: Filter, /, *, upsert: bool = ...) -> Awaitable[UpdateOutcome]: ...

    def replace_one(self, filter: Filter, replacement: Filter, /) -> Awaitable[UpdateOutcome]: ...

    def delete_one(self, filter: Filter, /) -> Awaitable[DeleteOutcome]: ...

    def delete_many(self, filter: Filter, /) -> Awaitable[DeleteOutcome]: ...

    def create_index(self, keys: IndexKeys, /, *, unique: bool = ...) -> Awaitable[str]: ...


class JSONReads(Protocol):
    """Reads answered with the stored documents as JSON text in the embedded store's form
    (`src.database.embedded.codec`: compact, `_id` first, an ObjectId as `{"$oid": hex}`), for read paths that
    send documents on without turning them into objects. The embedded store answers them itself; for the other
    back ends `src.database.json_reads.json_reads(collection)` writes their documents in that form."""

    def find_one_json(self, id: object, /) -> Awaitable[str | None]: ...

    def page_json(self, filter: Filter, sort: SortSpec | None, skip: int, limit: int,
                  /) -> Awaitable[tuple[int, list[str]]]: ...


class ConditionalReplace(Protocol):
    """One write that replaces (or deletes) the document with this `_id` (keeping the `_id`), only while its
    `field` holds one of the strings `accepted` (None: whatever it holds), for writes conditional on an entity
    tag. The answer is `(True, None)` when it wrote, else `(False, the document as it now is)`, or `(False, None)`
    when there is none. The embedded store answers it with one statement on its primary key; for the other back
    ends `src.database.conditional_replace` runs `replace_with_filter` and `delete_with_filter`. `encoder`, when
    given, writes the stored text of the document (the embedded store's JSON)."""

    def replace_by_id(self, id: object, replacement: Document, field: str, accepted: Collection[str] | None,
                      /, encoder: DocumentEncoder | None = None) -> Awaitable[tuple[bool, Document | None]]: ...

    def delete_by_id(self, id: object, field: str, accepted: Collection[str] | None,
                     /) -> Awaitable[tuple[bool, Document | None]]: ...


class EncodedInsert(Protocol):
    """`insert_one` whose document the embedded store writes with a DAO's `encoder` (see `DocumentEncoder`);
    `src.database.conditional_replace.insert_one` gives the other back ends a plain `insert_one`."""

    def insert_encoded(self, document: Document, encoder: DocumentEncoder, /) -> Awaitable[InsertOneOutcome]: ...


class StoreDatabase(Protocol):
    @property
    def name(self) -> str: ...

    def __getitem__(self, name: str, /) -> StoreCollection: ...


def find_window(collection: StoreCollection, filter: Filter, sort: SortSpec | None, skip: int,
                limit: int) -> StoreCursor:
    """`collection.find(filter)` sorted, then `limit` documents (0: all) from `skip`, on any back end."""
    cursor = collection.find(filter)
    if sort:
        cursor = cursor.sort(list(sort))
    if skip:
        cursor = cursor.skip(skip)
    if limit:
        cursor = cursor.limit(limit)
    return cursor


async def replace_with_filter(collection: StoreCollection, id: object, replacement: Document, field: str,
                              accepted: Collection[str] | None) -> tuple[bool, Document | None]:
    """`ConditionalReplace.replace_by_id` on any back end: `replace_one` with the condition in its filter, and a
    read of the document only when a condition refused it."""
    if (await collection.replace_one(_conditional_filter(id, field, accepted), replacement)).matched_count:
        return True, None
    return False, None if accepted is None else await collection.find_one({"_id": id})


async def delete_with_filter(collection: StoreCollection, id: object, field: str,
                             accepted: Collection[str] | None) -> tuple[bool, Document | None]:
    """`ConditionalReplace.delete_by_id` on any back end: `delete_one` with the condition in its filter."""
    if (await collection.delete_one(_conditional_filter(id, field, accepted))).deleted_count:
        return True, None
    return False, None if accepted is None else await collection.find_one({"_id": id})


def _conditional_filter(id: object, field: str, accepted: Collection[str] | None) -> Filter:
    """The document `id`, while its `field` holds one of `accepted` (None: whatever it holds)."""
    return {"_id": id} if accepted is None else {"_id": id, field: {"$in": list(accepted)}}


if TYPE_CHECKING:  # mypy proves every back end fits the port; nothing runs
    from motor.motor_asyncio import AsyncIOMotorDatabase
    from pymongo.asynchronous.database import AsyncDatabase

    from src.database.embedded import EmbeddedCollection, EmbeddedDatabase

    def _motor_fits(database: AsyncIOMotorDatabase[Document]) -> StoreDatabase:
        return database

    def _pymongo_fits(database: AsyncDatabase[Document]) -> StoreDatabase:
        return database

    def _embedded_fits(database: EmbeddedDatabase) -> StoreDatabase:
        return database

    def _embedded_reads_json(collection: EmbeddedCollection) -> JSONReads:
        return collection

    def _embedded_writes_by_id(collection: EmbeddedCollection) -> ConditionalReplace:
        return collection

    def _embedded_inserts_encoded(collection: EmbeddedCollection) -> EncodedInsert:
        return collection
