"""Indexes a DAO declares (`indexes = (Index(("due_date", 1)),)`), created at start-up on either store.

`create_declared_indexes(daos)` is start-up work: it creates each DAO's indexes, idempotently (MongoDB and the
embedded store keep an existing index with the same keys and options), so every worker may run it. The embedded
store answers equality, `$in` and range filters on an indexed top-level field from the index, as MongoDB does.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from src.database.generic_dao import GenericDAO

logger = logging.getLogger("tornado_boilerplate.database")


@dataclass(frozen=True)
class Index:
    """`Index(("title", 1))`, `Index(("owner", 1), ("due_date", -1), unique=True)`: fields in key order."""

    keys: tuple[tuple[str, int], ...]
    unique: bool = False

    def __init__(self, *keys: tuple[str, int], unique: bool = False) -> None:
        if not keys:
            raise ValueError("an index needs at least one (field, direction) key")
        object.__setattr__(self, "keys", tuple(keys))
        object.__setattr__(self, "unique", unique)


async def create_declared_indexes(daos: Iterable[GenericDAO[Any]]) -> list[str]:
    """Every declared index of `daos`, created if missing; returns their names."""
    names = []
    for dao in daos:
        for index in dao.indexes:
            name = await dao.create_index(list(index.keys), unique=index.unique)
            names.append(name)
            logger.info("index %s on %s%s", name, dao.resource, " (unique)" if index.unique else "")
    return names
