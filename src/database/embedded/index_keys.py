"""The SQL expressions of a field's index key, shared by `create_index` and the query compiler: SQLite uses an
expression index only when a query spells the indexed expression exactly, so both build it here.

A key is two columns: the field's JSON type (missing counts as null; real and integer are one "number" type, so
1 and 1.0 are one key) and its value. Conditions on top-level fields become SQL on those expressions that select
a superset of the matching documents (arrays are always kept: MongoDB matches their elements); the query's Python
predicate still decides each row, so the SQL only ever narrows, never changes, the answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from src.database.embedded import values
from src.database.embedded.errors import UnsupportedOperationError

_RANGES = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
_EXACT_INTEGER = 2**53
_TOP_LEVEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # needs no quoting in a JSON path


def top_level_name(field_name: str) -> bool:
    """Whether `field_name` is a plain top-level name (letters, digits, `_`), the fields SQL decides filters and
    sorts on (`exact_filters`, `sql_sort`): no dotted path, operator or character to quote."""
    return _TOP_LEVEL_NAME.fullmatch(field_name) is not None


def json_path(field_name: str) -> str:
    """`a.b` -> `$."a"."b"`, as an SQL string literal's content."""
    parts = values.split_path(field_name)
    if any('"' in part for part in parts):
        raise UnsupportedOperationError(f"the embedded store cannot index field names with quotes: {field_name!r}")
    return ("$" + "".join(f'."{part}"' for part in parts)).replace("'", "''")


def type_expression(field_name: str) -> str:
    return f"replace(ifnull(json_type(doc, '{json_path(field_name)}'), 'null'), 'real', 'integer')"


def value_expression(field_name: str) -> str:
    return f"ifnull(json_extract(doc, '{json_path(field_name)}'), 0)"


def index_columns(field_name: str, direction: int) -> str:
    """The column list of one field in `CREATE INDEX`: (type, value), both in the index's direction."""
    if isinstance(direction, bool) or direction not in (1, -1):
        raise UnsupportedOperationError(
            f"index type {direction!r} on {field_name!r} is not supported by the embedded store (use 1 or -1)")
    order = " DESC" if direction == -1 else ""
    return f"{type_expression(field_name)}{order}, {value_expression(field_name)}{order}"


@dataclass
class Narrowing:
    """SQL (with its parameters) that keeps at least every document a condition on one field matches."""

    sql: str
    params: list[Any] = field(default_factory=list)


def narrowing(field_name: str, condition: Any) -> Narrowing | None:
    """The SQL narrowing for `{field_name: condition}`, or None when it has none (the rows are scanned).

    Only top-level fields and JSON scalars: a dotted path may cross an array, and other values are stored as
    tagged objects whose order SQL does not know.
    """
    if field_name.startswith("$") or "." in field_name or '"' in field_name or field_name == "_id":
        return None
    if not _is_operator_document(condition):
        return _equality(field_name, condition)
    if "$eq" in condition:
        return _equality(field_name, condition["$eq"])
    if "$in" in condition:
        return _membership(field_name, condition["$in"])
    bounds = [(operator, bound) for operator, bound in condition.items() if operator in _RANGES]
    return _range(field_name, bounds) if bounds else None


def _equality(field_name: str, wanted: Any) -> Narrowing | None:
    kind = _scalar_kind(wanted)
    if kind is None:
        return None
    type_sql = type_expression(field_name)
    if kind in ("null", "true", "false"):
        return Narrowing(f"{type_sql} IN (?, 'array')", [kind])
    return Narrowing(f"(({type_sql} = ? AND {value_expression(field_name)} = ?) OR {type_sql} = 'array')",
                     [kind, wanted])


def _membership(field_name: str, options: Any) -> Narrowing | None:
    if not isinstance(options, list | tuple) or not options:
        return None
    parts = [_equality(field_name, option) for option in options]
    if any(part is None for part in parts):
        return None
    return Narrowing("(" + " OR ".join(part.sql for part in parts if part) + ")",
                     [param for part in parts if part for param in part.params])


def _range(field_name: str, bounds: list[tuple[str, Any]]) -> Narrowing | None:
    kinds = {_scalar_kind(bound) for _, bound in bounds}
    if len(kinds) != 1 or not kinds <= {"integer", "text"}:
        return None
    (kind,) = kinds
    type_sql, value_sql = type_expression(field_name), value_expression(field_name)
    # A text with a NUL reads as the part before it, which may equal a `$gt` bound the whole text is above.
    conditions = " AND ".join(f"{value_sql} {'>=' if operator == '$gt' and kind == 'text' else _RANGES[operator]} ?"
                              for operator, _ in bounds)
    # Infinities are stored as tagged objects: a number range keeps the object-typed rows for the predicate.
    kept = "'array', 'object'" if kind == "integer" else "'array'"
    return Narrowing(f"(({type_sql} = ? AND {conditions}) OR {type_sql} IN ({kept}))",
                     [kind, *(bound for _, bound in bounds)])


def _scalar_kind(value: Any) -> str | None:
    """The key's type column for a JSON scalar SQL compares like MongoDB does; None for anything else."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and abs(value) <= _EXACT_INTEGER:
        return "integer"
    if isinstance(value, float) and math.isfinite(value):
        return "integer"
    if isinstance(value, str):  # SQLite's JSON functions read text up to a NUL only
        return "text" if "\x00" not in value else None
    return None


def _is_operator_document(condition: Any) -> bool:
    return isinstance(condition, Mapping) and bool(condition) and all(str(name).startswith("$") for name in condition)
