"""Driver errors -> the project's typed errors, the same for Motor and the embedded store.

duplicate key -> `ConflictError` (409); server unreachable, timed out or the embedded file locked ->
`ServiceUnavailableError` (503). "Not found" is not a driver error: `GenericDAO` raises `NotFoundError` (404)
itself when nothing matched. Anything else is a bug and propagates as a 500. Each call is also counted, with its
latency and outcome, in the database metrics.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType

from src.database.embedded.errors import EmbeddedStoreUnavailableError
from src.model.errors import ApiError, ConflictError, ServiceUnavailableError
from src.utils.metrics.hooks import database_operation

_DUPLICATE_KEY = 11000


class DriverErrors:
    """`with translated_driver_errors("task", "find_one"): await collection...` re-raises driver errors as
    `ApiError`s; `operation` names the call in the metrics. A class, because every store call enters one and a
    generator-based `@contextmanager` costs several times as much."""

    __slots__ = ("operation", "resource", "started")

    def __init__(self, resource: str, operation: str = "other") -> None:
        self.resource = resource
        self.operation = operation
        self.started = 0.0

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        seconds = time.perf_counter() - self.started
        if error is None:
            database_operation(self.operation, "ok", seconds)
            return
        if isinstance(error, EmbeddedStoreUnavailableError):
            database_operation(self.operation, "unavailable", seconds)
            raise _unavailable(error) from error
        outcome, translated = _translated(error, self.resource) if isinstance(error, Exception) else ("error", None)
        database_operation(self.operation, outcome, seconds)
        if translated is not None:
            raise translated from error


# The name every DAO uses; the class itself, not a function that makes one (a call less per store call).
translated_driver_errors = DriverErrors


def _translated(error: Exception, resource: str) -> tuple[str, ApiError | None]:
    """The metrics outcome and the `ApiError` for a pymongo error; `("error", None)` for anything else."""
    if "pymongo.errors" not in sys.modules:  # no pymongo error can exist before pymongo is loaded
        return "error", None
    # Loaded already (checked above), so this is a look-up: a server on the embedded store never loads pymongo
    # for this module, only Motor or an embedded-store error path does.
    from pymongo.errors import (  # noqa: PLC0415
        AutoReconnect,
        BulkWriteError,
        ConfigurationError,
        ConnectionFailure,
        DuplicateKeyError,
        ExecutionTimeout,
        NetworkTimeout,
        ServerSelectionTimeoutError,
        WTimeoutError,
    )

    if isinstance(error, DuplicateKeyError) or (isinstance(error, BulkWriteError) and {
            write_error.get("code") for write_error in error.details.get("writeErrors", [])} == {_DUPLICATE_KEY}):
        return "duplicate", ConflictError(f"a {resource} with the same key already exists",
                                          db_error=_first_line(error))
    # ConfigurationError: at run time, a `mongodb+srv://` name whose DNS records cannot be resolved (yet); a
    # malformed URI fails at start-up instead, when the client is created.
    if isinstance(error, ServerSelectionTimeoutError | AutoReconnect | ConnectionFailure | NetworkTimeout |
                  ExecutionTimeout | WTimeoutError | ConfigurationError):
        return "unavailable", _unavailable(error)
    return "error", None


def _unavailable(error: Exception) -> ServiceUnavailableError:
    return ServiceUnavailableError("the database is not available; try again shortly", db_error=type(error).__name__)


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__
