"""`EmbeddedClient` and `EmbeddedDatabase`: the entry points of the embedded store, shaped like Motor's.

A client owns one executor thread and runs every SQLite call on it, so the event loop only schedules work and
receives results. One thread per process is enough: SQLite serialises writers anyway, and the GIL would
serialise the JSON work of a second thread. Create the client after `fork()` (as with Motor).
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from src.database.embedded import mongo_errors
from src.database.embedded.collection import EmbeddedCollection
from src.database.embedded.errors import UnsupportedOperationError
from src.database.embedded.sqlite_file import SQLiteFile

T = TypeVar("T")

_DATABASE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
DEFAULT_BUSY_TIMEOUT = 2.0


class EmbeddedClient:
    """`EmbeddedClient(folder)["name"]` is the database stored in `folder/name.sqlite3`."""

    def __init__(self, folder: Path | str, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> None:
        self.folder = Path(folder)
        self.busy_timeout = busy_timeout
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedded-store")
        self._databases: dict[str, EmbeddedDatabase] = {}
        self._closed = False

    def __getitem__(self, name: str) -> EmbeddedDatabase:
        return self.get_database(name)

    def __getattr__(self, name: str) -> EmbeddedDatabase:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get_database(name)

    def get_database(self, name: str) -> EmbeddedDatabase:
        if name not in self._databases:
            if not _DATABASE_NAME.fullmatch(name):
                raise mongo_errors.InvalidName(f"database name {name!r} must be 1-64 letters, digits, '_' or '-' "
                                               "in the embedded store")
            file = SQLiteFile(self.folder / f"{name}.sqlite3", self.busy_timeout)
            self._databases[name] = EmbeddedDatabase(self, name, file)
        return self._databases[name]

    async def run(self, file: SQLiteFile, operation: Callable[..., T], *args: Any) -> T:
        """Run `operation(*args)` on the store's thread with `file`'s error translation."""
        if self._closed:
            raise mongo_errors.InvalidOperation("Cannot use the embedded store after close")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(file.call, operation, *args))

    def close(self) -> None:
        """Close every file on the store's thread once queued work is done; does not wait (like Motor)."""
        if self._closed:
            return
        self._closed = True
        for database in self._databases.values():
            self._executor.submit(database.file.close)
        self._executor.shutdown(wait=False)

    async def aclose(self) -> None:
        """Close and wait until the files are closed (the shutdown hook uses this)."""
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        for database in self._databases.values():
            await loop.run_in_executor(self._executor, database.file.close)
        self._executor.shutdown(wait=False)


class EmbeddedDatabase:
    def __init__(self, client: EmbeddedClient, name: str, file: SQLiteFile) -> None:
        self.client = client
        self.name = name
        self.file = file
        self._collections: dict[str, EmbeddedCollection] = {}

    def __getitem__(self, name: str) -> EmbeddedCollection:
        return self.get_collection(name)

    def __getattr__(self, name: str) -> EmbeddedCollection:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get_collection(name)

    def get_collection(self, name: str) -> EmbeddedCollection:
        if name not in self._collections:
            if not name or "$" in name or "\x00" in name or name.startswith("system."):
                raise mongo_errors.InvalidName(f"collection name {name!r} is not valid")
            self._collections[name] = EmbeddedCollection(self, name)
        return self._collections[name]

    async def run(self, operation: Callable[..., T], *args: Any) -> T:
        return await self.client.run(self.file, operation, *args)

    async def command(self, command: str | Mapping[str, Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Only `ping` (what the readiness check sends): a trivial query on the store's thread."""
        name = command if isinstance(command, str) else next(iter(command), "")
        if name != "ping":
            raise UnsupportedOperationError(f"command {name!r} is not supported by the embedded store (only ping)")
        await self.run(_ping, self.file)
        return {"ok": 1.0}

    async def drop_collection(self, name: str) -> None:
        await self.get_collection(name).drop()


def _ping(file: SQLiteFile) -> None:
    file.connection().execute("SELECT 1").fetchone()
