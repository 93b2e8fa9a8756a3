"""A real server per transport (`--http_parser tornado|httptools`) for the HTTP/1.1 conformance tests: every
test here runs once per transport the server offers, with the embedded store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.http_parsers import transport_params
from tests.support.server_process import ServerProcess


@pytest.fixture(scope="module", params=transport_params())
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def server(transport: str) -> Iterator[ServerProcess]:
    with ServerProcess(["--body_timeout", "5"], http_parser=transport) as running:
        yield running
