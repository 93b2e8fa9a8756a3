"""Real etcd processes for the lock tests: `etcd` is shared by a module's tests (each test uses its own lock
ids), `own_etcd` is a fresh one for tests that stop or pause it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.support.etcd_process import EtcdProcess


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
