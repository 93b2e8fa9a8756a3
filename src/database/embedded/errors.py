"""Errors of the embedded store that MongoDB has no exact counterpart for.

Everything else is reported with pymongo's own exception types (`DuplicateKeyError`, `WriteError`,
`OperationFailure`, `InvalidName`, `bson.errors.InvalidDocument`), so code written against Motor handles both
back ends the same way.
"""

from __future__ import annotations

from pymongo.errors import ConnectionFailure


class UnsupportedOperationError(NotImplementedError):
    """A query, update, sort or projection outside the subset the embedded store implements.

    Raised instead of answering wrongly; the message names the operator and what is supported.
    """


class EmbeddedStoreUnavailableError(ConnectionFailure):
    """The SQLite file cannot be used right now (locked by another process too long, unreadable, disk full).

    A `ConnectionFailure`, like an unreachable MongoDB, so the same error mapping answers 503.
    """
