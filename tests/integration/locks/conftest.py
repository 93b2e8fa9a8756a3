"""Real etcd processes for the lock tests: `etcd` is shared by a module's tests (each test uses its own lock
ids), `own_etcd` is a fresh one for tests that stop or pause it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.support.etcd_cluster import EtcdCluster
from tests.support.etcd_process import EtcdProcess


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The `cluster` suite runs only when asked for (`-m cluster`, `make test-cluster`): it takes minutes."""
    if "cluster" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="multi-host fault test: run with make test-cluster (-m cluster)")
    for item in items:
        if item.get_closest_marker("cluster") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def etcd() -> Iterator[EtcdProcess]:
    with EtcdProcess() as process:
        yield process


@pytest.fixture
def own_etcd() -> Iterator[EtcdProcess]:
    with EtcdProcess() as process:
        yield process


@pytest.fixture
def lock_id() -> str:
    """A lock id no other test uses."""
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def etcd_cluster() -> Iterator[EtcdCluster]:
    """A fresh 3-member cluster on 127.0.0.2-4 (tests stop, kill and pause its members)."""
    with EtcdCluster() as cluster:
        yield cluster


@pytest.fixture(params=["v2", "v3"])
def lock_api(request: pytest.FixtureRequest) -> str:
    """Each test that takes it runs once per etcd API (etcd 3.4 serves both)."""
    return str(request.param)
