"""What can go wrong with a distributed lock, as exceptions callers can tell apart."""

from __future__ import annotations

from src.lifecycle import NotStartedError


class LockError(Exception):
    """Base class of every lock error."""


class ExistingLockError(LockError):
    """The lock is held by someone else (another request, process or machine)."""

    def __init__(self, lock_id: str, message: str | None = None) -> None:
        super().__init__(message or f"lock {lock_id!r} is already held")
        self.lock_id = lock_id


class LockTimeoutError(ExistingLockError):
    """A blocking acquire gave up after its timeout; the lock was still held by someone else."""

    def __init__(self, lock_id: str, timeout: float) -> None:
        super().__init__(lock_id, f"lock {lock_id!r} still held after waiting {timeout:g} s")
        self.timeout = timeout


class LockServerUnavailable(LockError):  # noqa: N818 - the name the rest of the project (and its docs) use
    """etcd is down, hung, unreachable or answers without the v2 API; the call failed within the client timeout."""


class LockServerDisabled(LockError, NotStartedError):  # noqa: N818 - reads as a state, like LockServerUnavailable
    """`LockManager.get()` in a process started without `--lock_server`."""

    def __init__(self, message: str = "the lock server is disabled (start with --lock_server)") -> None:
        LockError.__init__(self, message)
        self.what = "the lock manager"
        self.public_message = message
