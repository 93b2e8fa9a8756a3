"""The MongoDB code path over the wire, through the real `python server.py`, for each `--db_driver`.

The database is nx-27017 (a MongoDB wire-protocol server, started on a free port), or a real MongoDB when
MONGODB_URI is set. The server answers the spec's curl session, turns a duplicate key into a 409, answers 503
within the server-selection timeout once the database stops (and says so on /health), and serves again when the
database is back, without a restart. Stopping and restarting the database needs the local nx-27017: with
MONGODB_URI those tests are skipped.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.collection import Collection

from tests.integration.tasks.http_calls import call
from tests.integration.tasks.spec_session import replay_the_spec_session
from tests.support.nx_27017_process import Nx27017Process
from tests.support.server_process import ServerProcess

DRIVERS = ("motor", "pymongo")
TIMEOUT_MS = 1000
# Generous: a hang (a driver's 30 s default selection timeout) fails, a loaded machine does not.
UNAVAILABLE_DEADLINE = 10.0
RECOVERY_DEADLINE = 30.0
REAL_MONGODB = os.environ.get("MONGODB_URI")


@dataclass
class Deployment:
    server: ServerProcess
    database_uri: str
    nx_27017: Nx27017Process | None


@pytest.fixture(scope="module", params=DRIVERS)
def deployment(request: pytest.FixtureRequest) -> Iterator[Deployment]:
    """The server on a database of its own (a fresh name per driver, so the spec session starts empty)."""
    driver = request.param
    name = f"wire_smoke_{driver}_{uuid.uuid4().hex[:8]}"
    nx_27017 = None if REAL_MONGODB else Nx27017Process().start()
    base_uri = REAL_MONGODB or (nx_27017.uri() if nx_27017 else "")
    uri = _with_database(base_uri, name)
    server = ServerProcess(["--db_uri", uri, "--db_driver", driver, "--db_timeout_ms", str(TIMEOUT_MS)])
    try:
        with server:
            yield Deployment(server, uri, nx_27017)
    finally:
        if REAL_MONGODB:
            client: MongoClient[dict[str, Any]]
            with MongoClient(uri, serverSelectionTimeoutMS=3000) as client:
                client.drop_database(name)
        if nx_27017 is not None:
            nx_27017.__exit__(None, None, None)


def _with_database(uri: str, name: str) -> str:
    """`mongodb://host:port/other?x=y` -> `mongodb://host:port/name?x=y`."""
    head, _, query = uri.partition("?")
    scheme, _, rest = head.partition("://")
    location = rest.split("/", 1)[0]
    return f"{scheme}://{location}/{name}" + (f"?{query}" if query else "")


def test_the_spec_session_over_the_wire(deployment: Deployment) -> None:
    replay_the_spec_session(deployment.server.port)


def test_health_reports_the_database_ok(deployment: Deployment) -> None:
    answer = call(deployment.server.port, "GET", "/health")
    assert answer.status == 200, answer.body
    assert answer.json()["checks"]["database"]["status"] == "ok"


def test_a_duplicate_key_is_a_409(deployment: Deployment) -> None:
    """A unique index made outside the server (as an operator would): the second task with that title conflicts."""
    client: MongoClient[dict[str, Any]]
    with MongoClient(deployment.database_uri, serverSelectionTimeoutMS=5000) as client:
        tasks: Collection[dict[str, Any]] = client.get_default_database()["tasks"]
        index = tasks.create_index("title", unique=True)
        try:
            first = call(deployment.server.port, "POST", "/tasks", '{"title": "only once"}')
            assert first.status == 201, first.body
            second = call(deployment.server.port, "POST", "/tasks", '{"title": "only once"}')
            assert second.status == 409, second.body
            assert second.json()["message"] == "a task with the same key already exists"
            assert call(deployment.server.port, "DELETE", first.headers["Location"]).status == 204
        finally:
            tasks.drop_index(index)


@pytest.mark.skipif(bool(REAL_MONGODB), reason="stops and restarts the database: only with the local nx-27017")
def test_database_stopped_is_a_fast_503_and_back_serves_again_without_restart(deployment: Deployment) -> None:
    nx_27017 = deployment.nx_27017
    assert nx_27017 is not None
    port = deployment.server.port
    created = call(port, "POST", "/tasks", '{"title": "kept across the restart"}')
    assert created.status == 201, created.body
    nx_27017.stop()
    try:
        started = time.monotonic()
        answer = call(port, "GET", "/tasks")
        assert time.monotonic() - started < UNAVAILABLE_DEADLINE
        assert answer.status == 503, answer.body
        assert answer.json()["message"] == "the database is not available; try again shortly"
        health = call(port, "GET", "/health")
        assert health.status == 503
        assert health.json()["checks"]["database"]["status"] == "unavailable"
    finally:
        nx_27017.start()
    deadline = time.monotonic() + RECOVERY_DEADLINE
    while (read := call(port, "GET", created.headers["Location"])).status != 200:
        assert read.status == 503, read.body
        assert time.monotonic() < deadline, "the server did not serve again once the database was back"
        time.sleep(0.2)
    assert read.json()["title"] == "kept across the restart"
    assert call(port, "GET", "/health").status == 200
    assert call(port, "DELETE", created.headers["Location"]).status == 204
