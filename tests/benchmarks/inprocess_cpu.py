"""CPU per request measured in one process, which a loaded machine barely disturbs.

The server (as `Worker.serve` composes it, over an embedded store in a temporary folder, canonical line on and
written to the log file; the console to /dev/null) or a bare-Tornado reference runs in this process, and
connected socket pairs stand in for its clients: each of `--connections` clients sends its requests pipelined and
reads every answer, or with `--in-flight N` keeps at most N requests unanswered (1: the next request goes only once
the previous answer is complete, as wrk's connections do, so each request costs the server a loop iteration and
its own reads and writes). The CPU time of the process (all threads: the store's executor too) over a round, divided by
the requests in it, is the figure; other programs on the machine change the wall-clock time of a round, not its
CPU time. With `--instructions` the same run is repeated under valgrind's callgrind and the instructions executed
per request are counted instead: the same within 1-2 % under any load, to compare two trees exactly.

    python -m tests.benchmarks.inprocess_cpu --endpoint /ping
    python -m tests.benchmarks.inprocess_cpu --endpoint '/tasks/{id}' --method PUT --server bare-store
    python -m tests.benchmarks.inprocess_cpu --endpoint /ping --instructions -- --http_parser httptools
    python -m tests.benchmarks.inprocess_cpu --endpoint /ping --in-flight 1
    python -m tests.benchmarks.inprocess_cpu --endpoint /ping --loop asyncio

`{id}` in the endpoint is a random one of the stored tasks (the server's are stored through `POST /tasks` first).
`--loop asyncio|uvloop` is the process's event loop (the server's or
the reference's, and the clients'), as `server.py --loop` picks it; without it the server runs on its default loop
(uvloop, also with `--tree`) and the references on asyncio, as `make bench` runs them. Arguments after `--`
go to the server's command line. `--tree DIR` imports the server from another checkout
(`git worktree add /tmp/base main`) to compare it with this one, runs alternated.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from tests.benchmarks.inprocess_clients import Handle, drive, request

SERVERS = ("server", "bare", "bare-store")
LOOPS = ("asyncio", "uvloop")
SERVER_DEFAULT_LOOP = "uvloop"  # src/settings.py's ServerSettings.loop (a test keeps them equal)
STORED_TASKS = 2000
CALLGRIND_ENV = "TB_INPROCESS_CALLGRIND"
_LOCATION = re.compile(rb"\r\nLocation: /tasks/([0-9a-f]+)\r\n")


class Target:
    """The server under measurement, or a reference: how to hand it a connection, and the ids it stores."""

    def __init__(self, handle: Handle, task_ids: list[str], keep: object = None,
                 flush: Callable[[], None] = lambda: None) -> None:
        self.handle = handle
        self.task_ids = task_ids
        self.keep = keep  # what must stay referenced while it serves (the lifecycle closes the store when freed)
        self.flush = flush  # the periodic work of the server, done once at the end of each round


async def start_server(work: Path, loop: str, server_args: Sequence[str]) -> Target:
    from tornado.ioloop import PeriodicCallback  # noqa: PLC0415

    from src.lifecycle import Lifecycle  # noqa: PLC0415 - imported after --tree is on sys.path
    from src.server.application_factory import ApplicationFactory  # noqa: PLC0415
    from src.server.components import start_components  # noqa: PLC0415
    from src.server.http_server_factory import HTTPServerFactory  # noqa: PLC0415
    from src.server.router import Router  # noqa: PLC0415
    from src.utils.command_line.argument_parsing_utils import ArgumentParsingUtils  # noqa: PLC0415
    from src.utils.logging.logging_setup import configure_logging  # noqa: PLC0415

    context = ArgumentParsingUtils.parse(
        ["--address", "127.0.0.1", "--port", "1", "--log_dir", str(work / "logs"), "--db_path", str(work / "data"),
         "--no-example_jobs", "--log_health_checks", "--loop", loop, *server_args], environ={})
    configure_logging(context)
    _console_to_devnull(logging.getLogger())
    lifecycle = Lifecycle()
    # The metrics are flushed every second by a PeriodicCallback, which also samples the process (/proc): under
    # callgrind a second is a handful of requests, so that would be counted into each. Not started here: each
    # round flushes them once at its end instead, inside the measurement.
    start_periodic = PeriodicCallback.start
    PeriodicCallback.start = lambda self: None  # type: ignore[method-assign]
    try:
        components = await start_components(context, lifecycle, Router.features(context))
    finally:
        PeriodicCallback.start = start_periodic  # type: ignore[method-assign]
    server = HTTPServerFactory.create(ApplicationFactory.create(components), context, None)
    handle: Handle = lambda sock: server._handle_connection(sock, ("127.0.0.1", 40000))  # noqa: E731
    if server.http_parser == "httptools":
        from src.server.http1.listener import HTTP1Listener  # noqa: PLC0415 - optional transport

        on_connection = HTTP1Listener(server, None).on_connection
        handle = lambda sock: on_connection(sock, ("127.0.0.1", 40000))  # noqa: E731
    stored = await drive(handle, [[request("POST", "/tasks")] * (STORED_TASKS // 8)] * 8)
    recorders = components.accounting.recorders

    def flush_metrics() -> None:
        for recorder in recorders:
            recorder.flush()

    return Target(handle, [match.decode() for match in _LOCATION.findall(stored)], keep=(lifecycle, server),
                  flush=flush_metrics)


def start_reference(name: str, work: Path) -> Target:
    from tornado.httpserver import HTTPServer  # noqa: PLC0415
    from tornado.iostream import IOStream  # noqa: PLC0415

    from tests.benchmarks import bare_app, bare_store_app, peer_store  # noqa: PLC0415

    if name == "bare":
        application = bare_app.make_app(bare_app.seeded_tasks(STORED_TASKS))
        task_ids = [f"{number:032x}" for number in range(1, STORED_TASKS + 1)]
    else:
        task_ids = [f"{number:024x}" for number in range(1, STORED_TASKS + 1)]
        peer_store.create_seeded_store(work / "tasks.sqlite3", task_ids)
        application = bare_store_app.make_store_app(bare_store_app.SQLiteTasks(work / "tasks.sqlite3"),
                                                    bare_app.StatusHandler)
        bare_store_app.log_access_lines()
        _console_to_devnull(logging.getLogger("tornado.access"))
    server = HTTPServer(application)
    return Target(lambda sock: server.handle_stream(IOStream(sock), ("127.0.0.1", 40000)), task_ids, keep=server)


def _console_to_devnull(logger: logging.Logger) -> None:
    """The console's lines are formatted and written as always, to /dev/null instead of the terminal."""
    for handler in logger.handlers:
        if not isinstance(handler, logging.FileHandler) and hasattr(handler, "stream"):
            handler.stream = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process


