"""`OwnedKeys`: create, keep alive, confirm and delete etcd keys that carry this process's owner token — the
steps a lock (`LockManager`) and a job slot (`slot_runner`) are made of."""

from __future__ import annotations

import logging
import string
import time
import uuid

from src.utils.concurrency.etcd_member import EtcdMember, Grant, KeyMissing, KeyTaken
from src.utils.concurrency.held_key import HeldKey, confirm, keep_alive
from src.utils.concurrency.lock_cluster import LockCluster

logger = logging.getLogger("tornado_boilerplate.locks")

_KEY_SAFE = frozenset(string.ascii_letters + string.digits + "_-@:")


class OwnedKeys:
    """Keys written by one process (`owner`, e.g. `host:pid`) on one cluster."""

    def __init__(self, cluster: LockCluster, owner: str) -> None:
        self.cluster = cluster
        self.owner = owner

    async def create(self, name: str, key: str, ttl: int, state: str = "") -> HeldKey | int:
        """Create `key` holding `state` + a fresh owner token; the `HeldKey` (not yet refreshed) when created,
        else the revision at which it was found taken. A create that failed over after an attempt that may have
        been applied, and then finds the key taken, reads it: the key may be its own."""
        token = f"{state}{self.owner}:{uuid.uuid4().hex}"
        attempts = 0

        def create(member: EtcdMember) -> Grant:
            nonlocal attempts
            attempts += 1
            return member.create(key, token, ttl)

        def undo(member: EtcdMember, grant: Grant) -> None:
            # The caller gave up (cancelled) but the create went through: nobody will use or refresh the key.
            try:
                member.delete(key, token, grant.lease)
            except Exception as error:  # noqa: BLE001 - best effort in a worker thread; the TTL is the fallback
                logger.debug("could not delete abandoned key %s: %s", key, error)

        asked_at = time.monotonic()
        try:
            grant = await self.cluster.call(create, abandoned=undo)
        except KeyTaken as taken:
            if attempts < 2:
                return taken.revision
            found = await self.cluster.call(lambda member: member.read(key))
            if found is None or found.value != token:
                return taken.revision
            grant = Grant(found.revision, found.lease)
        return HeldKey(name, key, token, ttl, grant, confirmed_at=asked_at)

    def keep(self, held: HeldKey) -> None:
        """Refresh `held` in the background until it is deleted, replaced or lost."""
        keep_alive(self.cluster, held)

    async def confirm(self, held: HeldKey) -> bool:
        """Quorum read: is the key still this holder's? (False also marks it lost.)"""
        return await confirm(self.cluster, held)

    async def delete(self, held: HeldKey) -> bool:
        """Compare-and-delete a held key; False when it was no longer ours."""
        held.stop_refreshing()
        attempts = 0

        def delete(member: EtcdMember) -> None:
            nonlocal attempts
            attempts += 1
            member.delete(held.key, held.token, held.grant.lease)

        try:
            await self.cluster.call(delete)
        except KeyMissing:
            # After an attempt that may have been applied, "not there" most likely means that attempt deleted it.
            return attempts > 1
        return True


def escape_segment(text: str) -> str:
    """`text` as one etcd key segment: letters, digits and `_-@:` kept, every other byte `~XX` (one-to-one)."""
    if not text:
        raise ValueError("lock id must not be empty")
    return "".join(chr(byte) if chr(byte) in _KEY_SAFE else f"~{byte:02X}" for byte in text.encode())
