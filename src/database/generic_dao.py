"""`GenericDAO`: the parent of every data access object, written once against the store port
(`src.database.store`): the async collection API Motor, PyMongo and the embedded store share.

A DAO names its collection (`collection()`) and, optionally, how documents become model objects
(`from_document` / `to_document`; by default documents stay plain dicts). The methods take ids as text (what
URLs carry): a 24-hex-digit text is an ObjectId, anything else is used as is (`id_from_text`). Driver errors
become typed errors (409, 503) and a missing document a `NotFoundError` (404).

Every write stores a new revision (`src.database.revisions`), read back as the entity tag by `get_versioned`.
`replace`, `modify` and `delete` take `if_match` (the tags a client sent; None for no condition) and then write
only if the document is still in one of those states, atomically: a `PreconditionFailedError` (412) otherwise.
"""

from __future__ import annotations

import asyncio
import random
import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from typing import ClassVar, Generic, TypeVar, cast

from bson.objectid import ObjectId

from src.database.conditional_replace import delete_by_id, insert_one, replace_by_id
from src.database.driver_errors import translated_driver_errors
from src.database.indexes import Index
from src.database.json_reads import json_reads
from src.database.mongo import Mongo
from src.database.revisions import REVISION_FIELD, check_if_match, new_revision, revision_of, unchanged_filter
from src.database.store import (
    Document,
    DocumentEncoder,
    Filter,
    IndexKeys,
    SortSpec,
    StoreCollection,
    StoreDatabase,
    find_window,
)
from src.model.errors import ConflictError, NotFoundError
from src.model.versioned import Versioned

ModelT = TypeVar("ModelT")
_OBJECT_ID_TEXT = re.compile(r"[0-9a-fA-F]{24}")
# A read-check-write lost to other writers this many times in a row is refused (409), not retried forever;
# between attempts a random pause, growing with each loss, spreads the contenders out.
_MAX_WRITE_ATTEMPTS = 32
_RETRY_PAUSE_SECONDS = 0.002


