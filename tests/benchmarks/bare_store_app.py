"""Bare Tornado on this server's store design (`tests.benchmarks.peer_store`): the tasks endpoints read and
write one SQLite file through one executor thread (one hop per request, as this server does), and Tornado's own
access line is written per request. No request ids, canonical line, CORS, ETags, model objects or body limits:
what is left is what Tornado plus the store cost, the reference the bench's per-endpoint ratios are taken against.

Started by `python -m tests.benchmarks.bare_app --port N --db tasks.sqlite3`.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tornado.ioloop import IOLoop
from tornado.web import Application, HTTPError, RequestHandler

from tests.benchmarks import peer_store

JSON_TYPE = "application/json; charset=UTF-8"


class SQLiteTasks:
    """The store: one connection, used only from its one executor thread."""

    def __init__(self, path: Path) -> None:
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="store")
        self.connection = self.executor.submit(self._open, path).result()

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        peer_store.prepare(connection)
        return connection

    def _one(self, task_id: str) -> str | None:
        row = self.connection.execute(peer_store.SELECT_ONE, (task_id,)).fetchone()
        return None if row is None else str(row[0])

    def _page(self, limit: int) -> tuple[int, str]:
        total = self.connection.execute(peer_store.COUNT).fetchone()[0]
        return int(total), peer_store.page_body(self.connection.execute(peer_store.SELECT_PAGE, (limit,)))

    def _insert(self, task_id: str, document: str) -> None:
        self.connection.execute(peer_store.INSERT, (task_id, document))

    def _update(self, task_id: str, document: str) -> bool:
        return self.connection.execute(peer_store.UPDATE, (document, task_id)).rowcount > 0

    async def one(self, task_id: str) -> str | None:
        return await IOLoop.current().run_in_executor(self.executor, self._one, task_id)

    async def page(self, limit: int) -> tuple[int, str]:
        return await IOLoop.current().run_in_executor(self.executor, self._page, limit)

    async def insert(self, task_id: str, document: dict[str, Any]) -> None:
        await IOLoop.current().run_in_executor(self.executor, self._insert, task_id, json.dumps(document))

    async def update(self, task_id: str, document: dict[str, Any]) -> bool:
        return await IOLoop.current().run_in_executor(self.executor, self._update, task_id, json.dumps(document))


class StoreHandler(RequestHandler):
    def initialize(self, store: SQLiteTasks) -> None:
        self.store = store

    def document(self) -> dict[str, Any]:
        try:
            return peer_store.task_document(self.request.body)
        except peer_store.BadTaskError as error:
            raise HTTPError(400, str(error)) from None


class StoreTasksHandler(StoreHandler):
    """`GET /tasks?limit=N` ({id: task}, X-Total-Count), `POST /tasks` (201, Location)."""

    async def get(self) -> None:
        try:
            limit = peer_store.page_limit(self.get_query_argument("limit", None))
        except peer_store.BadTaskError as error:
            raise HTTPError(400, str(error)) from None
        total, body = await self.store.page(limit)
        self.set_header("Content-Type", JSON_TYPE)
        self.set_header("X-Total-Count", str(total))
        self.finish(body)

    async def post(self) -> None:
        task_id = uuid.uuid4().hex
        await self.store.insert(task_id, self.document())
        self.set_status(201)
        self.set_header("Location", f"/tasks/{task_id}")
        self.finish()


class StoreTaskHandler(StoreHandler):
    """`GET /tasks/{id}` (the stored JSON as it is), `PUT /tasks/{id}` (204)."""

    async def get(self, task_id: str) -> None:
        document = await self.store.one(task_id)
        if document is None:
            raise HTTPError(404)
        self.set_header("Content-Type", JSON_TYPE)
        self.finish(document)

    async def put(self, task_id: str) -> None:
        if not await self.store.update(task_id, self.document()):
            raise HTTPError(404)
        self.set_status(204)
        self.finish()


def make_store_app(store: SQLiteTasks, status_handler: type[RequestHandler]) -> Application:
    return Application([
        (r"/ping", status_handler),
        (r"/health", status_handler),
        (r"/tasks", StoreTasksHandler, {"store": store}),
        (r"/tasks/([^/]+)", StoreTaskHandler, {"store": store}),
    ])


def log_access_lines() -> None:
    """Tornado's access line (`200 GET /ping (127.0.0.1) 0.31ms`) to stdout for every request."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    access = logging.getLogger("tornado.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
