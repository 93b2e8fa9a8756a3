"""`EmbeddedCursor`: what `find()` returns, with Motor's chainable `sort/skip/limit`, `to_list(n)` and
`async for`. Nothing runs until the first result is asked for; then one call on the store's thread fetches the
whole window (skip/limit applied there), so iterating costs no further thread hops."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from src.database.embedded import mongo_errors
from src.database.embedded.codec import Document
from src.database.embedded.query import Query
from src.database.embedded.shaping import Projection, SortSpec, normalise_sort

if TYPE_CHECKING:
    from src.database.embedded.table import Table

Runner = Callable[..., Awaitable[Any]]


class EmbeddedCursor:
    def __init__(self, table: Table, run: Runner, query: Query, projection: Projection | None) -> None:
        self._table = table
        self._run = run
        self._query = query
        self._projection = projection
        self._sort: SortSpec | None = None
        self._skip = 0
        self._limit = 0
        self._results: list[Document] | None = None
        self._position = 0

    def sort(self, key_or_list: Any, direction: Any = None) -> EmbeddedCursor:
        self._check_not_started()
        self._sort = normalise_sort(key_or_list, direction)
        return self

    def skip(self, skip: int) -> EmbeddedCursor:
        if not isinstance(skip, int) or isinstance(skip, bool):
            raise TypeError("skip must be an integer")
        if skip < 0:
            raise ValueError("skip must be >= 0")
        self._check_not_started()
        self._skip = skip
        return self

    def limit(self, limit: int) -> EmbeddedCursor:
        if not isinstance(limit, int) or isinstance(limit, bool):
            raise TypeError("limit must be an integer")
        self._check_not_started()
        self._limit = abs(limit)  # a negative limit means "one batch of that size" in MongoDB
        return self

    async def to_list(self, length: int | None = None) -> list[Document]:
        """The remaining documents, at most `length` of them (None or 0: all)."""
        if length is not None and length < 0:
            raise ValueError("length must be non-negative")
        results = await self._fetch()
        end = len(results) if not length else min(len(results), self._position + length)
        batch = results[self._position:end]
        self._position = end
        return batch

    async def next(self) -> Document:
        results = await self._fetch()
        if self._position >= len(results):
            raise StopAsyncIteration
        self._position += 1
        return results[self._position - 1]

    async def explain(self) -> dict[str, Any]:
        """How the filter is answered: `winningPlan.stage` is `IXSCAN` (with `indexNames`) or `COLLSCAN`."""
        result: dict[str, Any] = await self._run(self._table.explain, self._query)
        return result

    def __aiter__(self) -> EmbeddedCursor:
        return self

    async def __anext__(self) -> Document:
        return await self.next()

    async def _fetch(self) -> list[Document]:
        if self._results is None:
            self._results = await self._run(self._table.find, self._query, self._sort, self._skip, self._limit,
                                            self._projection)
        return self._results

    def _check_not_started(self) -> None:
        if self._results is not None:
            raise mongo_errors.InvalidOperation("cannot set options after executing query")
