"""The filters SQL decides (`exact_filters`, through `compile_query`) give the answers of the Python predicate on
the same documents: random documents holding every kind of value the store keeps (arrays, nested arrays, NaN and
infinities, tagged objects, missing fields) and random filters, both answers compared, with and without an index."""

from __future__ import annotations

import math
import random
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from bson import ObjectId

from src.database.embedded import EmbeddedClient
from src.database.embedded.codec import decode, encode, id_key
from src.database.embedded.exact_filters import exact_condition
from src.database.embedded.index_keys import index_columns
from src.database.embedded.query import compile_query, python_predicate

FIELDS = ("a", "b")
# Query literals: JSON scalars SQL can compare, and values it cannot (those keep the Python predicate).
SCALARS: tuple[Any, ...] = (None, True, False, 0, 1, -1, 1.0, 1.5, -0.0, 2**53, 2**53 + 1, 2**62, 1e300, "", "a",
                            "b", "B", "é", "a\x00", "1", math.inf, -math.inf, math.nan, ObjectId("0" * 24),
                            datetime(2026, 1, 1), ObjectId("f" * 24), datetime(2026, 1, 1, 0, 0, 0, 1500),
                            datetime(2026, 1, 1, 1, tzinfo=timezone(timedelta(hours=1))), [1], {"x": 1})
STORED: tuple[Any, ...] = (*SCALARS, [], [1, "a"], [None], [True, 2], [[1]], [{"x": 1}], [math.inf], [math.nan, "b"],
                           [False, 1.5, "é"], {"$float": "inf"}, {"x": 1, "y": [1]}, [ObjectId("0" * 24)],
                           {"$oid": "0" * 24}, {"$oid": "0" * 24, "x": 1}, [datetime(2026, 1, 1), None],
                           {"$date": 1767225600000})
OPERATORS = ("literal", "$eq", "$ne", "$in", "$nin", "$gt", "$gte", "$lt", "$lte", "$exists")


def random_document(rnd: random.Random, number: int) -> dict[str, Any]:
    return {"_id": number, **{field: rnd.choice(STORED) for field in FIELDS if rnd.random() < 0.8}}


def random_condition(rnd: random.Random) -> Any:
    operator = rnd.choice(OPERATORS)
    if operator == "literal":
        return rnd.choice(SCALARS)
    if operator in ("$in", "$nin"):
        return {operator: rnd.sample(SCALARS, rnd.randint(0, 3))}
    if operator == "$exists":
        return {operator: rnd.random() < 0.5}
    conditions = {operator: rnd.choice(SCALARS)}
    if rnd.random() < 0.2:  # a range with both ends
        conditions[rnd.choice(("$gt", "$gte", "$lt", "$lte"))] = rnd.choice(SCALARS)
    return conditions


def random_filter(rnd: random.Random, depth: int = 0) -> dict[str, Any]:
    filter_: dict[str, Any] = {rnd.choice(FIELDS): random_condition(rnd) for _ in range(rnd.randint(1, 2))}
    if depth < 2 and rnd.random() < 0.25:
        filter_[rnd.choice(("$and", "$or"))] = [random_filter(rnd, depth + 1) for _ in range(rnd.randint(1, 3))]
    return filter_


def random_filters(seed: int, count: int) -> Iterator[dict[str, Any]]:
    rnd = random.Random(seed)
    for _ in range(count):
        yield random_filter(rnd)


class Stored(NamedTuple):
    connection: sqlite3.Connection
    documents: list[dict[str, Any]]  # as they read back, in natural order


@pytest.fixture(params=["no index", "indexed"])
def table(request: pytest.FixtureRequest) -> Iterator[Stored]:
    """300 random documents in a collection's table layout (`Table`), optionally with an index on each field."""
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, doc TEXT)")
    if request.param == "indexed":
        for field in FIELDS:
            connection.execute(f"CREATE INDEX {field}_1 ON t ({index_columns(field, 1)})")
    rnd = random.Random(7)
    connection.executemany("INSERT INTO t (id, doc) VALUES (?, ?)",
                           [(id_key(number), encode(random_document(rnd, number))) for number in range(300)])
    yield Stored(connection, [decode(text) for (text,) in connection.execute("SELECT doc FROM t ORDER BY seq")])
    connection.close()


