"""`GET /locking/{id}` on the real server: 200 after holding the lock, 409 for a concurrent request for the same
id (from this or another process), 503 when the lock server is off or down; `/health` reports the lock server."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import etcd as python_etcd
import pytest

from src.utils.concurrency.etcd_v2 import create_client
from src.utils.concurrency.lock_manager import LockManager
from tests.support.etcd_process import EtcdProcess
from tests.support.server_process import ServerProcess


def get(url: str, timeout: float = 10.0) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def wait_until_held(etcd: EtcdProcess, lock_id: str) -> None:
    """Until some process holds `lock_id` (its key exists in etcd)."""
    key = LockManager(etcd.host, etcd.port).key(lock_id)
    client = create_client(etcd.host, etcd.port, 2.0)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            client.read(key)
            return
        except python_etcd.EtcdKeyNotFound:
            time.sleep(0.01)
    raise AssertionError(f"{lock_id} was not taken within 5 s")


def lock_server_args(etcd: EtcdProcess, hold: float = 1.0) -> list[str]:
    return ["--lock_server", "--lock_server_host", etcd.host, "--lock_server_port", str(etcd.port),
            "--locking_hold_seconds", str(hold)]


def test_concurrent_requests_for_one_id_get_200_and_409(etcd: EtcdProcess, lock_id: str) -> None:
    with ServerProcess(lock_server_args(etcd)) as server, ThreadPoolExecutor(4) as pool:
        holding = pool.submit(get, f"{server.url}/locking/{lock_id}")
        other_id = pool.submit(get, f"{server.url}/locking/{lock_id}-other")
        # Once the first request holds the lock, a second one for the same id is refused at once.
        wait_until_held(etcd, lock_id)
        status, body = get(f"{server.url}/locking/{lock_id}")
        assert status == 409
        assert body["code"] == 409 and lock_id in body["message"] and body["uri"] == f"/locking/{lock_id}"
        assert holding.result() == (200, {"lock": lock_id})
        assert other_id.result() == (200, {"lock": f"{lock_id}-other"})
        # Released after the hold: the id can be locked again.
        assert get(f"{server.url}/locking/{lock_id}") == (200, {"lock": lock_id})
        status, health = get(f"{server.url}/health")
        assert status == 200 and health["checks"]["lock_server"]["status"] == "ok"


def test_another_server_process_gets_409_while_one_holds_the_lock(etcd: EtcdProcess, lock_id: str) -> None:
    with ServerProcess(lock_server_args(etcd, hold=1.5)) as first, \
            ServerProcess(lock_server_args(etcd, hold=1.5)) as second, ThreadPoolExecutor(2) as pool:
        holding = pool.submit(get, f"{first.url}/locking/{lock_id}")
        wait_until_held(etcd, lock_id)
        assert get(f"{second.url}/locking/{lock_id}")[0] == 409
        assert holding.result()[0] == 200


def test_lock_server_disabled_answers_503_json() -> None:
    with ServerProcess() as server:
        status, body = get(f"{server.url}/locking/anything")
        assert status == 503 and body["code"] == 503 and "--lock_server" in body["message"]
        status, health = get(f"{server.url}/health")
        assert "lock_server" not in health["checks"]


def test_lock_server_down_answers_503_json_and_health_says_so(own_etcd: EtcdProcess) -> None:
    with ServerProcess(lock_server_args(own_etcd)) as server:
        own_etcd.stop()
        status, body = get(f"{server.url}/locking/x")
        assert status == 503 and body["message"] == "the lock server is unavailable"
        status, health = get(f"{server.url}/health")
        assert status == 503 and health["checks"]["lock_server"]["status"] == "unavailable"
        assert server.stop() == 0
    assert "LockServerUnavailable" in server.output() or "lock server" in server.output()


def test_graceful_shutdown_releases_a_lock_held_by_a_request(etcd: EtcdProcess, lock_id: str) -> None:
    with ServerProcess(lock_server_args(etcd, hold=1.0)) as server, ThreadPoolExecutor(1) as pool:
        holding = pool.submit(get, f"{server.url}/locking/{lock_id}")
        wait_until_held(etcd, lock_id)
        assert server.stop() == 0  # SIGTERM while the request holds the lock: it finishes, then the lock goes
        assert holding.result() == (200, {"lock": lock_id})
    with ServerProcess(lock_server_args(etcd, hold=0)) as again:
        assert get(f"{again.url}/locking/{lock_id}") == (200, {"lock": lock_id})


def test_shutdown_releases_a_lock_whose_request_outlives_the_grace_period(etcd: EtcdProcess, lock_id: str) -> None:
    args = [*lock_server_args(etcd, hold=30), "--lock_ttl", "30", "--shutdown_grace", "0.3"]
    with ServerProcess(args) as server, ThreadPoolExecutor(1) as pool:
        pool.submit(get, f"{server.url}/locking/{lock_id}")
        wait_until_held(etcd, lock_id)
        assert server.stop() == 0
    # Released by the lock manager's shutdown hook, not left for its 30 s TTL.
    key = LockManager(etcd.host, etcd.port).key(lock_id)
    with pytest.raises(python_etcd.EtcdKeyNotFound):
        create_client(etcd.host, etcd.port, 2.0).read(key)
