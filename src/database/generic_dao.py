"""`GenericDAO`: the parent of every data access object, written once against the async collection API that
Motor and the embedded store share.

A DAO names its collection (`collection()`) and, optionally, how documents become model objects
(`from_document` / `to_document`; by default documents stay plain dicts). The methods take ids as text (what
URLs carry): a 24-hex-digit text is an ObjectId, anything else is used as is (`id_from_text`). Driver errors
become typed errors (409, 503) and a missing document a `NotFoundError` (404).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar, cast

from bson import ObjectId

from src.database.driver_errors import translated_driver_errors
from src.database.mongo import Mongo
from src.model.errors import NotFoundError

ModelT = TypeVar("ModelT")
Document = dict[str, Any]
Filter = Mapping[str, Any]
SortSpec = Sequence[tuple[str, int]]


class GenericDAO(ABC, Generic[ModelT]):
    """CRUD on one collection. `database` defaults to the process's `Mongo.get()`."""

    #: The noun used in error messages ("task 66fd... not found").
    resource = "document"

    def __init__(self, database: Any = None) -> None:
        self._database = database

    @property
    def database(self) -> Any:
        return self._database if self._database is not None else Mongo.get()

    @abstractmethod
    def collection(self) -> Any:
        """The collection this DAO reads and writes, e.g. `self.database["tasks"]`."""

    # ---- mapping between documents and models (override for model objects) --------------------------------------

    def from_document(self, document: Document) -> ModelT:
        return cast(ModelT, document)

    def to_document(self, model: ModelT) -> Document:
        return dict(cast(Mapping[str, Any], model))

    @staticmethod
    def id_from_text(text: str) -> Any:
        return ObjectId(text) if ObjectId.is_valid(text) else text

    @staticmethod
    def id_to_text(value: Any) -> str:
        return str(value)

    # ---- reads ----------------------------------------------------------------------------------------------------

    async def get(self, id_text: str) -> ModelT:
        """The document with this id; `NotFoundError` when there is none."""
        with translated_driver_errors(self.resource):
            document = await self.collection().find_one({"_id": self.id_from_text(id_text)})
        if document is None:
            raise self._not_found(id_text)
        return self.from_document(document)

    async def find_one(self, filter_: Filter) -> ModelT | None:
        with translated_driver_errors(self.resource):
            document = await self.collection().find_one(dict(filter_))
        return None if document is None else self.from_document(document)

    async def find(self, filter_: Filter | None = None, sort: SortSpec | None = None, skip: int = 0,
                   limit: int = 0) -> list[ModelT]:
        """Matching documents; `limit` 0 means all of them (mind the size of the collection)."""
        cursor = self.collection().find(dict(filter_ or {}))
        if sort:
            cursor = cursor.sort(list(sort))
        if skip:
            cursor = cursor.skip(skip)
        if limit:
            cursor = cursor.limit(limit)
        with translated_driver_errors(self.resource):
            documents = await cursor.to_list(limit or None)
        return [self.from_document(document) for document in documents]

    async def count(self, filter_: Filter | None = None) -> int:
        with translated_driver_errors(self.resource):
            return int(await self.collection().count_documents(dict(filter_ or {})))

    # ---- writes ---------------------------------------------------------------------------------------------------

    async def insert(self, model: ModelT) -> str:
        """Store a new document; returns its id as text. `ConflictError` on a duplicate key."""
        document = self.to_document(model)
        with translated_driver_errors(self.resource):
            result = await self.collection().insert_one(document)
        return self.id_to_text(result.inserted_id)

    async def insert_many(self, models: Sequence[ModelT]) -> list[str]:
        documents = [self.to_document(model) for model in models]
        if not documents:
            return []
        with translated_driver_errors(self.resource):
            result = await self.collection().insert_many(documents)
        return [self.id_to_text(value) for value in result.inserted_ids]

    async def update(self, id_text: str, changes: Mapping[str, Any], unset: Sequence[str] = ()) -> None:
        """Partial update: set the fields in `changes`, remove those in `unset`. `NotFoundError` if no such id."""
        operations: Document = {}
        if changes:
            operations["$set"] = dict(changes)
        if unset:
            operations["$unset"] = dict.fromkeys(unset, "")
        if not operations:
            await self.get(id_text)  # nothing to change, but a missing id is still a 404
            return
        with translated_driver_errors(self.resource):
            result = await self.collection().update_one({"_id": self.id_from_text(id_text)}, operations)
        if result.matched_count == 0:
            raise self._not_found(id_text)

    async def replace(self, id_text: str, model: ModelT) -> None:
        """Replace the whole document, keeping its id. `NotFoundError` if no such id."""
        document = self.to_document(model)
        document.pop("_id", None)
        with translated_driver_errors(self.resource):
            result = await self.collection().replace_one({"_id": self.id_from_text(id_text)}, document)
        if result.matched_count == 0:
            raise self._not_found(id_text)

    async def delete(self, id_text: str) -> None:
        with translated_driver_errors(self.resource):
            result = await self.collection().delete_one({"_id": self.id_from_text(id_text)})
        if result.deleted_count == 0:
            raise self._not_found(id_text)

    async def delete_many(self, filter_: Filter) -> int:
        with translated_driver_errors(self.resource):
            result = await self.collection().delete_many(dict(filter_))
        return int(result.deleted_count)

    async def create_index(self, keys: str | SortSpec, unique: bool = False) -> str:
        with translated_driver_errors(self.resource):
            return str(await self.collection().create_index(keys if isinstance(keys, str) else list(keys),
                                                            unique=unique))

    def _not_found(self, id_text: str) -> NotFoundError:
        shown = id_text if len(id_text) <= 64 else id_text[:64] + "..."
        return NotFoundError(f"{self.resource} {shown} not found")
