"""Fixtures of the spec-example modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.server_process import ServerProcess


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    """One real server per spec-example module."""
    with ServerProcess() as running:
        yield running
