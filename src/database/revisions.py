"""Document revisions: the stored half of optimistic concurrency (ETags and `If-Match`).

Every write through `GenericDAO` stores a fresh random token in `_rev`; it is the document's entity tag. A
conditional write is one database operation filtered on the `_rev` it read (`unchanged_filter`), so it matches
nothing if another writer, in this process or any other, got there first: the check and the write are atomic
in MongoDB and in the embedded store alike, with no lock. A document written without `_rev` (by hand, or before
revisions existed) gets a tag derived from its content until its first write through a DAO.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection

from src.database.store import Document
from src.model.errors import PreconditionFailedError
from src.utils.random_digits import random_hex

REVISION_FIELD = "_rev"


def new_revision() -> str:
    # 40 hex digits, the length of the SHA-1 ETags Tornado computes (and the spec shows) for other answers.
    return random_hex(40)


def revision_of(document: Document) -> str:
    stored = document.get(REVISION_FIELD)
    if isinstance(stored, str):
        return stored
    content = {name: value for name, value in document.items() if name not in ("_id", REVISION_FIELD)}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha1(canonical.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()


def unchanged_filter(document: Document) -> Document:
    """Matches `document` only while it still has the revision it was read with."""
    stored = document.get(REVISION_FIELD)
    return {"_id": document["_id"], REVISION_FIELD: stored if isinstance(stored, str) else None}


def check_if_match(document: Document, if_match: Collection[str] | None, description: str) -> None:
    """`PreconditionFailedError` (412) unless `if_match` is None (no condition) or holds the current tag."""
    if if_match is not None and revision_of(document) not in if_match:
        raise PreconditionFailedError(
            f"{description} has changed since it was read (If-Match does not match its ETag); "
            "read it again and retry")
