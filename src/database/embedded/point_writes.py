"""The blocking half of `EmbeddedCollection.replace_by_id` and `delete_by_id`: a replace or a delete on the primary
key as one statement.

A replace through `Table.update` selects the row, decodes it, tests the filter in Python, applies the
replacement and encodes it again, in a transaction. A replace of one `_id`, at most conditional on one field
holding one of a few strings (an entity tag), needs none of that: the new document is encoded as it is and
SQLite tests the condition on the stored JSON, so the check and the write are one atomic statement. Only a
refused conditional write reads the row, to tell "changed" from "gone". A conditional delete is the same.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from typing import Any

from src.database.embedded.codec import Document, encode_with
from src.database.embedded.index_keys import json_path
from src.database.embedded.table import Table
from src.database.store import DocumentEncoder


def replace_row(  # noqa: PLR0917 - run on the store's thread, which passes arguments by position
        table: Table, key: str, document: Document, field: str, accepted: Collection[str] | None,
        encoder: DocumentEncoder | None = None) -> tuple[bool, str | None]:
    """Set the row `key` to `document` (its text from `encoder` if given) if its `field` holds one of `accepted`
    (None: no condition): `(True, None)` when written, else `(False, the stored text)`, `(False, None)` with no
    such row."""
    table.file.ensure_table(table.name)
    condition, params = _condition(field, accepted)
    try:
        written = table.file.connection().execute(
            f"UPDATE {table.sql_name} SET doc = ? WHERE id = ?{condition}",  # noqa: S608
            [encode_with(encoder, document), key, *params]).rowcount > 0
    except sqlite3.IntegrityError as error:
        raise table.duplicate_error(error, document) from None
    return _answer(table, key, written, accepted)


def delete_row(table: Table, key: str, field: str, accepted: Collection[str] | None) -> tuple[bool, str | None]:
    """Delete the row `key` if its `field` holds one of `accepted` (None: no condition); answers as
    `replace_row`."""
    table.file.ensure_table(table.name)
    condition, params = _condition(field, accepted)
    deleted = table.file.connection().execute(
        f"DELETE FROM {table.sql_name} WHERE id = ?{condition}", [key, *params]).rowcount > 0  # noqa: S608
    return _answer(table, key, deleted, accepted)


def _condition(field: str, accepted: Collection[str] | None) -> tuple[str, list[Any]]:
    if accepted is None:
        return "", []
    # A JSON string only: an object or a number whose JSON text equals a tag is not that tag.
    path = json_path(field)
    marks = ", ".join("?" * len(accepted))
    return f" AND json_type(doc, '{path}') = 'text' AND json_extract(doc, '{path}') IN ({marks})", list(accepted)


def _answer(table: Table, key: str, written: bool, accepted: Collection[str] | None) -> tuple[bool, str | None]:
    if written or accepted is None:
        return written, None
    row = table.file.connection().execute(f"SELECT doc FROM {table.sql_name} WHERE id = ?",  # noqa: S608
                                          (key,)).fetchone()
    return False, None if row is None else str(row[0])
