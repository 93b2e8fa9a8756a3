"""Two worker processes (`--proc 2`) writing concurrently to one embedded store file lose nothing."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from tests.integration.tasks.http_calls import call
from tests.support.server_process import ServerProcess

BATCH = 40  # POSTs per round, 8 at a time, each on a new connection
MIN_POSTS = 80
MAX_ROUNDS = 25  # a bound for a machine so loaded that one worker wins nearly every accept
WORKER_WRITE = re.compile(r"pid=(\d+) .*method=POST uri=/tasks .*status=201")


def test_concurrent_posts_across_two_workers_all_land() -> None:
    with ServerProcess(["--proc", "2"]) as server:
        server.wait_workers_listening(2)

        def post(n: int) -> str:
            answer = call(server.port, "POST", "/tasks", f'{{"title": "concurrent {n}"}}')
            assert answer.status == 201, answer.body
            return answer.headers["Location"].rsplit("/", 1)[1]

        created: list[str] = []
        with ThreadPoolExecutor(max_workers=8) as pool:
            # Rounds until both workers have taken writes: which worker accepts a connection is the kernel's choice.
            for _ in range(MAX_ROUNDS):
                created += pool.map(post, range(len(created), len(created) + BATCH))
                if len(created) >= MIN_POSTS and len(set(WORKER_WRITE.findall(server.output()))) == 2:
                    break
        assert len(set(created)) == len(created)

        listed = call(server.port, "GET", "/tasks?limit=1000")
        assert listed.headers["X-Total-Count"] == str(len(created))
        tasks = listed.json()
        assert set(tasks) == set(created)
        assert {task["title"] for task in tasks.values()} == {f"concurrent {n}" for n in range(len(created))}
        assert server.stop() == 0
        writers = set(WORKER_WRITE.findall(server.output()))
        assert len(writers) == 2, server.output()[-2000:]
