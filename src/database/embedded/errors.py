"""Errors of the embedded store that MongoDB has no exact counterpart for.

Everything else is reported with pymongo's own exception types (`DuplicateKeyError`, `WriteError`,
`OperationFailure`, `InvalidName`, `bson.errors.InvalidDocument`), so code written against Motor handles both
back ends the same way; `mongo_errors` imports them only when one is raised.
"""

from __future__ import annotations


class UnsupportedOperationError(NotImplementedError):
    """A query, update, sort or projection outside the subset the embedded store implements.

    Raised instead of answering wrongly; the message names the operator and what is supported.
    """


class EmbeddedStoreUnavailableError(Exception):
    """The SQLite file cannot be used right now (locked by another process too long, unreadable, disk full).

    `driver_errors` answers it with a 503, like pymongo's `ConnectionFailure` for an unreachable MongoDB (not a
    subclass of that: defining one would import pymongo into every server on the embedded store).
    """
