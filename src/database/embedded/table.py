"""The blocking work of one collection: SQL on its table plus the Python side of queries and updates.

Every method runs on the client's executor thread (through `SQLiteFile.call`), never on the event loop. A
collection is a table `(seq INTEGER PRIMARY KEY, id TEXT UNIQUE, doc TEXT)`: `seq` gives the natural (insertion)
order, `id` is the sortable key of `_id` (see `codec.id_key`), `doc` the document as JSON. Unique indexes are
SQLite expression indexes over the JSON, so every process sharing the file enforces them.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Mapping
from typing import Any

from bson.objectid import ObjectId

from src.database.embedded import mongo_errors, values
from src.database.embedded.codec import Document, decode, encode, encode_with, id_key
from src.database.embedded.index_keys import index_columns
from src.database.embedded.query import Query
from src.database.embedded.shaping import Projection, SortSpec, sort_documents
from src.database.embedded.sql_sort import NATURAL, SQLSort, sql_sort
from src.database.embedded.sqlite_file import SQLiteFile, quote
from src.database.embedded.update import UpdateSpec
from src.database.store import DocumentEncoder

IndexKeys = list[tuple[str, int]]
_INDEX_IN_MESSAGE = re.compile(r"index '[^']*:([^':]*)'")
_PLAN_INDEX = re.compile(r"USING (?:COVERING )?INDEX (\S+)")
_INDEX_PATH = re.compile(r"json_type\(doc, '\$((?:\.\"[^\"]*\")+)'\)")


class Table:
    def __init__(self, file: SQLiteFile, database: str, collection: str) -> None:
        self.file = file
        self.namespace = f"{database}.{collection}"
        self.name = f"col:{collection}"
        self.sql_name = quote(self.name)

    # ---- reads ------------------------------------------------------------------------------------------------

    def find(self, query: Query, sort: SortSpec | None, skip: int, limit: int,
             projection: Projection | None) -> list[Document]:
        """Matching documents in sort (or natural) order; `limit` 0 means no limit."""
        self.file.ensure_table(self.name)
        connection = self.file.connection()
        documents = self._find(connection, query, self._sql_order(connection, query, sort), sort,
                               skip=skip, limit=limit)
        if projection is not None:
            documents = [projection.apply(document) for document in documents]
        return documents

    def _find(self, connection: sqlite3.Connection, query: Query, order: SQLSort | None, sort: SortSpec | None,
              *, skip: int, limit: int) -> list[Document]:
        sql = f"SELECT doc FROM {self.sql_name}{query.where} ORDER BY {(order or NATURAL).order_by}"  # noqa: S608
        if query.predicate is None and order is not None:
            rows = connection.execute(sql + " LIMIT ? OFFSET ?", [*query.params, limit or -1, skip])
            return [decode(text) for (text,) in rows]
        if order is not None:
            return list(_window(self._matching(connection, sql, query), skip, limit))
        documents = list(self._matching(connection, sql, query))
        sort_documents(documents, sort or [])
        return documents[skip: skip + limit if limit else None]

    def _sql_order(self, connection: sqlite3.Connection, query: Query, sort: SortSpec | None) -> SQLSort | None:
        """How SQL orders the rows `query` selects in `sort`'s order, or None when Python has to sort them."""
        order = sql_sort(sort)
        if order is None or order.python_rows is None:
            return order
        where = f"{query.where} AND ({order.python_rows})" if query.sql else f" WHERE {order.python_rows}"
        found = connection.execute(f"SELECT 1 FROM {self.sql_name}{where} LIMIT 1",  # noqa: S608
                                   query.params).fetchone()
        return None if found else order

    def find_one_text(self, key: str) -> str | None:
        """The stored JSON text of the document whose primary key (`codec.id_key` of its `_id`) is `key`."""
        self.file.ensure_table(self.name)
        row = self.file.connection().execute(f"SELECT doc FROM {self.sql_name} WHERE id = ?",  # noqa: S608
                                             (key,)).fetchone()
        return None if row is None else str(row[0])

    def page_texts(self, query: Query, sort: SortSpec | None, skip: int, limit: int) -> tuple[int, list[str]]:
        """How many documents match, and the window `find` gives as their stored JSON texts: one call, so a
        page and its total cost one thread hop, and the texts are not decoded where SQL alone selects them."""
        total = self.count(query, 0, 0)
        if skip >= total:
            return total, []
        connection = self.file.connection()
        order = self._sql_order(connection, query, sort)
        if query.predicate is not None or order is None:
            return total, [encode(document) for document in self._find(connection, query, order, sort,
                                                                      skip=skip, limit=limit)]
        sql = f"SELECT doc FROM {self.sql_name}{query.where} ORDER BY {order.order_by} LIMIT ? OFFSET ?"  # noqa: S608
        rows = connection.execute(sql, [*query.params, limit or -1, skip])
        return total, [text for (text,) in rows]

    def count(self, query: Query, skip: int, limit: int) -> int:
        self.file.ensure_table(self.name)
        connection = self.file.connection()
        if query.predicate is None and not skip and not limit:
            # A plain count is answered from the smallest index; the windowed form below steps through every row.
            (count,) = connection.execute(f"SELECT count(*) FROM {self.sql_name}{query.where}",  # noqa: S608
                                          query.params).fetchone()
            return int(count)
        if query.predicate is None:
            inner = f"SELECT 1 FROM {self.sql_name}{query.where} LIMIT ? OFFSET ?"  # noqa: S608
            (count,) = connection.execute(f"SELECT count(*) FROM ({inner})",  # noqa: S608
                                          [*query.params, limit or -1, skip]).fetchone()
            return int(count)
        sql = f"SELECT doc FROM {self.sql_name}{query.where}"  # noqa: S608
        return sum(1 for _ in _window(self._matching(connection, sql, query), skip, limit))

    def explain(self, query: Query) -> dict[str, Any]:
        """MongoDB's `explain()` outline from SQLite's query plan: `COLLSCAN` when the rows are scanned, else
        `IXSCAN` naming the indexes used (`_id_` for the primary key); SQLite's plan lines as `sqlitePlan`."""
        self.file.ensure_table(self.name)
        plan = [str(row[3]) for row in self.file.connection().execute(
            f"EXPLAIN QUERY PLAN SELECT doc FROM {self.sql_name}{query.where}", query.params)]  # noqa: S608
        prefix = f"{self.name}:"
        used = sorted({"_id_" if name.startswith("sqlite_autoindex_") else name.removeprefix(prefix)
                       for line in plan for name in _PLAN_INDEX.findall(line)})
        # json_each scans one document's array (an element-wise match), not the collection.
        scanned = any(line.startswith("SCAN ") and not line.startswith("SCAN json_each") for line in plan)
        winning = {"stage": "COLLSCAN"} if scanned or not used else {"stage": "IXSCAN", "indexNames": used}
        return {"queryPlanner": {"namespace": self.namespace, "winningPlan": winning, "sqlitePlan": plan}}

    def estimated_count(self) -> int:
        self.file.ensure_table(self.name)
        (count,) = self.file.connection().execute(f"SELECT count(*) FROM {self.sql_name}").fetchone()  # noqa: S608
        return int(count)

    def _matching(self, connection: sqlite3.Connection, sql: str, query: Query) -> Iterator[Document]:
        for (text,) in connection.execute(sql, query.params):
            document = decode(text)
            if query.matches(document):
                yield document

    def _matching_rows(self, connection: sqlite3.Connection, query: Query,
                       first_only: bool) -> list[tuple[int, str, Document]]:
        sql = f"SELECT seq, doc FROM {self.sql_name}{query.where} ORDER BY seq"  # noqa: S608
        found = []
        for seq, text in connection.execute(sql, query.params):
            document = decode(text)
            if query.matches(document):
                found.append((seq, text, document))
                if first_only:
                    break
        return found

    # ---- writes -----------------------------------------------------------------------------------------------

    def insert(self, documents: list[Document], ordered: bool = True, encoder: DocumentEncoder | None = None) -> None:
        """Insert documents that already carry their `_id` (their texts from `encoder` if given); ordered inserts
        stop at the first error and keep the documents before it, as MongoDB does."""
        self.file.ensure_table(self.name)
        # MongoDB stores _id as the first field.
        rows = [(id_key(document["_id"]), encode_with(encoder, {"_id": document["_id"], **document}))
                for document in documents]
        sql = f"INSERT INTO {self.sql_name} (id, doc) VALUES (?, ?)"  # noqa: S608
        if len(rows) == 1:
            try:
                self.file.connection().execute(sql, rows[0])
            except sqlite3.IntegrityError as error:
                raise self.duplicate_error(error, documents[0]) from None
            return
        errors: list[dict[str, Any]] = []
        with self.file.transaction() as connection:
            for index, row in enumerate(rows):
                try:
                    connection.execute(sql, row)
                except sqlite3.IntegrityError as error:
                    duplicate = self.duplicate_error(error, documents[index])
                    errors.append({**(duplicate.details or {}), "index": index, "op": documents[index]})
                    if ordered:
                        break
        if errors:
            raise mongo_errors.BulkWriteError(
                {"writeErrors": errors, "writeConcernErrors": [],
                 "nInserted": len(rows) - len(errors) if not ordered else errors[0]["index"],
                 "nUpserted": 0, "nMatched": 0, "nModified": 0, "nRemoved": 0, "upserted": []})

    def update(self, query: Query, spec: UpdateSpec) -> dict[str, Any]:
        """`spec` applied to the first (or every) match in one transaction; returns MongoDB's raw result
        (`n`, `nModified`, `upserted`)."""
        self.file.ensure_table(self.name)
        with self.file.transaction() as connection:
            matches = self._matching_rows(connection, query, first_only=not spec.multi)
            modified = 0
            for seq, text, original in matches:
                original_id = original.get("_id")
                document = spec.applied(original)
                if "_id" not in document or not values.equal(document["_id"], original_id):
                    raise mongo_errors.WriteError(
                        "Performing an update on the path '_id' would modify the immutable field "
                        "'_id'", code=66)
                new_text = encode(document)
                if new_text != text:
                    self._execute_write(connection, f"UPDATE {self.sql_name} SET doc = ? WHERE seq = ?",  # noqa: S608
                                        [new_text, seq], document)
                    modified += 1
            if matches or not spec.upsert:
                return {"n": len(matches), "nModified": modified, "ok": 1.0, "updatedExisting": bool(matches)}
            document = spec.applied(spec.seed, inserting=True)
            new_id = document.pop("_id", None)
            if new_id is None:
                new_id = ObjectId()
            document = {"_id": new_id, **document}
            self._execute_write(connection, f"INSERT INTO {self.sql_name} (id, doc) VALUES (?, ?)",  # noqa: S608
                                [id_key(new_id), encode(document)], document)
            return {"n": 1, "nModified": 0, "upserted": new_id, "ok": 1.0, "updatedExisting": False}

    def delete(self, query: Query, multi: bool) -> int:
        self.file.ensure_table(self.name)
        if query.predicate is None:
            where = query.where
            if not multi:
                where = f" WHERE seq IN (SELECT seq FROM {self.sql_name}{query.where} ORDER BY seq LIMIT 1)"  # noqa: S608
            cursor = self.file.connection().execute(f"DELETE FROM {self.sql_name}{where}",  # noqa: S608
                                                    query.params)
            return int(cursor.rowcount)
        with self.file.transaction() as connection:
            matches = self._matching_rows(connection, query, first_only=not multi)
            connection.executemany(f"DELETE FROM {self.sql_name} WHERE seq = ?",  # noqa: S608
                                   [(seq,) for seq, _, _ in matches])
            return len(matches)

    def _execute_write(self, connection: sqlite3.Connection, sql: str, params: list[Any],
                       document: Document) -> None:
        try:
            connection.execute(sql, params)
        except sqlite3.IntegrityError as error:
            raise self.duplicate_error(error, document) from None

    # ---- indexes ----------------------------------------------------------------------------------------------

    def create_index(self, keys: IndexKeys, unique: bool, name: str) -> str:
        """An SQLite expression index over the JSON; a unique one rejects duplicates like MongoDB's, where a
        missing field counts as null and 1 equals 1.0."""
        if keys in ([("_id", 1)], [("_id", -1)]):
            return "_id_"  # the primary key already is the unique _id index
        self.file.ensure_table(self.name)
        columns = ", ".join(index_columns(field, direction) for field, direction in keys)
        index = quote(f"{self.name}:{name}")
        sql = f"CREATE {'UNIQUE ' if unique else ''}INDEX {index} ON {self.sql_name} ({columns})"
        connection = self.file.connection()
        existing = connection.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
                                      [f"{self.name}:{name}"]).fetchone()
        if existing is not None:
            if existing[0] != sql:
                raise mongo_errors.OperationFailure(
                    f"An existing index has the same name as the requested index but different "
                    f"options: {name}", code=86)
            return name
        try:
            connection.execute(sql)
        except sqlite3.IntegrityError:
            raise mongo_errors.DuplicateKeyError(
                f"E11000 duplicate key error collection: {self.namespace} index: {name}: "
                "existing documents hold duplicate keys", code=11000) from None
        except sqlite3.OperationalError as error:
            if "already exists" not in str(error):  # another process created it a moment ago
                raise
        return name

    def drop(self) -> None:
        self.file.connection().execute(f"DROP TABLE IF EXISTS {self.sql_name}")
        self.file.forget_table(self.name)

    def duplicate_error(self, error: sqlite3.IntegrityError,
                        document: Mapping[str, Any]) -> mongo_errors.DuplicateKeyError:
        """MongoDB's E11000 error, naming the index and the duplicate key values."""
        found = _INDEX_IN_MESSAGE.search(str(error))
        index = found.group(1) if found else "_id_"
        fields = self._index_fields(index) if found else ["_id"]
        key_value = {field: next(values.resolve(document, tuple(field.split("."))), None) for field in fields}
        shown = ", ".join(f"{field}: {value!r}" for field, value in key_value.items())
        message = f"E11000 duplicate key error collection: {self.namespace} index: {index} dup key: {{ {shown} }}"
        details = {"index": 0, "code": 11000, "errmsg": message, "keyPattern": dict.fromkeys(fields, 1),
                   "keyValue": key_value}
        return mongo_errors.DuplicateKeyError(message, code=11000, details=details)

    def _index_fields(self, index: str) -> list[str]:
        row = self.file.connection().execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
                                             [f"{self.name}:{index}"]).fetchone()
        paths = _INDEX_PATH.findall(row[0]) if row else []
        return [".".join(re.findall(r'"([^"]*)"', path)) for path in paths]


def _window(documents: Iterator[Document], skip: int, limit: int) -> Iterator[Document]:
    for index, document in enumerate(documents):
        if index < skip:
            continue
        if limit and index >= skip + limit:
            return
        yield document