class GenericDAO(ABC, Generic[ModelT]):
    """CRUD on one collection. `database` defaults to the process's `Mongo.get()`."""

    #: The noun used in error messages ("task 66fd... not found").
    resource = "document"
    #: The indexes the DAO's queries use, created at start-up (`create_declared_indexes`); `_id` always has one.
    indexes: ClassVar[Sequence[Index]] = ()

    def __init__(self, database: StoreDatabase | None = None) -> None:
        self._database = database

    @property
    def database(self) -> StoreDatabase:
        return self._database if self._database is not None else Mongo.get()

    @abstractmethod
    def collection(self) -> StoreCollection:
        """The collection this DAO reads and writes, e.g. `self.database["tasks"]`."""

    # ---- mapping between documents and models (override for model objects) --------------------------------------

    def from_document(self, document: Document) -> ModelT:
        return cast(ModelT, {name: value for name, value in document.items() if name != REVISION_FIELD})

    def to_document(self, model: ModelT) -> Document:
        return dict(cast(Mapping[str, object], model))

    def document_encoder(self) -> DocumentEncoder | None:
        """How the embedded store (which keeps documents as JSON text) writes the documents this DAO stores, for a
        DAO that knows its documents' shape (see `DocumentEncoder`); None: the store's general encoder."""
        return None

    @staticmethod
    def id_from_text(text: str) -> ObjectId | str:
        # One check of the text, not `ObjectId.is_valid`, which builds the ObjectId to throw it away.
        return ObjectId(text) if _OBJECT_ID_TEXT.fullmatch(text) else text

    @staticmethod
    def id_to_text(value: object) -> str:
        return str(value)

    # ---- reads ----------------------------------------------------------------------------------------------------

    async def get(self, id_text: str) -> ModelT:
        """The document with this id; `NotFoundError` when there is none."""
        return self.from_document(await self._stored(id_text))

    async def get_versioned(self, id_text: str) -> Versioned[ModelT]:
        """The document with this id and its entity tag; `NotFoundError` when there is none."""
        document = await self._stored(id_text)
        return Versioned(self.from_document(document), revision_of(document))

    async def find_one(self, filter_: Filter) -> ModelT | None:
        with translated_driver_errors(self.resource, "find_one"):
            document = await self.collection().find_one(dict(filter_))
        return None if document is None else self.from_document(document)

    async def find(self, filter_: Filter | None = None, sort: SortSpec | None = None, skip: int = 0,
                   limit: int = 0) -> list[ModelT]:
        """Matching documents; `limit` 0 means all of them (mind the size of the collection)."""
        cursor = find_window(self.collection(), dict(filter_ or {}), sort, skip, limit)
        with translated_driver_errors(self.resource, "find"):
            return [self.from_document(document) for document in await cursor.to_list(limit or None)]

    async def find_json(self, id_text: str) -> str:
        """The stored document with this id as JSON text (`JSONReads`), for reads that answer without model
        objects; `NotFoundError` when there is none."""
        with translated_driver_errors(self.resource, "find_one"):
            text = await json_reads(self.collection()).find_one_json(self.id_from_text(id_text))
        if text is None:
            raise self._not_found(id_text)
        return text

    async def page_json(self, sort: SortSpec, skip: int, limit: int,
                        filter_: Filter | None = None) -> tuple[int, list[str]]:
        """How many documents match, and a page of them as JSON texts (`JSONReads`), in one read."""
        with translated_driver_errors(self.resource, "find"):
            return await json_reads(self.collection()).page_json(dict(filter_ or {}), sort, skip, limit)

    async def count(self, filter_: Filter | None = None) -> int:
        with translated_driver_errors(self.resource, "count_documents"):
            return int(await self.collection().count_documents(dict(filter_ or {})))

    # ---- writes ---------------------------------------------------------------------------------------------------

    async def insert(self, model: ModelT) -> str:
        """Store a new document; returns its id as text. `ConflictError` on a duplicate key."""
        document = self._with_new_revision(model)
        with translated_driver_errors(self.resource, "insert_one"):
            result = await insert_one(self.collection(), document, self.document_encoder())
        return self.id_to_text(result.inserted_id)

    async def insert_many(self, models: Sequence[ModelT]) -> list[str]:
        documents = [self._with_new_revision(model) for model in models]
        if not documents:
            return []
        with translated_driver_errors(self.resource, "insert_many"):
            result = await self.collection().insert_many(documents)
        return [self.id_to_text(value) for value in result.inserted_ids]

    async def update(self, id_text: str, changes: Mapping[str, object], unset: Sequence[str] = ()) -> None:
        """Partial update: set the fields in `changes`, remove those in `unset`. `NotFoundError` if no such id."""
        if not changes and not unset:
            await self.get(id_text)  # nothing to change, but a missing id is still a 404
            return
        operations: Document = {"$set": {**changes, REVISION_FIELD: new_revision()}}
        if unset:
            operations["$unset"] = dict.fromkeys(unset, "")
        with translated_driver_errors(self.resource, "update_one"):
            result = await self.collection().update_one({"_id": self.id_from_text(id_text)}, operations)
        if result.matched_count == 0:
            raise self._not_found(id_text)

    async def replace(self, id_text: str, model: ModelT, if_match: Collection[str] | None = None) -> str:
        """Replace the whole document, keeping its id; returns the new entity tag. `NotFoundError` if no such
        id; `PreconditionFailedError` if `if_match` is given and holds none of the document's current tags.
        One store call (`replace_by_id`) checks the tag and writes."""
        document = self._with_new_revision(model)
        document.pop("_id", None)
        with translated_driver_errors(self.resource, "replace_one"):
            replaced, current = await replace_by_id(self.collection(), self.id_from_text(id_text), document,
                                                    REVISION_FIELD, if_match,
                                                    encoder=self.document_encoder())
        if not replaced:
            if current is None:
                raise self._not_found(id_text)
            # Refused: a 412, unless the document has no stored revision yet and `if_match` holds its content tag.
            check_if_match(current, if_match, f"{self.resource} {self._shown(id_text)}")
            await self._write_unchanged(id_text, if_match, lambda current: self._replace_if(current, document))
        return cast(str, document[REVISION_FIELD])

    async def modify(self, id_text: str, change: Callable[[ModelT], ModelT],
                     if_match: Collection[str] | None = None) -> Versioned[ModelT]:
        """Read-modify-write without lost updates: `change` gets the stored model and returns the new one, which
        is written only if nobody wrote in between (else it is re-read and `change` runs again). With `if_match`,
        a document in another state is a `PreconditionFailedError` instead. Returns the result and its tag."""
        written: list[Versioned[ModelT]] = []

        async def apply(current: Document) -> bool:
            document = self._with_new_revision(change(self.from_document(current)))
            document.pop("_id", None)
            if not await self._replace_if(current, document):
                return False
            written.append(Versioned(self.from_document({**document, "_id": current["_id"]}),
                                     cast(str, document[REVISION_FIELD])))
            return True

        await self._write_unchanged(id_text, if_match, apply)
        return written[0]

    async def delete(self, id_text: str, if_match: Collection[str] | None = None) -> None:
        """Delete the document; `NotFoundError` if no such id, `PreconditionFailedError` as for `replace`. One
        store call (`delete_by_id`) checks the tag and deletes."""
        with translated_driver_errors(self.resource, "delete_one"):
            deleted, current = await delete_by_id(self.collection(), self.id_from_text(id_text), REVISION_FIELD,
                                                  if_match)
        if not deleted:
            if current is None:
                raise self._not_found(id_text)
            check_if_match(current, if_match, f"{self.resource} {self._shown(id_text)}")
            await self._write_unchanged(id_text, if_match, self._delete_if)

    async def delete_many(self, filter_: Filter) -> int:
        with translated_driver_errors(self.resource, "delete_many"):
            result = await self.collection().delete_many(dict(filter_))
        return int(result.deleted_count)

    async def create_index(self, keys: IndexKeys | SortSpec, unique: bool = False) -> str:
        with translated_driver_errors(self.resource, "create_index"):
            return str(await self.collection().create_index(keys if isinstance(keys, str) else list(keys),
                                                            unique=unique))

    # ---- revisions ------------------------------------------------------------------------------------------------

    async def _stored(self, id_text: str) -> Document:
        with translated_driver_errors(self.resource, "find_one"):
            document = await self.collection().find_one({"_id": self.id_from_text(id_text)})
        if document is None:
            raise self._not_found(id_text)
        return document

    def _with_new_revision(self, model: ModelT) -> Document:
        document = self.to_document(model)
        document[REVISION_FIELD] = new_revision()
        return document

    async def _write_unchanged(self, id_text: str, if_match: Collection[str] | None,
                               write: Callable[[Document], Awaitable[bool]]) -> None:
        """Read the document, check `if_match`, and `write` it conditionally on the revision just read; when
        another writer came first, read again: the check then fails (412) or, with no condition, runs again."""
        for attempt in range(_MAX_WRITE_ATTEMPTS):
            current = await self._stored(id_text)
            check_if_match(current, if_match, f"{self.resource} {self._shown(id_text)}")
            if await write(current):
                return
            await asyncio.sleep(random.uniform(0, _RETRY_PAUSE_SECONDS * (attempt + 1)))  # noqa: S311 - jitter
        raise ConflictError(f"{self.resource} {self._shown(id_text)} is being changed by other requests; "
                            "try again")

    async def _replace_if(self, current: Document, replacement: Document) -> bool:
        stored = current.get(REVISION_FIELD)
        with translated_driver_errors(self.resource, "replace_one"):
            if isinstance(stored, str):
                replaced, _ = await replace_by_id(self.collection(), current["_id"], replacement, REVISION_FIELD,
                                                  (stored,), encoder=self.document_encoder())
                return replaced
            result = await self.collection().replace_one(unchanged_filter(current), replacement)
        return bool(result.matched_count)

    async def _delete_if(self, current: Document) -> bool:
        with translated_driver_errors(self.resource, "delete_one"):
            result = await self.collection().delete_one(unchanged_filter(current))
        return bool(result.deleted_count)

    @staticmethod
    def _shown(id_text: str) -> str:
        return id_text if len(id_text) <= 64 else id_text[:64] + "..."

    def _not_found(self, id_text: str) -> NotFoundError:
        return NotFoundError(f"{self.resource} {self._shown(id_text)} not found")
