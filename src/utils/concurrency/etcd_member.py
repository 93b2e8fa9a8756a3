"""What the lock code asks of one etcd member, whatever API it speaks (`etcd_v2`, `etcd_v3`).

Every method is blocking and bounded by the member's timeout; the cluster runs them in executor threads. Three
outcomes: a result; an answer about the key (`KeyTaken`, `KeyMissing`); or `MemberFailure`, the member could
not be asked or did not answer, which sends the call to another member. Reads are quorum (linearizable) reads,
so "the key is ours" is never the word of a member cut off from the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class KeyState:
    """A key as etcd holds it. `revision` is where it was last written: the v2 modifiedIndex, the v3
    mod_revision; both grow with every write to the cluster, which is what makes them fencing tokens."""

    value: str
    revision: int
    lease: int | None = None  # v3: the lease the key is attached to


@dataclass(frozen=True)
class Grant:
    """A key this process wrote: its revision (the fencing token) and, on v3, the lease that keeps it alive."""

    revision: int
    lease: int | None = None


class KeyTaken(Exception):  # noqa: N818 - an answer, not a failure
    """The create found the key already there; `revision` is where a watch for its change starts."""

    def __init__(self, revision: int) -> None:
        super().__init__(f"key exists (revision {revision})")
        self.revision = revision


class KeyMissing(Exception):  # noqa: N818 - an answer, not a failure
    """The key is gone, or holds another value than the one the compare expected (it is not ours any more)."""


class MemberFailure(Exception):  # noqa: N818 - reads as what happened, like LockServerUnavailable
    """The member could not be asked or did not answer in time. `uncertain`: the request may have reached it
    (a read timeout, a reset connection), so a write may have been applied even so."""

    def __init__(self, reason: str, uncertain: bool) -> None:
        super().__init__(reason)
        self.uncertain = uncertain


class EtcdMember(Protocol):
    """One member of the etcd cluster, spoken to through one API."""

    address: str  # host:port, for messages

    def create(self, key: str, value: str, ttl: int) -> Grant:
        """Create the key with a TTL unless it exists (`KeyTaken`)."""

    def refresh(self, key: str, value: str, ttl: int, lease: int | None) -> None:
        """Restart the key's TTL if it still holds `value` (`KeyMissing` otherwise)."""

    def replace(self, key: str, old: str, new: str, ttl: int, lease: int | None) -> Grant:
        """Compare-and-swap `old` -> `new` with a new TTL (`KeyMissing` when it no longer holds `old`)."""

    def delete(self, key: str, value: str, lease: int | None) -> None:
        """Compare-and-delete (`KeyMissing` when it no longer holds `value`)."""

    def read(self, key: str) -> KeyState | None:
        """Quorum read; None when there is no such key."""

    def read_prefix(self, prefix: str) -> dict[str, KeyState]:
        """Quorum read of every key under `prefix/`, by full key."""

    def watch(self, key: str, after: int, seconds: float) -> None:
        """Return when the key changes after revision `after`, or after `seconds`."""

    def check(self, key: str) -> None:
        """Return when the member answers a quorum read (so the cluster has a quorum)."""

    def close(self) -> None:
        """Drop the member's connections."""
