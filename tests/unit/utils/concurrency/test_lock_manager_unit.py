"""What the lock manager decides without a lock server: the process-wide instance, settings validation, key
names, and how client failures are classified and described."""

from __future__ import annotations

import time

import etcd
import pytest
import urllib3

from src.settings import LockServerSettings
from src.utils.concurrency.etcd_v2 import create_client, describe, is_transport_error
from src.utils.concurrency.lock_errors import (
    ExistingLockError,
    LockServerDisabled,
    LockServerUnavailable,
    LockTimeoutError,
)
from src.utils.concurrency.lock_manager import LockManager
from tests.support.server_process import free_port


def test_get_without_init_says_the_lock_server_is_disabled() -> None:
    assert LockManager.enabled() is False
    with pytest.raises(LockServerDisabled, match="--lock_server"):
        LockManager.get()


async def test_init_creates_the_process_instance_from_the_settings_and_close_forgets_it() -> None:
    manager = LockManager.init(LockServerSettings(enabled=True, host="127.0.0.1", port=2999, ttl=7, timeout=0.5))
    assert LockManager.get() is manager and LockManager.enabled()
    assert (manager.host, manager.port, manager.ttl, manager.timeout) == ("127.0.0.1", 2999, 7, 0.5)
    await manager.close()
    assert not LockManager.enabled()


def test_ttl_below_one_second_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1 second"):
        LockManager(ttl=0)


def test_keys_are_one_escaped_segment_under_the_prefix() -> None:
    manager = LockManager(key_prefix="/app/locks/")
    assert manager.key("report@1700000000000") == "/app/locks/report@1700000000000"
    assert manager.key("..") == "/app/locks/~2E~2E"
    assert manager.key("a/b") != manager.key("a~2Fb")  # escaping is one-to-one: `~` itself is escaped
    with pytest.raises(ValueError, match="empty"):
        manager.key("")


def test_error_types_nest_as_callers_catch_them() -> None:
    timeout = LockTimeoutError("x", 1.5)
    assert isinstance(timeout, ExistingLockError) and timeout.lock_id == "x"
    assert "1.5 s" in str(timeout)
    assert "already held" in str(ExistingLockError("x"))


def test_transport_failures_are_told_apart_from_answers_about_keys() -> None:
    assert is_transport_error(etcd.EtcdConnectionFailed("down"))
    assert is_transport_error(etcd.EtcdException("Bad response : 404 page not found"))
    assert is_transport_error(urllib3.exceptions.ProtocolError("reset"))
    assert is_transport_error(ConnectionRefusedError())
    for answer in (etcd.EtcdAlreadyExist(), etcd.EtcdKeyNotFound(), etcd.EtcdCompareFailed(),
                   etcd.EtcdWatchTimedOut("no change"), etcd.EtcdEventIndexCleared()):
        assert not is_transport_error(answer)
    assert not is_transport_error(ValueError("a bug"))


def test_failure_descriptions_name_the_fix() -> None:
    v2_off = describe(etcd.EtcdException("Bad response : 404 page not found"))
    assert "--enable-v2=true" in v2_off and "--lock_api v3" in v2_off
    read_timeout = urllib3.exceptions.ReadTimeoutError(None, "/v2/keys", "Read timed out.")  # type: ignore[arg-type]
    assert describe(etcd.EtcdConnectionFailed("failed", cause=read_timeout)) == "no answer within the timeout"


async def test_a_closed_port_fails_at_once_and_nothing_is_retried() -> None:
    client = create_client("127.0.0.1", free_port(), timeout=2.0)
    started = time.monotonic()
    with pytest.raises(etcd.EtcdConnectionFailed):
        client.read("/anything")
    assert time.monotonic() - started < 1.0

    manager = LockManager("127.0.0.1", free_port(), timeout=2.0)
    with pytest.raises(LockServerUnavailable, match="cannot connect"):
        await manager.acquire("x", blocking=False)
    with pytest.raises(LockServerUnavailable):
        await manager.check()
    assert manager.held_locks() == []
    assert await manager.release("x") is False  # never held: no call at all
    await manager.close()
