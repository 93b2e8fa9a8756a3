"""Optimistic concurrency across two worker processes (`--proc 2`) on one store: 8 clients each doing
read-modify-write (GET, then PATCH or PUT with `If-Match`, again on 412) never lose an increment, and the 412s
they get are real conflicts that both workers detected."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor

from tests.integration.tasks.http_calls import call
from tests.support.server_process import ServerProcess

CLIENTS = 8
ROUNDS = 20


def test_if_match_increments_from_eight_clients_are_never_lost() -> None:
    with ServerProcess(["--proc", "2"]) as server:
        created = call(server.port, "POST", "/tasks", '{"title": "0"}')
        path = created.headers["Location"]

        def client(number: int) -> int:
            conflicts = 0
            for round_ in range(ROUNDS):
                while True:
                    seen = call(server.port, "GET", path)
                    assert seen.status == 200, seen.body
                    task = seen.json()
                    task["title"] = str(int(task["title"]) + 1)
                    # Half the writes replace, half merge-patch: both honour If-Match.
                    if (number + round_) % 2:
                        answer = call(server.port, "PUT", path, json.dumps(task),
                                      {"If-Match": seen.headers["Etag"]})
                    else:
                        answer = call(server.port, "PATCH", path, json.dumps({"title": task["title"]}),
                                      {"If-Match": seen.headers["Etag"], "Content-Type": "application/json"})
                    if answer.status != 412:
                        assert answer.status in (200, 204), answer.body
                        break
                    assert answer.json()["code"] == 412
                    conflicts += 1
            return conflicts

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            conflicts = sum(pool.map(client, range(CLIENTS)))
        assert call(server.port, "GET", path).json()["title"] == str(CLIENTS * ROUNDS)
        assert server.stop() == 0
        output = server.output()
        assert conflicts == len(re.findall(r"status=412", output))
        writers = set(re.findall(r"pid=(\d+) .*method=(?:PUT|PATCH) uri=/tasks/\w+ .*status=20[04]", output))
        assert len(writers) == 2, output[-2000:]
