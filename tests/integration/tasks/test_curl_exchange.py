"""The spec's curl session (spec 002, section 2), replayed over real HTTP against `python server.py` with no
MongoDB: the embedded store answers every step with the spec's status codes and headers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.tasks.http_calls import call
from tests.integration.tasks.spec_session import replay_the_spec_session
from tests.support.server_process import ServerProcess


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with ServerProcess() as running:
        yield running


def test_the_spec_session(server: ServerProcess) -> None:
    replay_the_spec_session(server.port)

def test_the_spec_example_id_is_a_404(server: ServerProcess) -> None:
    missing = call(server.port, "GET", "/tasks/66fdbb78e79846849608b2cfe244a858")
    assert missing.status == 404
    assert missing.json()["message"] == "task 66fdbb78e79846849608b2cfe244a858 not found"


def test_health_reports_the_embedded_store(server: ServerProcess) -> None:
    health = call(server.port, "GET", "/health")
    assert health.status == 200
    assert health.json()["checks"]["database"]["status"] == "ok"
