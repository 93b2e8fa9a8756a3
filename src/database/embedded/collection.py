"""`EmbeddedCollection`: the subset of Motor's collection API that `GenericDAO` uses, with the same method
names and arguments, pymongo's exceptions, and results with the attributes of pymongo's (`results`).

Filters, updates, sorts and projections are validated here, on the event loop, so a mistake raises at the call
site; the SQLite and JSON work runs on the store's thread (see `Table`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from bson.objectid import ObjectId

from src.database.embedded import mongo_errors, values
from src.database.embedded.codec import Document, decode, id_key
from src.database.embedded.cursor import EmbeddedCursor
from src.database.embedded.errors import UnsupportedOperationError
from src.database.embedded.point_writes import delete_row, replace_row
from src.database.embedded.query import compile_query
from src.database.embedded.results import DeleteResult, InsertManyResult, InsertOneResult, UpdateResult
from src.database.embedded.shaping import compile_projection, normalise_sort
from src.database.embedded.table import IndexKeys, Table
from src.database.embedded.update import UpdateSpec, check_replacement, compile_update, upsert_seed
from src.database.store import DocumentEncoder, delete_with_filter, replace_with_filter

if TYPE_CHECKING:
    from src.database.embedded.client import EmbeddedDatabase


class EmbeddedCollection:
    def __init__(self, database: EmbeddedDatabase, name: str) -> None:
        self.database = database
        self.name = name
        self.full_name = f"{database.name}.{name}"
        self._table = Table(database.file, database.name, name)

    def __repr__(self) -> str:
        return f"EmbeddedCollection({self.full_name!r})"

    # ---- reads ------------------------------------------------------------------------------------------------

    def find(self, filter: Mapping[str, Any] | None = None, projection: Any = None,
             *, skip: int = 0, limit: int = 0, sort: Any = None, **options: Any) -> EmbeddedCursor:
        _no_options("find", options)
        cursor = EmbeddedCursor(self._table, self.database.run, compile_query(filter),
                                compile_projection(projection))
        if sort is not None:
            cursor.sort(sort)
        return cursor.skip(skip).limit(limit)

    async def find_one(self, filter: Any = None, projection: Any = None,
                       **options: Any) -> Document | None:
        if filter is not None and not isinstance(filter, Mapping):
            filter = {"_id": filter}
        if filter is not None and len(filter) == 1 and projection is None and not options:
            id = filter.get("_id")
            if type(id) is str or type(id) is ObjectId:  # equal to this one value only: a primary-key read
                text = await self.database.run(self._table.find_one_text, id_key(id))
                return None if text is None else decode(text)
        documents = await self.find(filter, projection, **options).limit(1).to_list(1)
        return documents[0] if documents else None

    async def find_one_json(self, id: Any) -> str | None:
        """The document with this `_id` as its stored JSON text (`codec`'s form), read on the primary key."""
        return await self.database.run(self._table.find_one_text, id_key(id))

    async def page_json(self, filter: Mapping[str, Any], sort: Any, skip: int, limit: int) -> tuple[int, list[str]]:
        """How many documents match `filter`, and the page `find(filter).sort(sort).skip(skip).limit(limit)`
        gives, as their stored JSON texts: one call on the store's thread (`limit` 0: no limit)."""
        if skip < 0 or limit < 0:
            raise ValueError("skip and limit must be >= 0")
        return await self.database.run(self._table.page_texts, compile_query(filter),
                                       normalise_sort(sort) if sort else None, skip, limit)

    async def count_documents(self, filter: Mapping[str, Any],
                              *, skip: int = 0, limit: int = 0, **options: Any) -> int:
        _no_options("count_documents", options)
        return await self.database.run(self._table.count, compile_query(filter), skip, limit)

    async def estimated_document_count(self, **options: Any) -> int:
        _no_options("estimated_document_count", options)
        return await self.database.run(self._table.estimated_count)

    # ---- writes -----------------------------------------------------------------------------------------------

    async def insert_one(self, document: dict[str, Any], **options: Any) -> InsertOneResult:
        _no_options("insert_one", options)
        _with_id(document)
        await self.database.run(self._table.insert, [document])
        return InsertOneResult(document["_id"], acknowledged=True)

    async def insert_encoded(self, document: dict[str, Any], encoder: DocumentEncoder) -> InsertOneResult:
        """`insert_one(document)`, its stored text written by `encoder` (the port's `EncodedInsert`)."""
        _with_id(document)
        await self.database.run(self._table.insert, [document], True, encoder)
        return InsertOneResult(document["_id"], acknowledged=True)

    async def insert_many(self, documents: Iterable[dict[str, Any]], ordered: bool = True,
                          **options: Any) -> InsertManyResult:
        _no_options("insert_many", options)
        batch = [_with_id(document) for document in documents]
        if not batch:
            raise TypeError("documents must be a non-empty list")
        await self.database.run(self._table.insert, batch, ordered)
        return InsertManyResult([document["_id"] for document in batch], acknowledged=True)

    async def update_one(self, filter: Mapping[str, Any], update: Mapping[str, Any],
                         upsert: bool = False, **options: Any) -> UpdateResult:
        return await self._update("update_one", filter, update, upsert, multi=False, options=options)

    async def update_many(self, filter: Mapping[str, Any], update: Mapping[str, Any],
                          upsert: bool = False, **options: Any) -> UpdateResult:
        return await self._update("update_many", filter, update, upsert, multi=True, options=options)

    async def replace_one(self, filter: Mapping[str, Any], replacement: Mapping[str, Any],
                          upsert: bool = False, **options: Any) -> UpdateResult:
        _no_options("replace_one", options)
        check_replacement(replacement)
        raw = await self.database.run(self._table.update, compile_query(filter), UpdateSpec(
            replacement=dict(replacement), multi=False, upsert=upsert, seed=upsert_seed(filter) if upsert else {}))
        return UpdateResult(raw, acknowledged=True)

    async def replace_by_id(self, id: Any, replacement: Mapping[str, Any], field: str,
                            accepted: Collection[str] | None,
                            encoder: DocumentEncoder | None = None) -> tuple[bool, Document | None]:
        """The port's `ConditionalReplace`: for a text or ObjectId `_id`, one `UPDATE` on the primary key that
        also tests the condition (`point_writes`), the stored text written by `encoder` if given; other `_id`
        types, whose stored form may differ from an equal value's (1.0 and 1), go through `replace_one`."""
        check_replacement(replacement)
        if not isinstance(id, str | ObjectId):
            return await replace_with_filter(self, id, dict(replacement), field, accepted)
        if "_id" in replacement and not values.equal(values.normalise(replacement["_id"]), id):
            raise mongo_errors.WriteError(
                "Performing an update on the path '_id' would modify the immutable field '_id'", code=66)
        document = {"_id": id, **replacement}
        replaced, text = await self.database.run(replace_row, self._table, id_key(id), document, field,
                                                 None if accepted is None else list(accepted), encoder)
        return replaced, None if text is None else decode(text)

    async def _update(self, method: str, filter_: Mapping[str, Any], update: Mapping[str, Any], upsert: bool,
                      *, multi: bool, options: dict[str, Any]) -> UpdateResult:
        _no_options(method, options)
        compiled = compile_update(update)
        raw = await self.database.run(self._table.update, compile_query(filter_), UpdateSpec(
            update=compiled, multi=multi, upsert=upsert, seed=upsert_seed(filter_) if upsert else {}))
        return UpdateResult(raw, acknowledged=True)

    async def delete_one(self, filter: Mapping[str, Any], **options: Any) -> DeleteResult:
        _no_options("delete_one", options)
        deleted = await self.database.run(self._table.delete, compile_query(filter), False)
        return DeleteResult({"n": deleted, "ok": 1.0}, acknowledged=True)

    async def delete_by_id(self, id: Any, field: str, accepted: Collection[str] | None) -> tuple[bool, Document | None]:
        """The port's `ConditionalReplace.delete_by_id`: one `DELETE` on the primary key that also tests the
        condition, for a text or ObjectId `_id` (others through `delete_one`)."""
        if not isinstance(id, str | ObjectId):
            return await delete_with_filter(self, id, field, accepted)
        deleted, text = await self.database.run(delete_row, self._table, id_key(id), field,
                                                None if accepted is None else list(accepted))
        return deleted, None if text is None else decode(text)

    async def delete_many(self, filter: Mapping[str, Any], **options: Any) -> DeleteResult:
        _no_options("delete_many", options)
        deleted = await self.database.run(self._table.delete, compile_query(filter), True)
        return DeleteResult({"n": deleted, "ok": 1.0}, acknowledged=True)

    # ---- indexes and the collection itself --------------------------------------------------------------------

    async def create_index(self, keys: Any, unique: bool = False, name: str | None = None,
                           **options: Any) -> str:
        _no_options("create_index", options)
        pairs = _index_keys(keys)
        index_name = name or "_".join(f"{field}_{direction}" for field, direction in pairs)
        return await self.database.run(self._table.create_index, pairs, bool(unique), index_name)

    async def drop(self) -> None:
        await self.database.run(self._table.drop)


def _with_id(document: dict[str, Any]) -> dict[str, Any]:
    """Give the document an `_id` if it has none, in place, as pymongo does."""
    if not isinstance(document, dict):
        raise TypeError("document must be an instance of dict")
    if "_id" not in document:
        document["_id"] = ObjectId()
    return document


def _index_keys(keys: Any) -> IndexKeys:
    if isinstance(keys, str):
        return [(keys, 1)]
    if isinstance(keys, Mapping):
        return list(keys.items())
    return [(key, 1) if isinstance(key, str) else (key[0], key[1]) for key in keys]


def _no_options(method: str, options: dict[str, Any]) -> None:
    # Options such as sessions, collation or hint would change the answer; refusing them is safer than ignoring.
    if options:
        raise UnsupportedOperationError(
            f"{method}() options {', '.join(sorted(options))} are not supported by the embedded store")
