"""`EmbeddedClient` and `EmbeddedDatabase`: the entry points of the embedded store, shaped like Motor's.

A client owns one thread (`StoreThread`) and runs every SQLite call on it, so the event loop only schedules
work and receives results. One thread per process is enough: SQLite serialises writers anyway, and the GIL
would serialise the JSON work of a second thread. Create the client after `fork()` (as with Motor).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import re
import threading
from collections import deque
from collections.abc import Callable, Mapping
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
        self._thread = StoreThread("embedded-store")
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

    def run(self, file: SQLiteFile, operation: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """The future of `operation(*args)` run on the store's thread with `file`'s error translation. A plain
        function, as `EmbeddedDatabase.run`: a coroutine around the future is one more frame to enter, suspend,
        resume and leave in every store call."""
        if self._closed:
            raise mongo_errors.InvalidOperation("Cannot use the embedded store after close")
        return self._thread.submit(file.call, operation, *args)

    def close(self) -> None:
        """Close every file on the store's thread once queued work is done; does not wait (like Motor)."""
        if self._closed:
            return
        self._closed = True
        for database in self._databases.values():
            self._thread.submit_detached(database.file.close)
        self._thread.stop()

    async def aclose(self) -> None:
        """Close and wait until the files are closed (the shutdown hook uses this)."""
        if self._closed:
            return
        self._closed = True
        for database in self._databases.values():
            await self._thread.submit(database.file.close)
        self._thread.stop()


# A call waiting for the store's thread: where its answer goes (None: nobody awaits it), the function, its arguments.
_Job = tuple["_Inbox | None", "asyncio.Future[Any] | None", Callable[..., Any], tuple[Any, ...]]


class StoreThread:
    """One thread that runs calls in the order they were submitted; each caller awaits its own answer.

    `loop.run_in_executor` costs a `concurrent.futures.Future` (a condition variable, notified under its lock),
    the executor's idle semaphore twice, and an asyncio future chained to it by callbacks, for every call. Here a
    call is a tuple on a queue and an asyncio future; the answers reach the loop through its `_Inbox`, and those
    finished while the loop is still busy with earlier ones ride on the same wake-up instead of one each. The
    thread starts with the first call and ends after the calls queued before `stop()`.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._inbox: _Inbox | None = None

    def submit(self, function: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """The future of `function(*args)` run on the thread, resolved on the running loop."""
        loop = asyncio.get_running_loop()
        inbox = self._inbox
        if inbox is None or inbox.loop is not loop:
            inbox = self._inbox = _Inbox(loop)
        future: asyncio.Future[T] = loop.create_future()
        self._put((inbox, future, function, args))
        return future

    def submit_detached(self, function: Callable[..., object], *args: Any) -> None:
        """Run `function(*args)` on the thread with nobody awaiting it (its errors are dropped)."""
        self._put((None, None, function, args))

    def stop(self) -> None:
        """End the thread once the calls already submitted have run; does not wait."""
        if self._thread is not None:
            self._jobs.put(None)
            self._thread = None

    def _put(self, job: _Job) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, name=self._name, daemon=True)
            self._thread.start()
        self._jobs.put(job)

    def _serve(self) -> None:
        jobs = self._jobs
        while (job := jobs.get()) is not None:
            inbox, future, function, args = job
            try:
                result = function(*args)
            except BaseException as error:  # noqa: BLE001 - handed to the caller, as an executor does
                if inbox is not None and future is not None:
                    inbox.put(future, None, error)
                del error
                continue
            if inbox is not None and future is not None:
                inbox.put(future, result, None)


class _Inbox:
    """Answers from the store's thread waiting for one loop: delivered by one callback per wake-up of the loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        # A deque: its append (store thread) and popleft (loop) are atomic, with no lock and no list swapped
        # under the other thread's feet.
        self._answers: deque[tuple[asyncio.Future[Any], Any, BaseException | None]] = deque()
        self._wake_pending = False

    def put(self, future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
        """On the store's thread. The answer is queued before the flag is read, and the loop clears the flag
        before it empties the queue, so every answer is delivered by a wake-up that comes after it."""
        self._answers.append((future, result, error))
        if not self._wake_pending:
            self._wake_pending = True
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is left to await the answers
                self.loop.call_soon_threadsafe(self._deliver)

    def _deliver(self) -> None:
        self._wake_pending = False
        answers = self._answers
        while answers:
            future, result, error = answers.popleft()
            if future.cancelled():
                continue
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)


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

    def run(self, operation: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        return self.client.run(self.file, operation, *args)

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
