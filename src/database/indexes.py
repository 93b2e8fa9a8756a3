"""Indexes a DAO declares (`indexes = (Index(("due_date", 1)),)`), created at start-up on either store.

`create_declared_indexes(daos)` creates each DAO's indexes, idempotently (MongoDB and the embedded store keep an
existing index with the same keys and options), so every worker may run it; `index_start_up` makes it a feature's
start-up work that never delays start-up. The embedded
store answers equality, `$in` and range filters on an indexed top-level field from the index, as MongoDB does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from src.model.errors import ServiceUnavailableError

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


# Start-up never waits for MongoDB: the indexes are created by a task that retries while the database is down.
_RETRY_SECONDS = 5.0
_pending: set[asyncio.Task[None]] = set()


def index_start_up(daos_of: Callable[[Any], Iterable[GenericDAO[Any]]],
                   retry_seconds: float = _RETRY_SECONDS) -> Callable[[Any], Awaitable[None]]:
    """A feature's start-up work creating its DAOs' indexes: `start_up=(index_start_up(lambda c: [TaskDAO(
    c.database)]),)`. Returns at once; the creation runs in the background, again every `retry_seconds` while
    the database is unavailable (a 503-class error), and is logged."""

    async def start(components: Any) -> None:
        daos = list(daos_of(components))
        if any(dao.indexes for dao in daos):
            task = asyncio.get_running_loop().create_task(_create_when_available(daos, retry_seconds))
            _pending.add(task)
            task.add_done_callback(_pending.discard)

    return start


async def _create_when_available(daos: list[GenericDAO[Any]], retry_seconds: float) -> None:
    while True:
        try:
            await create_declared_indexes(daos)
            return
        except ServiceUnavailableError:
            logger.warning("indexes not created yet: the database is unavailable; retrying in %.0f s",
                           retry_seconds)
        except Exception:
            logger.exception("creating the declared indexes failed")  # e.g. existing duplicates for a unique one
            return
        await asyncio.sleep(retry_seconds)
