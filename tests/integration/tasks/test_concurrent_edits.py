"""No lost updates across two worker processes (`--proc 2`) on one store: eight clients each increment one task's
counter by read-modify-write (GET, then PUT or merge-PATCH with `If-Match`, again on 412).

Every acknowledged increment counts: the counter ends at exactly CLIENTS x ROUNDS. The race is real: the clients
get 412s (each one a write that, without `If-Match`, would have overwritten another client's increment), every
412 they get is one the server logged, and both workers applied writes, so the conflicts cross processes.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor

from tests.support.raw_http import RawConnection, request
from tests.support.server_process import ServerProcess

CLIENTS = 8
ROUNDS = 20
MAX_ATTEMPTS_PER_INCREMENT = 1000  # only a server that never lets a write through reaches this


def increment(port: int, location: str, number: int) -> int:
    """ROUNDS increments, each retried on 412 until it applies; returns the number of 412s."""
    conflicts = 0
    for round_ in range(ROUNDS):
        # A new connection each round: the rounds spread over both workers, not one keep-alive peer.
        with RawConnection(port, timeout=30) as connection:
            for _attempt in range(MAX_ATTEMPTS_PER_INCREMENT):
                seen = connection.exchange(request("GET", location))
                assert seen.status == 200, seen.body
                task = seen.json()
                task["description"] = str(int(task["description"]) + 1)
                headers = {"If-Match": seen.headers["etag"]}
                # Half the writes replace, half merge-patch: both honour If-Match.
                if (number + round_) % 2:
                    written = connection.exchange(request(
                        "PUT", location, {**headers, "Content-Type": "application/json"}, json.dumps(task).encode()))
                else:
                    written = connection.exchange(request(
                        "PATCH", location, {**headers, "Content-Type": "application/merge-patch+json"},
                        json.dumps({"description": task["description"]}).encode()))
                if written.status != 412:
                    assert written.status in (200, 204), (written.status, written.body)
                    break
                assert written.json()["code"] == 412
                conflicts += 1
            else:
                raise AssertionError("an increment never got through")
    return conflicts


def test_if_match_increments_from_eight_clients_on_two_workers_are_never_lost() -> None:
    with ServerProcess(["--proc", "2"]) as server:
        server.wait_workers_listening(2)  # on a loaded machine the second may still be starting
        with RawConnection(server.port) as connection:
            created = connection.exchange(request("POST", "/tasks", {"Content-Type": "application/json"},
                                                  json.dumps({"title": "counter", "description": "0"}).encode()))
            assert created.status == 201, created.body
            location = created.headers["location"]

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            conflicts = sum(pool.map(lambda number: increment(server.port, location, number), range(CLIENTS)))
        with RawConnection(server.port) as connection:
            final = int(connection.exchange(request("GET", location)).json()["description"])
        print(f"with If-Match: {final} of {CLIENTS * ROUNDS} increments, {conflicts} retries after 412")
        assert final == CLIENTS * ROUNDS
        assert server.stop() == 0

    output = server.output()
    assert conflicts > 0, "the clients never raced: the test did not exercise If-Match"
    assert conflicts == len(re.findall(rf"method=(?:PUT|PATCH) uri={location} .*status=412", output))
    writers = set(re.findall(rf"pid=(\d+) .*method=(?:PUT|PATCH) uri={location} .*status=20[04]", output))
    assert len(writers) == 2, output[-2000:]
