"""Two worker processes (`--proc 2`) writing concurrently to one embedded store file lose nothing."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from tests.integration.tasks.http_calls import call
from tests.support.server_process import ServerProcess

POSTS = 80


def test_concurrent_posts_across_two_workers_all_land() -> None:
    with ServerProcess(["--proc", "2"]) as server:
        def post(n: int) -> str:
            answer = call(server.port, "POST", "/tasks", f'{{"title": "concurrent {n}"}}')
            assert answer.status == 201, answer.body
            return answer.headers["Location"].rsplit("/", 1)[1]

        with ThreadPoolExecutor(max_workers=8) as pool:
            created = list(pool.map(post, range(POSTS)))
        assert len(set(created)) == POSTS

        listed = call(server.port, "GET", "/tasks?limit=1000")
        assert listed.headers["X-Total-Count"] == str(POSTS)
        tasks = listed.json()
        assert set(tasks) == set(created)
        assert {task["title"] for task in tasks.values()} == {f"concurrent {n}" for n in range(POSTS)}
        assert server.stop() == 0
        # Both workers took writes (each connection is a new one; the kernel spreads them over the workers).
        writers = set(re.findall(r"pid=(\d+) .*method=POST uri=/tasks .*status=201", server.output()))
        assert len(writers) == 2, server.output()[-2000:]
