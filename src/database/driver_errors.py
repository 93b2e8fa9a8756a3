"""Driver errors -> the project's typed errors, the same for Motor and the embedded store.

duplicate key -> `ConflictError` (409); server unreachable, timed out or the embedded file locked ->
`ServiceUnavailableError` (503). "Not found" is not a driver error: `GenericDAO` raises `NotFoundError` (404)
itself when nothing matched. Anything else is a bug and propagates as a 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pymongo.errors import (
    AutoReconnect,
    BulkWriteError,
    ConnectionFailure,
    DuplicateKeyError,
    ExecutionTimeout,
    NetworkTimeout,
    ServerSelectionTimeoutError,
    WTimeoutError,
)

from src.model.errors import ConflictError, ServiceUnavailableError

_DUPLICATE_KEY = 11000
_UNAVAILABLE = (ServerSelectionTimeoutError, AutoReconnect, ConnectionFailure, NetworkTimeout, ExecutionTimeout,
                WTimeoutError)


@contextmanager
def translated_driver_errors(resource: str) -> Iterator[None]:
    """`with translated_driver_errors("task"): await collection...` re-raises driver errors as `ApiError`s."""
    try:
        yield
    except DuplicateKeyError as error:
        raise ConflictError(f"a {resource} with the same key already exists", db_error=_first_line(error)) from error
    except BulkWriteError as error:
        codes = {write_error.get("code") for write_error in error.details.get("writeErrors", [])}
        if codes == {_DUPLICATE_KEY}:
            raise ConflictError(f"a {resource} with the same key already exists",
                                db_error=_first_line(error)) from error
        raise
    except _UNAVAILABLE as error:
        raise ServiceUnavailableError("the database is not available; try again shortly",
                                      db_error=type(error).__name__) from error


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__
