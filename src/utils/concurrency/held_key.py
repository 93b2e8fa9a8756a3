"""`HeldKey`: an etcd key this process created and keeps alive, and what it learns when it loses it.

While held, a background task restarts the key's TTL every third of it (sooner again after a failure), a
compare on the owner token (v2) or a lease keep-alive (v3). The holder knows it lost the key:
- when a refresh finds it gone or taken over (it expired while this process could not refresh it, or was
  paused): `lost` is set and the loss is logged at ERROR;
- locally, without asking etcd, when no refresh succeeded for a whole TTL (`possibly_expired()`): after a
  pause longer than the TTL the holder must not act before a quorum read (`confirm`) says it still holds it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from src.utils.concurrency.etcd_member import EtcdMember, Grant, KeyMissing
from src.utils.concurrency.lock_cluster import LockCluster
from src.utils.concurrency.lock_errors import LockServerUnavailable

logger = logging.getLogger("tornado_boilerplate.locks")


@dataclass
class HeldKey:
    """An etcd key this process holds: its name, key, owner token and TTL, and whether it was lost."""

    name: str  # the lock id or slot, for messages
    key: str
    token: str  # this holder's value of the key
    ttl: int
    grant: Grant
    confirmed_at: float  # monotonic time a create or refresh that restarted the key's TTL was sent
    lost: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    refresher: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def fencing_token(self) -> int:
        """The revision at which this holder created (or last replaced) the key: larger for every later holder."""
        return self.grant.revision

    def age(self) -> float:
        """Seconds since the key's TTL last restarted (as far as this process knows)."""
        return time.monotonic() - self.confirmed_at

    def possibly_expired(self) -> bool:
        return self.age() >= self.ttl

    def stop_refreshing(self) -> None:
        if self.refresher is not None:
            self.refresher.cancel()
            self.refresher = None

    def mark_lost(self, why: str) -> None:
        if not self.lost.is_set():
            logger.error("lock %r was lost while held: %s", self.name, why)
            self.lost.set()
        self.stop_refreshing()


def keep_alive(cluster: LockCluster, held: HeldKey) -> None:
    """Start refreshing `held` in the background until it is released or lost."""
    held.refresher = asyncio.create_task(_refresh(cluster, held), name=f"lock-refresh:{held.name}")


async def confirm(cluster: LockCluster, held: HeldKey) -> bool:
    """A quorum read: does etcd still hold this holder's key? False (and `lost` set) when it does not.

    `LockServerUnavailable` when no member answers, and when the answer arrives a whole TTL or more after the
    last refresh (this process was paused or starved while the read was in flight): the key may have expired and
    been taken over since etcd answered, so the answer proves nothing. A read does not restart the TTL, so it
    does not move `confirmed_at`.
    """
    state = await cluster.call(lambda member: member.read(held.key))
    if state is None or state.value != held.token:
        held.mark_lost("a quorum read found its key expired or taken over")
        return False
    if held.possibly_expired():
        raise LockServerUnavailable(f"lock {held.name!r}: the quorum read answered {held.age():.1f} s after the "
                                    f"key's last refresh, longer than its {held.ttl} s TTL; it may have expired since")
    return True


async def _refresh(cluster: LockCluster, held: HeldKey) -> None:
    pause = held.ttl / 3
    while True:
        await asyncio.sleep(pause)
        asked_at = time.monotonic()

        def refresh(member: EtcdMember) -> None:
            member.refresh(held.key, held.token, held.ttl, held.grant.lease)

        try:
            await cluster.call(refresh)
        except KeyMissing:
            held.mark_lost("a refresh found its key expired or taken over")
            return
        except LockServerUnavailable as error:
            pause = held.ttl / 6  # try again sooner: the key's TTL is running out
            logger.warning("lock %r not refreshed (retrying in %.1f s): %s", held.name, pause, error)
            continue
        held.confirmed_at = asked_at
        pause = held.ttl / 3
