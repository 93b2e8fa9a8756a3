"""The store design the bench's peers share (bare Tornado on SQLite, FastAPI async + aiosqlite): one SQLite file
in WAL mode with `synchronous=NORMAL`, one row per task holding its JSON document, keyed by id, the same design
as this server's embedded store. The peers seed it from the ids this server gave the seeded tasks, so
`GET /tasks/{id}` and `PUT /tasks/{id}` draw from the same ids on every server.

Only the parts both peers need live here: the SQL, the pragmas, the seeding, and the request checks (a title
that is a non-empty string; a limit from 1 to 1000), so the peers answer bad input with a 400 like this server.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")
CREATE_TABLE = "CREATE TABLE IF NOT EXISTS tasks (id TEXT PRIMARY KEY, document TEXT NOT NULL)"
SELECT_ONE = "SELECT document FROM tasks WHERE id = ?"
# rowid order is insertion order: the list pages in creation order, like this server's.
SELECT_PAGE = "SELECT id, document FROM tasks ORDER BY rowid LIMIT ?"
COUNT = "SELECT count(*) FROM tasks"
INSERT = "INSERT INTO tasks (id, document) VALUES (?, ?)"
UPDATE = "UPDATE tasks SET document = ? WHERE id = ?"

MAX_LIMIT = 1000
FIELDS = frozenset(("title", "description", "priority", "completed", "due_date"))


class BadTaskError(ValueError):
    """A request the peers answer with 400."""


def seeded_document(number: int) -> dict[str, Any]:
    """What `tests.benchmarks.seed` stores through this server's API for task `number`, as this server keeps it."""
    return {"title": f"task {number}", "description": "seeded for the bench", "priority": "normal",
            "completed": False}


def create_seeded_store(path: Path, ids: Sequence[str]) -> None:
    """A store file holding one seeded task per id, in order (copied for every round, like this server's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path)
    try:
        prepare(connection)
        connection.executemany(INSERT, ((task_id, json.dumps(seeded_document(number)))
                                        for number, task_id in enumerate(ids, start=1)))
        connection.commit()
    finally:
        connection.close()


def prepare(connection: sqlite3.Connection) -> None:
    for statement in (*PRAGMAS, CREATE_TABLE):
        connection.execute(statement)


def task_document(body: bytes) -> dict[str, Any]:
    """The document to store from a request body: a JSON object with known fields and a non-empty string title."""
    try:
        document = json.loads(body)
    except ValueError as error:
        raise BadTaskError(f"the body is not JSON: {error}") from None
    if not isinstance(document, dict):
        raise BadTaskError("the body must be a JSON object")
    unknown = sorted(set(document) - FIELDS)
    if unknown:
        raise BadTaskError(f"unknown fields {', '.join(unknown)}")
    title = document.get("title")
    if not isinstance(title, str) or not title.strip():
        raise BadTaskError("field 'title' must be a non-empty string")
    return document


def page_limit(text: str | None) -> int:
    """`?limit=` as a page size from 1 to MAX_LIMIT (100 when absent)."""
    if text is None:
        return 100
    try:
        limit = int(text)
    except ValueError:
        raise BadTaskError(f"limit must be a whole number, not {text!r}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise BadTaskError(f"limit must be from 1 to {MAX_LIMIT}")
    return limit


def page_body(rows: Iterable[tuple[str, str]]) -> str:
    """`{id: task, ...}` from (id, stored JSON) rows, as this server's list answers it."""
    return json.dumps({task_id: json.loads(document) for task_id, document in rows})
