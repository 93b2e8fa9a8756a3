"""What the embedded store's writes return: the attributes of pymongo's result classes, without pymongo.

`GenericDAO` reads them through the store port's outcome protocols (`src/database/store.py`); pymongo's own
classes would load the whole `pymongo` package into a server that never talks to MongoDB. Writes are always
acknowledged here, as with MongoDB's default write concern.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple


class InsertOneResult(NamedTuple):
    """Like pymongo's: the `_id` of the document inserted."""

    inserted_id: Any
    acknowledged: bool = True


class InsertManyResult(NamedTuple):
    """Like pymongo's: the `_id`s of the documents inserted, in order."""

    inserted_ids: list[Any]
    acknowledged: bool = True


class UpdateResult(NamedTuple):
    """From the server's raw answer `{"n": matched, "nModified": changed, "upserted": id?}`."""

    raw_result: Mapping[str, Any]
    acknowledged: bool = True

    @property
    def upserted_id(self) -> Any:
        return self.raw_result.get("upserted")

    @property
    def matched_count(self) -> int:
        return 0 if self.upserted_id is not None else int(self.raw_result.get("n", 0))

    @property
    def modified_count(self) -> int:
        return int(self.raw_result.get("nModified", 0))

    @property
    def did_upsert(self) -> bool:
        return "upserted" in self.raw_result


class DeleteResult(NamedTuple):
    """Like pymongo's, from the raw answer `{"n": deleted}`."""

    raw_result: Mapping[str, Any]
    acknowledged: bool = True

    @property
    def deleted_count(self) -> int:
        return int(self.raw_result.get("n", 0))