def python_answer(table: Stored, filter_: dict[str, Any]) -> list[int]:
    predicate = python_predicate(filter_)
    return [document["_id"] for document in table.documents if predicate(document)]


def store_answer(table: Stored, filter_: dict[str, Any]) -> list[int]:
    query = compile_query(filter_)
    rows = table.connection.execute(f"SELECT doc FROM t{query.where} ORDER BY seq", query.params)
    return [document["_id"] for document in map(decode, (text for (text,) in rows)) if query.matches(document)]


def test_sql_and_python_agree_on_random_filters(table: Stored) -> None:
    decided_in_sql = 0
    filters = list(random_filters(seed=18, count=800))
    for filter_ in filters:
        assert store_answer(table, filter_) == python_answer(table, filter_), filter_
        decided_in_sql += compile_query(filter_).predicate is None
    # Most generated filters use only SQL-comparable literals: the comparison above must cover SQL answers.
    assert decided_in_sql > len(filters) // 3


def test_each_condition_sql_decides_matches_exactly_the_python_answer(table: Stored) -> None:
    rnd = random.Random(1)
    for _ in range(1000):
        field, condition = rnd.choice(FIELDS), random_condition(rnd)
        exact = exact_condition(field, condition)
        if exact is None:
            continue
        rows = table.connection.execute(f"SELECT doc FROM t WHERE {exact.sql} ORDER BY seq", exact.params)
        assert [decode(text)["_id"] for (text,) in rows] == python_answer(table, {field: condition}), condition


@pytest.mark.parametrize(("condition", "decided"), [
    ({"$ne": True}, True), (False, True), ({"$in": [None, 1, "x"]}, True), ({"$gte": 1, "$lt": 1.5}, True),
    ({"$exists": False}, True), ({"$gt": ObjectId("0" * 24)}, False), (ObjectId("0" * 24), True),
    ({"$nin": [datetime(2026, 1, 1), None]}, True), ({"$lt": datetime(2026, 1, 1)}, False), ([1], False),
    ({"$gt": math.nan}, False),
])
def test_conditions_sql_decides_need_no_python_predicate(condition: Any, decided: bool) -> None:
    assert (compile_query({"completed": condition}).predicate is None) is decided
    assert (compile_query({"completed.nested": condition}).predicate is None) is False, "dotted paths: Python"


async def test_find_and_count_give_the_python_answers(tmp_path: Path) -> None:
    rnd = random.Random(3)
    documents = [random_document(rnd, number) for number in range(200)]
    client = EmbeddedClient(tmp_path)
    try:
        collection = client["test"]["things"]
        await collection.insert_many(documents)
        stored = [decode(encode(document)) for document in documents]
        for filter_ in random_filters(seed=5, count=150):
            predicate = python_predicate(filter_)
            expected = [document["_id"] for document in stored if predicate(document)]
            found = await collection.find(filter_).skip(2).limit(10).to_list(None)
            assert [document["_id"] for document in found] == expected[2:12], filter_
            assert await collection.count_documents(filter_) == len(expected), filter_
            total, texts = await collection.page_json(filter_, [("_id", -1)], 1, 5)
            assert (total, [decode(text)["_id"] for text in texts]) == (len(expected), expected[::-1][1:6])
    finally:
        await client.aclose()


async def test_negations_of_booleans_and_null_are_answered_from_an_index(tmp_path: Path) -> None:
    client = EmbeddedClient(tmp_path)
    try:
        collection = client["test"]["tasks"]
        await collection.insert_many([{"completed": number % 3 == 0} for number in range(30)])
        await collection.create_index([("completed", 1)])
        for filter_ in ({"completed": {"$ne": True}}, {"completed": {"$nin": [False, None]}}, {"completed": True}):
            plan = (await collection.find(filter_).explain())["queryPlanner"]["winningPlan"]
            assert plan == {"stage": "IXSCAN", "indexNames": ["completed_1"]}, filter_
        assert await collection.count_documents({"completed": {"$ne": True}}) == 20
    finally:
        await client.aclose()
