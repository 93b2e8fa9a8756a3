"""A real server per transport (`--http_parser tornado|httptools`) for the HTTP/1.1 conformance tests: every
test here runs once per transport the server offers, with the embedded store.

`HTTPTOOLS_GAPS` names the tests the httptools transport is known to fail, each with what it lacks; they run as
`xfail(strict=True)`, so a gap that gets fixed fails the suite until its entry is removed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.http_parsers import transport_params
from tests.support.server_process import ServerProcess

HTTPTOOLS_GAPS: dict[str, str] = {}


@pytest.fixture(scope="module", params=transport_params())
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(autouse=True)
def _known_gap(request: pytest.FixtureRequest, transport: str) -> None:
    reason = HTTPTOOLS_GAPS.get(request.node.name) if transport == "httptools" else None
    if reason is not None:
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))


@pytest.fixture(scope="module")
def server(transport: str) -> Iterator[ServerProcess]:
    with ServerProcess(["--body_timeout", "5"], http_parser=transport) as running:
        yield running