def batches(target: Target, method: str, endpoint: str, requests: int, connections: int,
            chooser: random.Random) -> list[list[bytes]]:
    per_connection = requests // connections
    return [[request(method, endpoint.replace("{id}", chooser.choice(target.task_ids)))
             for _ in range(per_connection)] for _ in range(connections)]


async def measure(options: argparse.Namespace) -> list[float]:
    """CPU us per request of each round (after one unmeasured warm-up round)."""
    work = Path(tempfile.mkdtemp(prefix="tb-inprocess-"))
    if options.server == "server":
        target = await start_server(work, options.loop, options.server_args)
    else:
        target = start_reference(options.server, work)
    chooser = random.Random(1)
    counted = options.requests // options.connections * options.connections
    await drive(target.handle, batches(target, options.method, options.endpoint, options.requests,
                                       options.connections, chooser), options.in_flight)
    gc.collect()
    gc.freeze()  # as the server does after start-up
    if os.environ.get(CALLGRIND_ENV):
        _callgrind_control("--instr=on")
        _callgrind_control("--zero")
    rounds = []
    for _ in range(options.rounds):
        load = batches(target, options.method, options.endpoint, options.requests, options.connections, chooser)
        started = time.process_time()
        await drive(target.handle, load, options.in_flight)
        target.flush()
        rounds.append((time.process_time() - started) * 1e6 / counted)
    if os.environ.get(CALLGRIND_ENV):
        _callgrind_control("--dump")
    return rounds


def default_loop(server: str) -> str:
    """The loop a run without `--loop` is on: this checkout's server default for the server, asyncio for the
    bare-Tornado references. Never read from `--tree`'s settings: an older tree defaulting to another loop would
    then be measured on it, and the A/B would compare loops instead of changes."""
    return SERVER_DEFAULT_LOOP if server == "server" else "asyncio"


def loop_factory(loop: str) -> Callable[[], asyncio.AbstractEventLoop]:
    """The event loop factory `asyncio.Runner` takes for `--loop`."""
    if loop == "uvloop":
        import uvloop  # noqa: PLC0415 - optional; imported only when asked for

        return uvloop.new_event_loop
    return asyncio.SelectorEventLoop


