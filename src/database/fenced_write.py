"""`write_fenced`: a document write guarded by a lock's fencing token, so a holder that lost its lock without
knowing it (paused past the TTL, cut off from etcd) cannot overwrite the work of the holder that came after it.

The document remembers the largest token that wrote it (`fence`); a write carries its holder's token and lands
only if that token is larger. Tokens come from etcd (`LockManager.fencing_token(lock_id)`, or
`current_slot().fencing_token` in a `single_process_coroutine` job) and grow with every later holder, so the
stale holder's write is refused however late it arrives. One atomic update on either store (MongoDB or the
embedded one): a filter on the fence, and an upsert whose duplicate `_id` means "already written by a newer
holder".
"""

from __future__ import annotations

from collections.abc import Mapping

from pymongo.errors import DuplicateKeyError

from src.database.store import StoreCollection

FENCE_FIELD = "fence"


async def write_fenced(collection: StoreCollection, document_id: object, fields: Mapping[str, object],
                       token: int) -> bool:
    """Set `fields` on the document `document_id` (creating it if needed) if `token` is larger than every token
    that wrote it before; False, and nothing written, when a holder with a larger (or the same) token wrote it."""
    if FENCE_FIELD in fields:
        raise ValueError(f"{FENCE_FIELD!r} is the fencing field; it cannot be written directly")
    newer_than_stored = {"$or": [{FENCE_FIELD: {"$lt": token}}, {FENCE_FIELD: {"$exists": False}}]}
    try:
        result = await collection.update_one({"_id": document_id, **newer_than_stored},
                                             {"$set": {**fields, FENCE_FIELD: token}}, upsert=True)
    except DuplicateKeyError:  # the document exists with a fence >= token: the upsert's insert collided
        return False
    return bool(result.matched_count or result.upserted_id is not None)
