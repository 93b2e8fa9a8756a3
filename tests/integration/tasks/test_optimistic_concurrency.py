"""No lost updates: eight clients each increment one task's counter 50 times by read-modify-write.

With `If-Match` (and a retry on 412) every acknowledged increment counts: the counter ends at exactly 400. The
same clients without `If-Match` end below 400, which shows the race is real and the first assertion could fail.
The server runs two workers, so the writers also race across processes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest

from tests.support.raw_http import RawConnection, request
from tests.support.server_process import ServerProcess

CLIENTS = 8
INCREMENTS = 50
MAX_ATTEMPTS_PER_INCREMENT = 1000  # only a server that never lets a write through reaches this


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with ServerProcess(["--proc", "2"]) as running:
        yield running


def new_counter_task(port: int) -> str:
    with RawConnection(port) as connection:
        body = json.dumps({"title": "counter", "description": "0"}).encode()
        created = connection.exchange(request("POST", "/tasks", {"Content-Type": "application/json"}, body))
        assert created.status == 201
        return created.headers["location"]


def counter_of(port: int, location: str) -> int:
    with RawConnection(port) as connection:
        return int(connection.exchange(request("GET", location)).json()["description"])


def increment(port: int, location: str, conditional: bool, conflicts: list[int]) -> None:
    """INCREMENTS read-modify-write increments; with `conditional`, each retried on 412 until it applies."""
    with RawConnection(port, timeout=30) as connection:
        for _ in range(INCREMENTS):
            for _attempt in range(MAX_ATTEMPTS_PER_INCREMENT):
                current = connection.exchange(request("GET", location))
                assert current.status == 200, current.body
                headers = {"Content-Type": "application/merge-patch+json"}
                if conditional:
                    headers["If-Match"] = current.headers["etag"]
                patch = json.dumps({"description": str(int(current.json()["description"]) + 1)}).encode()
                written = connection.exchange(request("PATCH", location, headers, patch))
                if written.status == 200:
                    break
                assert written.status == 412 and conditional, (written.status, written.body)
                conflicts.append(1)
            else:
                raise AssertionError("an increment never got through")


def run_clients(port: int, location: str, conditional: bool) -> int:
    conflicts: list[int] = []
    errors: list[BaseException] = []

    def client() -> None:
        try:
            increment(port, location, conditional, conflicts)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not errors, errors[0]
    return len(conflicts)


def test_if_match_with_retry_loses_no_increment(server: ServerProcess) -> None:
    location = new_counter_task(server.port)
    conflicts = run_clients(server.port, location, conditional=True)
    final = counter_of(server.port, location)
    print(f"with If-Match: {final} of {CLIENTS * INCREMENTS} increments, {conflicts} retries after 412")
    assert final == CLIENTS * INCREMENTS


def test_without_if_match_updates_are_lost(server: ServerProcess) -> None:
    location = new_counter_task(server.port)
    run_clients(server.port, location, conditional=False)
    final = counter_of(server.port, location)
    print(f"without If-Match: {final} of {CLIENTS * INCREMENTS} increments survived")
    assert final < CLIENTS * INCREMENTS
