"""Sorts in SQL (`sql_sort`) give the order of the Python sort (`shaping.sort_documents`) on the same documents:
random documents and sort specifications, on scalars (sorted in SQL) and on every kind of value (the rows SQL
cannot place send the sort to Python)."""

from __future__ import annotations

import math
import random
import sqlite3
from pathlib import Path
from typing import Any

from src.database.embedded import EmbeddedClient
from src.database.embedded.codec import decode, encode, id_key
from src.database.embedded.query import python_predicate
from src.database.embedded.shaping import SortSpec, sort_documents
from src.database.embedded.sql_sort import sql_sort
from tests.unit.database.embedded.test_exact_filters import STORED, random_filter

SORTABLE: tuple[Any, ...] = (None, True, False, 0, 1, -1, 1.0, 1.5, -0.0, 2**53, 2**53 + 1, 2**62, -1e300, "", "a",
                             "b", "B", "é", "1", "ab")
FIELDS = ("a", "b", "_id")


def random_documents(rnd: random.Random, pool: tuple[Any, ...], count: int) -> list[dict[str, Any]]:
    return [{"_id": rnd.choice((number, str(number))),
             **{field: rnd.choice(pool) for field in ("a", "b") if rnd.random() < 0.8}} for number in range(count)]


def random_sort(rnd: random.Random) -> SortSpec:
    return [(field, rnd.choice((1, -1))) for field in rnd.sample(FIELDS, rnd.randint(1, 3))]


def python_order(documents: list[dict[str, Any]], sort: SortSpec) -> list[Any]:
    ordered = [decode(encode(document)) for document in documents]
    sort_documents(ordered, sort)
    return [document["_id"] for document in ordered]


def test_sql_orders_scalars_as_the_python_sort_does() -> None:
    rnd = random.Random(11)
    for _ in range(60):
        documents = random_documents(rnd, SORTABLE, 80)
        connection = sqlite3.connect(":memory:")
        connection.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, doc TEXT)")
        connection.executemany("INSERT OR IGNORE INTO t (id, doc) VALUES (?, ?)",
                               [(id_key(document["_id"]), encode(document)) for document in documents])
        stored = [decode(text) for (text,) in connection.execute("SELECT doc FROM t ORDER BY seq")]
        for _ in range(10):
            sort = random_sort(rnd)
            order = sql_sort(sort)
            assert order is not None
            if order.python_rows is not None:
                assert connection.execute(f"SELECT 1 FROM t WHERE {order.python_rows}").fetchone() is None
            rows = connection.execute(f"SELECT doc FROM t ORDER BY {order.order_by}")
            assert [decode(text)["_id"] for (text,) in rows] == python_order(stored, sort), sort
        connection.close()


def test_rows_sql_cannot_place_are_found() -> None:
    order = sql_sort([("a", 1)])
    assert order is not None and order.python_rows is not None
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, doc TEXT)")
    for value in ([1], {"x": 1}, math.nan, math.inf, "a\x00b"):
        connection.execute("DELETE FROM t")
        connection.executemany("INSERT INTO t (id, doc) VALUES (?, ?)",
                               [(id_key(1), encode({"_id": 1, "a": 2})), (id_key(2), encode({"_id": 2, "a": value}))])
        assert connection.execute(f"SELECT 1 FROM t WHERE {order.python_rows}").fetchone() == (1,), value
    assert sql_sort([("a.b", 1)]) is None, "dotted paths sort in Python"


async def test_find_and_page_sort_like_the_python_sort(tmp_path: Path) -> None:
    rnd = random.Random(12)
    client = EmbeddedClient(tmp_path)
    try:
        for round_, pool in enumerate((SORTABLE, SORTABLE, STORED)):
            collection = client["test"][f"things{round_}"]
            documents = {id_key(document["_id"]): document for document in random_documents(rnd, pool, 150)}
            await collection.insert_many(list(documents.values()))
            for _ in range(40):
                filter_, sort = random_filter(rnd), random_sort(rnd)
                predicate = python_predicate(filter_)
                expected = [id_ for id_ in python_order(list(documents.values()), sort)
                            if predicate(decode(encode(documents[id_key(id_)])))]
                found = await collection.find(filter_).sort(sort).skip(3).limit(20).to_list(None)
                assert [document["_id"] for document in found] == expected[3:23], (filter_, sort)
                total, texts = await collection.page_json(filter_, sort, 1, 7)
                assert (total, [decode(text)["_id"] for text in texts]) == (len(expected), expected[1:8])
    finally:
        await client.aclose()
