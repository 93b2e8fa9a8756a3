"""A python-etcd client that fails fast, and the translation of its transport failures.

python-etcd's defaults suit a batch script, not a server: a 60 s read timeout, and urllib3's default retries
(four tries), so an etcd that accepts connections but never answers blocks a call for four minutes. Here every
call, connect and read, is bounded by `timeout` seconds and nothing is retried: a create that timed out may have
been applied, and retrying it would make the lock look taken by someone else. The client is blocking; callers run
it in an executor (see `LockManager`).
"""

from __future__ import annotations

import logging

import etcd
import urllib3
from urllib3.exceptions import HTTPError

from src.utils.concurrency.lock_errors import LockServerUnavailable

# python-etcd logs every failed request at ERROR before raising; the lock manager reports those failures itself
# (as LockServerUnavailable, with the context of the lock), so the library's own lines would only duplicate them.
logging.getLogger("etcd.client").setLevel(logging.CRITICAL)

# Answers from etcd about a key (and a watch that saw no change in time), not failures of the lock server.
KEY_ANSWERS: tuple[type[Exception], ...] = (etcd.EtcdKeyError, etcd.EtcdCompareFailed, etcd.EtcdEventIndexCleared,
                                            etcd.EtcdWatchTimedOut)


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


def unavailable(error: BaseException, host: str, port: int) -> LockServerUnavailable:
    """The LockServerUnavailable a transport or protocol failure becomes, with a hint where one helps."""
    reason = str(error) or type(error).__name__
    if isinstance(error, etcd.EtcdException) and "404 page not found" in reason:
        reason = "etcd answered without its v2 API; start it with --enable-v2=true (etcd <= 3.5)"
    elif isinstance(error, etcd.EtcdConnectionFailed) and getattr(error, "cause", None) is not None:
        reason = _describe(error.cause)
    return LockServerUnavailable(f"lock server {host}:{port} unavailable: {reason}")


def is_transport_error(error: BaseException) -> bool:
    """Failures that mean etcd could not be asked or did not answer (as opposed to an answer about a key)."""
    if isinstance(error, KEY_ANSWERS):
        return False
    return isinstance(error, etcd.EtcdException | HTTPError | OSError)


def _describe(cause: BaseException) -> str:
    if isinstance(cause, urllib3.exceptions.ReadTimeoutError):
        return "no answer within the timeout"
    if isinstance(cause, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError):
        return f"cannot connect ({cause.__class__.__name__}: {str(cause).rsplit(': ', 1)[-1]})"
    return f"{type(cause).__name__}: {cause}"
