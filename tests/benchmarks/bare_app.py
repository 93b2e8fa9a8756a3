"""The bare-Tornado reference of `make bench`: the same endpoints as this server, none of its features.

No request ids, no canonical log line, no body-size streaming, no CORS, no store: tasks live in a dict. What this
app does per request is what Tornado itself costs; the bench reports this server's figures as ratios of these.

    python -m tests.benchmarks.bare_app --port 8888 [--proc 2] [--loop uvloop] [--seed 10000]
    python -m tests.benchmarks.bare_app --port 8888 --db tasks.sqlite3   # the tasks in SQLite, access lines on
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import uuid
from collections.abc import Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, HTTPError, RequestHandler

from tests.benchmarks.bare_store_app import SQLiteTasks, log_access_lines, make_store_app

Tasks = dict[str, dict[str, Any]]

_OK = json.dumps({"status": "ok"})


class StatusHandler(RequestHandler):
    """`GET /ping` and `GET /health`: a constant JSON body."""

    def get(self) -> None:
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(_OK)


class TasksHandler(RequestHandler):
    """`POST /tasks` into the dict (201, empty body, Location); `GET /tasks?limit=N`: the first N as {id: task}."""

    def initialize(self, tasks: Tasks) -> None:
        self.tasks = tasks

    def post(self) -> None:
        document = json.loads(self.request.body)
        task_id = uuid.uuid4().hex
        task = {"id": task_id, **document}
        self.tasks[task_id] = task
        self.set_status(201)
        self.set_header("Location", f"/tasks/{task_id}")
        self.finish()

    def get(self) -> None:
        limit = int(self.get_query_argument("limit", "100"))
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.set_header("X-Total-Count", str(len(self.tasks)))
        self.finish(json.dumps(dict(islice(self.tasks.items(), limit))))


class TaskHandler(RequestHandler):
    """`GET /tasks/{id}`."""

    def initialize(self, tasks: Tasks) -> None:
        self.tasks = tasks

    def get(self, task_id: str) -> None:
        task = self.tasks.get(task_id)
        if task is None:
            raise HTTPError(404)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps(task))


def make_app(tasks: Tasks) -> Application:
    return Application([
        (r"/ping", StatusHandler),
        (r"/health", StatusHandler),
        (r"/tasks", TasksHandler, {"tasks": tasks}),
        (r"/tasks/([^/]+)", TaskHandler, {"tasks": tasks}),
    ])


def seeded_tasks(count: int) -> Tasks:
    """`count` tasks with ids `0000...0001`, `0000...0002`, ... (the same on every start)."""
    tasks: Tasks = {}
    for number in range(1, count + 1):
        task_id = f"{number:032x}"
        tasks[task_id] = {"id": task_id, "title": f"task {number}", "description": "seeded for the bench",
                          "priority": "normal", "completed": False}
    return tasks


def build_app(seed: int, db: Path | None) -> Application:
    if db is None:
        return make_app(seeded_tasks(seed))
    log_access_lines()
    return make_store_app(SQLiteTasks(db), StatusHandler)


async def serve(sockets: list[socket.socket], seed: int, db: Path | None) -> None:
    server = HTTPServer(build_app(seed, db))
    server.add_sockets(sockets)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    server.stop()


def run(sockets: list[socket.socket], seed: int, loop: str, db: Path | None = None) -> None:
    if loop == "uvloop":
        import uvloop  # noqa: PLC0415 - optional; imported only when asked for

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(serve(sockets, seed, db))
        return
    asyncio.run(serve(sockets, seed, db))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--proc", type=int, default=1, help="processes, each with its own SO_REUSEPORT socket")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--seed", type=int, default=0, help="tasks stored at start-up")
    parser.add_argument("--db", type=Path, help="keep the tasks in this SQLite file (tests.benchmarks.peer_store)")
    options = parser.parse_args(argv)
    if options.proc == 1:
        run(bind_sockets(options.port, options.address), options.seed, options.loop, options.db)
        return 0
    # Like this server's --proc N: one listening socket per worker, so the kernel spreads the connections.
    children: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for _ in range(options.proc):
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            run(bind_sockets(options.port, options.address, reuse_port=True), options.seed, options.loop)
            os._exit(0)
        children.append(pid)
    for child in children:
        os.waitpid(child, 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
