"""MongoDB's value semantics in Python: field paths, equality and the cross-type comparison order.

Python's own `==` and `<` differ from MongoDB's (True == 1, None is not orderable, objects compare unordered),
so queries and sorts go through these functions instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from bson.objectid import ObjectId

from src.database.embedded.codec import normalise_datetime
from src.database.embedded.errors import UnsupportedOperationError

# BSON comparison order of the types the store holds: null < numbers < strings < objects < arrays < ObjectId <
# booleans < dates. A sort key starts with the rank, so values of different types never compare directly.
NULL, NUMBER, STRING, OBJECT, ARRAY, OBJECT_ID, BOOLEAN, DATE = 1, 2, 3, 4, 5, 7, 8, 9
EMPTY_ARRAY_KEY: tuple[Any, ...] = (0,)  # MongoDB sorts an empty array before null


_RANKS: tuple[tuple[type | tuple[type, ...], int], ...] = (
    (type(None), NULL), (bool, BOOLEAN), ((int, float), NUMBER), (str, STRING), (Mapping, OBJECT),
    ((list, tuple), ARRAY), (ObjectId, OBJECT_ID), (datetime, DATE),
)


def rank(value: Any) -> int:
    # bool before numbers: bool is an int subclass, and MongoDB keeps them apart.
    for kinds, kind_rank in _RANKS:
        if isinstance(value, kinds):
            return kind_rank
    raise UnsupportedOperationError(f"the embedded store cannot compare values of type {type(value).__name__}")


def order_key(value: Any) -> tuple[Any, ...]:
    """A key whose Python order is MongoDB's order for the value."""
    kind = rank(value)
    if kind == NULL:
        return (NULL,)
    if kind == NUMBER:
        return (NUMBER, 0) if math.isnan(value) else (NUMBER, 1, value)  # NaN sorts below every number
    if kind == OBJECT:
        return (OBJECT, tuple((rank(item), key, order_key(item)) for key, item in value.items()))
    if kind == ARRAY:
        return (ARRAY, tuple(order_key(item) for item in value))
    if kind == OBJECT_ID:
        return (OBJECT_ID, value.binary)
    return (kind, value)


def equal(left: Any, right: Any) -> bool:
    """MongoDB equality: 1 == 1.0 but True != 1; objects are equal only with the same keys in the same order."""
    kind = rank(left)
    if kind != rank(right):
        return False
    if kind == OBJECT:
        return list(left) == list(right) and all(equal(left[key], right[key]) for key in left)
    if kind == ARRAY:
        return len(left) == len(right) and all(equal(a, b) for a, b in zip(left, right, strict=True))
    if kind == NUMBER and math.isnan(left) and math.isnan(right):
        return True
    return bool(left == right)


def resolve(node: Any, parts: tuple[str, ...]) -> Iterator[Any]:
    """Every value at a dotted path, reaching into arrays of objects the way MongoDB queries do.

    `a.b` on `{"a": [{"b": 1}, {"b": 2}]}` yields 1 and 2; a numeric part also indexes an array (`a.0`).
    Nothing is yielded when the path is missing.
    """
    if not parts:
        yield node
        return
    head, rest = parts[0], parts[1:]
    if isinstance(node, Mapping):
        if head in node:
            yield from resolve(node[head], rest)
    elif isinstance(node, list):
        if head.isdigit() and int(head) < len(node):
            yield from resolve(node[int(head)], rest)
        for item in node:
            if isinstance(item, Mapping):
                yield from resolve(item, parts)


def candidates(node: Any, parts: tuple[str, ...]) -> Iterator[Any]:
    """The values a query condition is tested against: each value at the path, and each element of an array."""
    for value in resolve(node, parts):
        yield value
        if isinstance(value, list):
            yield from value


def normalise(value: Any) -> Any:
    """A query value as the store would read it back (datetimes in milliseconds, naive UTC; tuples as lists)."""
    if isinstance(value, datetime):
        return normalise_datetime(value)
    if isinstance(value, list | tuple):
        return [normalise(item) for item in value]
    if isinstance(value, Mapping):
        return {key: normalise(item) for key, item in value.items()}
    rank(value)  # rejects types the store cannot hold with a clear error
    return value


def split_path(path: str) -> tuple[str, ...]:
    parts = tuple(path.split("."))
    if not path or any(not part for part in parts):
        raise UnsupportedOperationError(f"invalid field path {path!r}")
    return parts
