"""Sorts SQL can run with MongoDB's order: `ORDER BY` on the stored JSON instead of sorting decoded documents.

`_id` sorts on the primary key (`codec.id_key` keeps MongoDB's order). A top-level field sorts by BSON's type rank
(missing and null first, then numbers, text, booleans) and then its value: SQLite compares integers with reals
exactly, text by its UTF-8 bytes (code-point order, as MongoDB without a collation) and false below true. That is
exact only while no row to sort holds the field as an array (sorted by its smallest or largest element), an object
(documents, ObjectIds, dates and NaN/inf are tagged objects) or text with a NUL (SQLite's JSON functions read up to
it): `SQLSort.python_rows` selects those rows, and when there are any the caller sorts in Python (`shaping`).
Ties keep the natural order (`seq`), as Python's stable sort does.
"""

from __future__ import annotations

from typing import NamedTuple

from src.database.embedded.index_keys import json_path, top_level_name, type_expression
from src.database.embedded.shaping import SortSpec


class SQLSort(NamedTuple):
    """A sort as SQL: the ORDER BY terms, and which rows would send it to Python."""

    order_by: str  # the ORDER BY terms
    python_rows: str | None = None  # SQL true for a row SQL cannot place; None: every row can be placed


NATURAL = SQLSort("seq")


def sql_sort(sort: SortSpec | None) -> SQLSort | None:
    """The ORDER BY for `sort` (natural order for none), or None when a key is a dotted path or an unusual name."""
    if not sort:
        return NATURAL
    terms: list[str] = []
    checks: list[str] = []
    for field, direction in sort:
        order = " DESC" if direction == -1 else ""
        if field == "_id":
            terms.append(f"id{order}")
            break  # `_id` is unique: later keys never decide
        if not top_level_name(field):
            return None
        type_sql, path = type_expression(field), json_path(field)
        terms.append(f"CASE {type_sql} WHEN 'null' THEN 1 WHEN 'integer' THEN 2 WHEN 'text' THEN 3 ELSE 8 END{order}")
        terms.append(f"json_extract(doc, '{path}'){order}")
        checks.append(f"{type_sql} IN ('array', 'object') OR "
                      f"({type_sql} = 'text' AND instr(doc -> '{path}', '\\u0000') > 0)")
    else:
        terms.append("seq")
    return SQLSort(", ".join(terms), " OR ".join(f"({check})" for check in checks) or None)
