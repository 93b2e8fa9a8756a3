"""pymongo's exception types, for the embedded store to raise: `mongo_errors.DuplicateKeyError(...)`.

Importing `pymongo.errors` runs the whole `pymongo` package (its clients, about 6 MB and 50 ms of start-up) that
a server on the embedded store never uses otherwise. This module hands the types out on first use instead: only
an error path loads pymongo, and an error raised as one of these types is caught as that very type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the real types for mypy; at run time `__getattr__` below imports them when first named
    from pymongo.errors import (
        BulkWriteError,
        DuplicateKeyError,
        InvalidName,
        InvalidOperation,
        OperationFailure,
        WriteError,
    )

__all__ = ["BulkWriteError", "DuplicateKeyError", "InvalidName", "InvalidOperation", "OperationFailure", "WriteError"]


def __getattr__(name: str) -> type[Exception]:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import pymongo.errors  # noqa: PLC0415 - the point of this module: pymongo only once an error needs it

    kind: type[Exception] = getattr(pymongo.errors, name)
    return kind
