"""One etcd member through the v2 API with python-etcd (`--lock_api v2`, the spec's client).

python-etcd's defaults suit a batch script, not a server: a 60 s read timeout, and urllib3's default retries
(four tries), so an etcd that accepts connections but never answers blocks a call for four minutes. Here every
call, connect and read, is bounded by `timeout` seconds and nothing is retried: a create that timed out may have
been applied, and the cluster (not urllib3) decides what to do about that. The client is blocking; the cluster
runs it in executor threads. A TTL is a key's own; the fencing token is the key's modifiedIndex.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import etcd
import urllib3
from urllib3.exceptions import HTTPError

from src.utils.concurrency.etcd_member import Grant, KeyMissing, KeyState, KeyTaken, MemberFailure

# python-etcd logs every failed request at ERROR before raising; the lock code reports those failures itself
# (with the context of the lock), so the library's own lines would only duplicate them.
logging.getLogger("etcd.client").setLevel(logging.CRITICAL)

# Answers from etcd about a key (and a watch that saw no change in time), not failures of the member.
KEY_ANSWERS: tuple[type[Exception], ...] = (etcd.EtcdKeyError, etcd.EtcdCompareFailed, etcd.EtcdEventIndexCleared,
                                            etcd.EtcdWatchTimedOut)

T = TypeVar("T")


def create_client(host: str, port: int, timeout: float, pool_size: int = 10) -> etcd.Client:
    """A client for etcd's v2 API at host:port; every call fails within `timeout` seconds and is never retried."""
    client = etcd.Client(host=host, port=port, read_timeout=timeout, allow_reconnect=False,
                         per_host_pool_size=pool_size)
    client.http.clear()
    # retries=False: no retry of any kind, and urllib3 raises the original error (a watch's read timeout must
    # stay a ReadTimeoutError for python-etcd to report it as EtcdWatchTimedOut).
    bound = urllib3.Timeout(connect=timeout, read=timeout)
    client.http = urllib3.PoolManager(num_pools=2, maxsize=pool_size, timeout=bound, retries=False)
    return client


class EtcdV2Member:
    """`EtcdMember` over python-etcd."""

    def __init__(self, host: str, port: int, timeout: float, pool_size: int = 10) -> None:
        self.address = f"{host}:{port}"
        self._client = create_client(host, port, timeout, pool_size)

    def create(self, key: str, value: str, ttl: int) -> Grant:
        with self._answers():
            try:
                result = self._client.write(key, value, ttl=ttl, prevExist=False)
            except etcd.EtcdAlreadyExist as error:
                payload = error.payload if isinstance(error.payload, dict) else {}
                raise KeyTaken(int(payload.get("index", 0))) from None
        return Grant(int(result.modifiedIndex))

    def refresh(self, key: str, value: str, ttl: int, lease: int | None) -> None:
        with self._answers():
            self._client.write(key, None, ttl=ttl, refresh=True, prevExist=True, prevValue=value)

    def replace(self, key: str, old: str, new: str, ttl: int, lease: int | None) -> Grant:
        with self._answers():
            result = self._client.write(key, new, ttl=ttl, prevExist=True, prevValue=old)
        return Grant(int(result.modifiedIndex))

    def delete(self, key: str, value: str, lease: int | None) -> None:
        with self._answers():
            self._client.delete(key, prevValue=value)

    def read(self, key: str) -> KeyState | None:
        try:
            with self._answers():
                result = self._client.read(key, quorum=True)
        except KeyMissing:
            return None
        return KeyState(str(result.value), int(result.modifiedIndex))

    def read_prefix(self, prefix: str) -> dict[str, KeyState]:
        try:
            with self._answers():
                result = self._client.read(prefix, recursive=True, quorum=True)
        except KeyMissing:
            return {}
        return {node.key: KeyState(str(node.value), int(node.modifiedIndex))
                for node in result.leaves if not node.dir}

    def watch(self, key: str, after: int, seconds: float) -> None:
        # Any outcome means: look again. A watch that saw nothing in `seconds` is not a failure of the member.
        with contextlib.suppress(KeyMissing, etcd.EtcdWatchTimedOut, etcd.EtcdEventIndexCleared), self._answers():
            self._client.watch(key, index=after, timeout=seconds)

    def check(self, key: str) -> None:
        with contextlib.suppress(KeyMissing), self._answers():  # no lock taken yet: etcd answered, all this checks
            self._client.read(key, quorum=True)

    def close(self) -> None:
        self._client.http.clear()

    @contextlib.contextmanager
    def _answers(self) -> Iterator[None]:
        """python-etcd's errors as the member contract's: key answers, or a `MemberFailure` with its reason."""
        try:
            yield
        except (etcd.EtcdKeyNotFound, etcd.EtcdCompareFailed, etcd.EtcdNotFile) as error:
            raise KeyMissing(str(error)) from None
        except Exception as error:
            if is_transport_error(error):
                raise MemberFailure(f"{self.address}: {describe(error)}", uncertain=_maybe_applied(error)) from error
            raise


def call_quietly(function: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """`function(...)`, or None when it raised: for best-effort clean-up in a worker thread."""
    try:
        return function(*args, **kwargs)
    except Exception:  # noqa: BLE001 - clean-up only; the TTL is the fallback
        return None


def is_transport_error(error: BaseException) -> bool:
    """Failures that mean etcd could not be asked or did not answer (as opposed to an answer about a key)."""
    if isinstance(error, KEY_ANSWERS):
        return False
    return isinstance(error, etcd.EtcdException | HTTPError | OSError)


def describe(error: BaseException) -> str:
    """A short reason for a failure, with a hint where one helps."""
    reason = str(error) or type(error).__name__
    if isinstance(error, etcd.EtcdException) and "404 page not found" in reason:
        return "etcd answered without its v2 API; start it with --enable-v2=true (etcd <= 3.5), or use --lock_api v3"
    cause = getattr(error, "cause", None)
    if isinstance(error, etcd.EtcdConnectionFailed) and cause is not None:
        if isinstance(cause, urllib3.exceptions.ReadTimeoutError):
            return "no answer within the timeout"
        if isinstance(cause, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError):
            return f"cannot connect ({cause.__class__.__name__}: {str(cause).rsplit(': ', 1)[-1]})"
        return f"{type(cause).__name__}: {cause}"
    return reason


def _maybe_applied(error: BaseException) -> bool:
    cause = getattr(error, "cause", error)
    return not isinstance(cause, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError
                          | ConnectionRefusedError)
