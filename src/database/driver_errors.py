"""Driver errors -> the project's typed errors, the same for Motor and the embedded store.

duplicate key -> `ConflictError` (409); server unreachable, timed out or the embedded file locked ->
`ServiceUnavailableError` (503). "Not found" is not a driver error: `GenericDAO` raises `NotFoundError` (404)
itself when nothing matched. Anything else is a bug and propagates as a 500. Each call is also counted, with its
latency and outcome, in the database metrics.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from pymongo.errors import (
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

from src.model.errors import ConflictError, ServiceUnavailableError
from src.utils.metrics.hooks import database_operation

_DUPLICATE_KEY = 11000
# ConfigurationError: at run time, a `mongodb+srv://` name whose DNS records cannot be resolved (yet); a malformed
# URI fails at start-up instead, when the client is created.
_UNAVAILABLE = (ServerSelectionTimeoutError, AutoReconnect, ConnectionFailure, NetworkTimeout, ExecutionTimeout,
                WTimeoutError, ConfigurationError)


@contextmanager
def translated_driver_errors(resource: str, operation: str = "other") -> Iterator[None]:
    """`with translated_driver_errors("task", "find_one"): await collection...` re-raises driver errors as
    `ApiError`s; `operation` names the call in the metrics."""
    started = time.perf_counter()
    outcome = "error"
    try:
        yield
        outcome = "ok"
    except DuplicateKeyError as error:
        outcome = "duplicate"
        raise ConflictError(f"a {resource} with the same key already exists", db_error=_first_line(error)) from error
    except BulkWriteError as error:
        codes = {write_error.get("code") for write_error in error.details.get("writeErrors", [])}
        if codes == {_DUPLICATE_KEY}:
            outcome = "duplicate"
            raise ConflictError(f"a {resource} with the same key already exists",
                                db_error=_first_line(error)) from error
        raise
    except _UNAVAILABLE as error:
        outcome = "unavailable"
        raise ServiceUnavailableError("the database is not available; try again shortly",
                                      db_error=type(error).__name__) from error
    finally:
        database_operation(operation, outcome, time.perf_counter() - started)


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__
