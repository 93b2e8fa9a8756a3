"""One SQLite database file, used from one thread: connection set-up, transactions, and error translation.

WAL mode lets readers and one writer work at the same time, also across the worker processes of `--proc N`
that open the same file; writers queue on SQLite's lock for up to the busy timeout, then the call fails with
`EmbeddedStoreUnavailableError` (a 503) instead of hanging. `synchronous=NORMAL` in WAL mode makes every
committed write survive a crash or `kill -9` of the process (the WAL is in the OS page cache); only a power cut
can lose the last transactions, never corrupt the file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from src.database.embedded.errors import EmbeddedStoreUnavailableError

T = TypeVar("T")

# SQLite primary result codes that mean "the file cannot be used now", not a bug in a statement.
_UNAVAILABLE_CODES = {
    5: "locked by another process (busy)",  # SQLITE_BUSY
    6: "locked",  # SQLITE_LOCKED
    7: "out of memory",  # SQLITE_NOMEM
    8: "read-only",  # SQLITE_READONLY
    10: "disk I/O error",  # SQLITE_IOERR
    11: "corrupt",  # SQLITE_CORRUPT
    13: "disk full",  # SQLITE_FULL
    14: "cannot be opened",  # SQLITE_CANTOPEN
    15: "locking protocol error",  # SQLITE_PROTOCOL
    26: "not a database file",  # SQLITE_NOTADB
}


class SQLiteFile:
    """The connection to one database file; every method runs on the owning client's executor thread."""

    def __init__(self, path: Path, busy_timeout: float) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        self._connection: sqlite3.Connection | None = None
        self._tables: set[str] = set()

    def connection(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
            try:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
            except BaseException:
                connection.close()
                raise
            self._connection = connection
        return self._connection

    def call(self, operation: Callable[..., T], *args: Any) -> T:
        """Run `operation(*args)`; SQLite's availability errors become `EmbeddedStoreUnavailableError`.

        A table dropped by another process since this connection created it is created again, once.
        """
        try:
            try:
                return operation(*args)
            except sqlite3.OperationalError as error:
                if "no such table" not in str(error):
                    raise
                self._tables.clear()
                return operation(*args)
        except OSError as error:  # the folder cannot be created
            raise EmbeddedStoreUnavailableError(f"the embedded store {self.path} cannot be opened: {error}") from error
        except (sqlite3.OperationalError, sqlite3.DatabaseError) as error:
            code = getattr(error, "sqlite_errorcode", None)
            if isinstance(error, sqlite3.IntegrityError) or code is None or code & 0xFF not in _UNAVAILABLE_CODES:
                raise
            raise EmbeddedStoreUnavailableError(
                f"the embedded store {self.path} is {_UNAVAILABLE_CODES[code & 0xFF]}: {error}") from error

    def ensure_table(self, table: str) -> None:
        if table in self._tables:
            return
        self.connection().execute(
            f"CREATE TABLE IF NOT EXISTS {quote(table)} "
            "(seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)")
        self._tables.add(table)

    def forget_table(self, table: str) -> None:
        self._tables.discard(table)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the write lock up front, so read-modify-write cannot interleave with
        another process's writes (a deferred transaction could fail to upgrade its read lock)."""
        connection = self.connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
            self._tables.clear()


def quote(identifier: str) -> str:
    """An SQL identifier in double quotes; any name is allowed (collection names may hold dots or spaces)."""
    return '"' + identifier.replace('"', '""') + '"'