def _callgrind_control(command: str) -> None:
    """Ask callgrind about this process. It reads commands only while the program runs code, so this process
    keeps computing until the answer comes (waiting in a system call would never see it)."""
    control = subprocess.Popen(["callgrind_control", command, str(os.getpid())], stdout=subprocess.DEVNULL)
    while control.poll() is None:
        sum(range(1000))


def count_instructions(options: argparse.Namespace, argv: Sequence[str]) -> float:
    """Instructions per request: this run again under callgrind, counting only the measured rounds."""
    with tempfile.TemporaryDirectory(prefix="tb-callgrind-") as folder:
        out = Path(folder) / "callgrind.out"
        subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                        sys.executable, "-m", "tests.benchmarks.inprocess_cpu", *argv],
                       env={**os.environ, CALLGRIND_ENV: "1"}, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, cwd=Path(__file__).resolve().parents[2])
        dumps = sorted(Path(folder).glob("callgrind.out.*"))  # the --dump of the measured rounds
        if not dumps:
            raise RuntimeError("callgrind wrote no dump of the measured rounds")
        total = instructions_in(dumps[0].read_text())
    counted: int = options.requests // options.connections * options.connections * options.rounds
    return total / counted


def instructions_in(dump: str) -> int:
    """The total instruction count (`Ir`) of a callgrind output file."""
    match = re.search(r"^(?:summary|totals): (\d+)", dump, re.MULTILINE)
    if match is None:
        raise ValueError("no summary line in the callgrind output")
    return int(match.group(1))


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.inprocess_cpu",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--endpoint", default="/ping", help="path; {id} is a random stored task (default /ping)")
    parser.add_argument("--method", default="GET", choices=("GET", "POST", "PUT"))
    parser.add_argument("--server", default="server", choices=SERVERS,
                        help="this server, bare Tornado (a dict of tasks), or bare Tornado on the same store")
    parser.add_argument("--requests", type=int, default=2000, help="requests per round (default 2000)")
    parser.add_argument("--rounds", type=int, default=7, help="measured rounds (default 7)")
    parser.add_argument("--connections", type=int, default=8, help="clients, each pipelining (default 8)")
    parser.add_argument("--in-flight", type=int, metavar="N",
                        help="requests each client keeps unanswered (1: closed loop, as wrk; default: all pipelined)")
    parser.add_argument("--loop", choices=LOOPS,
                        help="the event loop the process runs on (default: the server's, asyncio for references)")
    parser.add_argument("--tree", type=Path, help="import the server from this checkout instead")
    parser.add_argument("--instructions", action="store_true", help="count instructions with callgrind instead")
    parser.add_argument("server_args", nargs="*", help="after --: the server's own arguments")
    options = parser.parse_args(argv)
    if options.requests < options.connections or options.rounds < 1:
        parser.error("--requests must be at least --connections, --rounds at least 1")
    if options.in_flight is not None and options.in_flight < 1:
        parser.error("--in-flight must be at least 1")
    return options


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    options = parse(argv)
    label = f"{options.method} {options.endpoint} on {options.server}" + \
        (f" ({' '.join(options.server_args)})" if options.server_args else "") + \
        (f", {options.in_flight} in flight" if options.in_flight is not None else "") + \
        (f", on {options.loop}" if options.loop else "")
    if options.instructions:
        argv = [word for word in argv if word != "--instructions"]
        if options.tree is not None:  # the count runs from this tree's root
            argv[argv.index("--tree") + 1] = str(options.tree.resolve())
        print(f"{label}: {count_instructions(options, argv) / 1000:,.0f}k instructions per request")
        return 0
    if options.tree is not None:
        os.chdir(options.tree)  # the server's relative paths (views/, keys/) are the tree's
        sys.path.insert(0, str(options.tree.resolve()))
    options.loop = options.loop or default_loop(options.server)
    with asyncio.Runner(loop_factory=loop_factory(options.loop)) as runner:
        rounds = runner.run(measure(options))
    if not os.environ.get(CALLGRIND_ENV):
        print(f"{label}: CPU {statistics.median(rounds):.1f} us per request (median; min {min(rounds):.1f}; "
              f"rounds {' '.join(f'{value:.1f}' for value in rounds)})", flush=True)
    # The components (store thread, loop timers) are left as they are: nothing of theirs is measured or kept.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
