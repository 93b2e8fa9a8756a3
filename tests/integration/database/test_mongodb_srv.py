"""`MONGODB_URI=mongodb+srv://...` (MongoDB Atlas, Heroku) through each `--db_driver`: the URI reaches the driver as
given, its database is the one used, start-up neither waits for nor fails on DNS, and a name whose SRV records
cannot be resolved is a database that is down (503, /health says so), never a 500."""

from __future__ import annotations

import importlib.metadata
import time
from collections.abc import Iterator

import pytest

from tests.integration.tasks.http_calls import call
from tests.support.server_process import ServerProcess

# `.invalid` never resolves (RFC 2606): the SRV lookup fails as it would while Atlas's DNS is unreachable.
SRV_URI = "mongodb+srv://app:s3cr3t@cluster0.tb-test.invalid/todo?retryWrites=true&w=majority"


def test_pymongo_brings_dnspython_for_srv_uris() -> None:
    requirements = importlib.metadata.requires("pymongo") or []
    assert any(requirement.startswith("dnspython") and "extra" not in requirement for requirement in requirements)
    importlib.import_module("dns.resolver")


@pytest.fixture(scope="module", params=["motor", "pymongo"])
def server(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    with ServerProcess(["--db_uri", SRV_URI, "--db_driver", request.param, "--db_timeout_ms", "1000"]) as running:
        yield running


def test_an_unresolvable_srv_name_is_a_database_that_is_down(server: ServerProcess) -> None:
    started = time.monotonic()
    answer = call(server.port, "GET", "/tasks")
    assert time.monotonic() - started < 15, "bounded, never a hang"
    assert answer.status == 503, answer.body
    assert answer.json()["message"] == "the database is not available; try again shortly"
    health = call(server.port, "GET", "/health")
    assert health.status == 503
    assert health.json()["checks"]["database"]["status"] == "unavailable"


def test_the_start_up_log_names_the_srv_cluster_and_database_not_the_credentials(server: ServerProcess) -> None:
    output = server.output()
    assert "mongodb+srv://cluster0.tb-test.invalid/todo" in output
    assert "s3cr3t" not in output
