"""What `make bench` measures: the servers, the measured rows (a server and a load) and the comparisons (a row
as a ratio of a reference row from the same round, with its target)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from tests.benchmarks.servers import ServerSpec
from tests.benchmarks.wrk import Load

SEED_COUNT = 10_000
IDS_PLACEHOLDER = "{ids_file}"  # replaced by the seeded ids' file when the row runs (`with_ids_file`)

PING = Load("GET", "/ping")
HEALTH = Load("GET", "/health")
GET_TASK = Load("GET", "/tasks/{id}", script="task_by_id.lua", script_args=(IDS_PLACEHOLDER,))
POST_TASK = Load("POST", "/tasks", script="post_task.lua")
LIST_TASKS = Load("GET", "/tasks?limit=100")
PUT_TASK = Load("PUT", "/tasks/{id}", script="task_by_id.lua", script_args=(IDS_PLACEHOLDER, "PUT"))
# The peers on this server's store design (tests.benchmarks.peer_store), compared endpoint by endpoint.
PEERS = ("bare-store", "fastapi")
PEER_LOADS = (GET_TASK, LIST_TASKS, PUT_TASK, POST_TASK, PING)  # POST after the reads: it grows the stores


@dataclass(frozen=True)
class Row:
    """One measurement per round: `load` against the server `server`."""

    key: str
    server: str
    load: Load
    needs_tasks_api: bool = False


@dataclass(frozen=True)
class Comparison:
    """`row` req/s divided by `reference` req/s from the same round; targets are reported, never asserted."""

    name: str
    row: str
    reference: str
    min_ratio: float | None = None
    max_p99_ms: float | None = None
    cpu_ratio: bool = True  # False where CPU time per request says nothing (scaling over processes)


@dataclass(frozen=True)
class PeerTable:
    """Per endpoint, the `subject` server's row against each reference's row of the same endpoint (row keys are
    `"{server} {METHOD} {path}"`), titled by the reference's column heading."""

    subject: str
    references: tuple[tuple[str, str], ...]  # (column heading, server name)
    endpoints: tuple[str, ...]  # "GET /tasks/{id}", ...

    def row(self, server: str, endpoint: str) -> str:
        return f"{server} {endpoint}"


@dataclass(frozen=True)
class Suite:
    servers: tuple[ServerSpec, ...]
    # Groups of rows; the servers of a group run together, and are started fresh for it each round.
    groups: tuple[tuple[Row, ...], ...]
    comparisons: tuple[Comparison, ...]
    peer_table: PeerTable | None = None
    # Slices per round of each comparison whose two servers are loaded together (tests.benchmarks.together).
    together_slices: int = 2

    def server(self, name: str) -> ServerSpec:
        return next(spec for spec in self.servers if spec.name == name)


def _endpoint(load: Load) -> str:
    return f"{load.method} {load.path}"


def _peer_rows(load: Load) -> tuple[Row, ...]:
    """This server and each peer on one endpoint, one after another (A B C A B C over the rounds)."""
    return tuple(Row(f"{server} {_endpoint(load)}", server, load, needs_tasks_api=True)
                 for server in ("server", *PEERS))


PEER_TABLE = PeerTable("server", (("x bare Tornado, same store", "bare-store"), ("x FastAPI async", "fastapi")),
                       tuple(_endpoint(load) for load in PEER_LOADS))
# Per endpoint, what this server should reach against bare Tornado on the same store, and against FastAPI.
# "server" runs the default transport (httptools); "server-tornado" the same server on Tornado's own HTTP/1
# parser, on every peer endpoint, so each run shows what the default transport gains.
TORNADO_PARSER = "--http_parser tornado"


def _tornado_parser_row(load: Load) -> Row:
    return Row(f"server {_endpoint(load)} {TORNADO_PARSER}", "server-tornado", load, needs_tasks_api=True)


def _tornado_parser_comparisons() -> tuple[Comparison, ...]:
    return tuple(Comparison(f"{endpoint} vs Tornado's parser", f"server {endpoint}",
                            f"server {endpoint} {TORNADO_PARSER}") for endpoint in PEER_TABLE.endpoints)


BARE_STORE_TARGETS = {"GET /tasks/{id}": 0.90, "GET /tasks?limit=100": 0.75, "PUT /tasks/{id}": 0.85,
                      "POST /tasks": 0.90}

MAIN = Suite(
    servers=(
        ServerSpec("bare", "bare", seeded=True),
        ServerSpec("bare-store", "bare", seeded=True, store=True),
        ServerSpec("fastapi", "fastapi", seeded=True),
        ServerSpec("server", "server", seeded=True),
        ServerSpec("server-no-metrics", "server", seeded=True, metrics=False),
        ServerSpec("server-asyncio", "server", loop="asyncio"),
        ServerSpec("server-tornado", "server", seeded=True, http_parser="tornado"),
        ServerSpec("bare-proc2", "bare", proc=2, pinned=False),
        ServerSpec("server-proc2", "server", proc=2, pinned=False),
    ),
    groups=(
        (
            Row("bare GET /ping", "bare", PING),
            *_peer_rows(PING),
            _tornado_parser_row(PING),
            Row("server GET /ping --loop asyncio", "server-asyncio", PING),
            Row("bare GET /health", "bare", HEALTH),
            *_peer_rows(GET_TASK),
            _tornado_parser_row(GET_TASK),
            Row("server GET /ping --no-metrics", "server-no-metrics", PING),
            Row("server GET /tasks/{id} --no-metrics", "server-no-metrics", GET_TASK, needs_tasks_api=True),
            Row("bare GET /tasks?limit=100", "bare", LIST_TASKS),
            *_peer_rows(LIST_TASKS),
            _tornado_parser_row(LIST_TASKS),
            *_peer_rows(PUT_TASK),
            _tornado_parser_row(PUT_TASK),
            # POST last: it grows the stores the GET rows read.
            Row("bare POST /tasks", "bare", POST_TASK),
            *_peer_rows(POST_TASK),
            _tornado_parser_row(POST_TASK),
        ),
        (
            Row("bare GET /ping --proc 2", "bare-proc2", PING),
            Row("server GET /ping --proc 2", "server-proc2", PING),
        ),
    ),
    comparisons=(
        Comparison("GET /ping, canonical log line on", "server GET /ping", "bare GET /ping", min_ratio=0.90),
        Comparison("GET /tasks/{id}, 10k tasks (vs bare /health)", "server GET /tasks/{id}", "bare GET /health",
                   min_ratio=0.75, max_p99_ms=15.0),
        Comparison("GET /ping, metrics on vs off", "server GET /ping", "server GET /ping --no-metrics",
                   min_ratio=0.95),
        Comparison("GET /tasks/{id}, metrics on vs off", "server GET /tasks/{id}",
                   "server GET /tasks/{id} --no-metrics", min_ratio=0.95),
        Comparison("POST /tasks", "server POST /tasks", "bare POST /tasks", min_ratio=0.60, max_p99_ms=20.0),
        Comparison("GET /tasks?limit=100", "server GET /tasks?limit=100", "bare GET /tasks?limit=100"),
        Comparison("GET /ping --proc 2 (vs bare --proc 2)", "server GET /ping --proc 2", "bare GET /ping --proc 2"),
        Comparison("--proc 2 vs --proc 1, GET /ping", "server GET /ping --proc 2", "server GET /ping",
                   min_ratio=1.70, cpu_ratio=False),
        Comparison("bare --proc 2 vs --proc 1, GET /ping", "bare GET /ping --proc 2", "bare GET /ping",
                   cpu_ratio=False),
        Comparison("--loop uvloop vs asyncio, GET /ping", "server GET /ping", "server GET /ping --loop asyncio"),
        *(Comparison(f"{endpoint} vs bare Tornado, same store", f"server {endpoint}", f"bare-store {endpoint}",
                     min_ratio=BARE_STORE_TARGETS.get(endpoint)) for endpoint in PEER_TABLE.endpoints),
        *(Comparison(f"{endpoint} vs FastAPI async", f"server {endpoint}", f"fastapi {endpoint}",
                     min_ratio=None if endpoint == _endpoint(PING) else 1.0) for endpoint in PEER_TABLE.endpoints),
        *_tornado_parser_comparisons(),
    ),
    peer_table=PEER_TABLE,
)

# What gc.freeze() and the collector's thresholds do to POST /tasks latency (the allocation-heavy endpoint).
GC = Suite(
    servers=tuple(ServerSpec(f"server-gc-{mode}", "server", seeded=True, gc_mode=mode)
                  for mode in ("default", "no-freeze", "threshold", "disabled")),
    groups=(tuple(Row(f"server POST /tasks gc={mode}", f"server-gc-{mode}", POST_TASK, needs_tasks_api=True)
                  for mode in ("default", "no-freeze", "threshold", "disabled")),),
    comparisons=tuple(Comparison(f"POST /tasks gc={mode} vs default", f"server POST /tasks gc={mode}",
                                 "server POST /tasks gc=default")
                      for mode in ("no-freeze", "threshold", "disabled")),
)

# What /metrics' accounting costs on the hot path: the same server with and without --no-metrics, same rounds.
METRICS = Suite(
    servers=(ServerSpec("server", "server", seeded=True),
             ServerSpec("server-no-metrics", "server", seeded=True, metrics=False)),
    groups=((Row("server GET /ping", "server", PING),
             Row("server GET /ping --no-metrics", "server-no-metrics", PING),
             Row("server GET /tasks/{id}", "server", GET_TASK, needs_tasks_api=True),
             Row("server GET /tasks/{id} --no-metrics", "server-no-metrics", GET_TASK, needs_tasks_api=True)),),
    comparisons=tuple(comparison for comparison in MAIN.comparisons if "metrics on vs off" in comparison.name),
    together_slices=6,
)

# The costs that must not grow, without the peers: start-up, idle memory (start-up table), what metrics cost on
# /ping, and how --proc 2 scales on /ping with both workers busy.
FOOTPRINT = Suite(
    servers=(ServerSpec("server", "server"), ServerSpec("server-no-metrics", "server", metrics=False),
             ServerSpec("server-proc2", "server", proc=2, pinned=False),
             ServerSpec("bare", "bare"), ServerSpec("bare-proc2", "bare", proc=2, pinned=False)),
    groups=((Row("server GET /ping", "server", PING),
             Row("server GET /ping --no-metrics", "server-no-metrics", PING),
             Row("bare GET /ping", "bare", PING)),
            (Row("server GET /ping --proc 2", "server-proc2", PING),
             Row("bare GET /ping --proc 2", "bare-proc2", PING))),
    comparisons=tuple(comparison for comparison in MAIN.comparisons
                      if comparison.name in ("GET /ping, metrics on vs off", "--proc 2 vs --proc 1, GET /ping",
                                             "bare --proc 2 vs --proc 1, GET /ping")),
)

# The default event loop (uvloop) against asyncio's own on the tasks endpoints and on --proc 2, same rounds.
LOOP_LOADS = (GET_TASK, PUT_TASK, POST_TASK, PING)  # POST after the reads: it grows the stores
LOOP = Suite(
    servers=(ServerSpec("server", "server", seeded=True),
             ServerSpec("server-asyncio", "server", seeded=True, loop="asyncio"),
             ServerSpec("server-proc2", "server", proc=2, pinned=False),
             ServerSpec("server-asyncio-proc2", "server", proc=2, pinned=False, loop="asyncio")),
    groups=(tuple(row for load in LOOP_LOADS
                  for row in (Row(f"server {_endpoint(load)}", "server", load, needs_tasks_api=True),
                              Row(f"server {_endpoint(load)} --loop asyncio", "server-asyncio", load,
                                  needs_tasks_api=True))),
            (Row("server GET /ping --proc 2", "server-proc2", PING),
             Row("server GET /ping --proc 2 --loop asyncio", "server-asyncio-proc2", PING))),
    comparisons=(*(Comparison(f"{_endpoint(load)}, uvloop vs asyncio", f"server {_endpoint(load)}",
                              f"server {_endpoint(load)} --loop asyncio") for load in LOOP_LOADS),
                 Comparison("GET /ping --proc 2, uvloop vs asyncio", "server GET /ping --proc 2",
                            "server GET /ping --proc 2 --loop asyncio"),
                 Comparison("--proc 2 vs --proc 1, GET /ping", "server GET /ping --proc 2", "server GET /ping",
                            min_ratio=1.70, cpu_ratio=False),
                 Comparison("asyncio --proc 2 vs --proc 1, GET /ping", "server GET /ping --proc 2 --loop asyncio",
                            "server GET /ping --loop asyncio", cpu_ratio=False)),
)

SUITES = {"main": MAIN, "gc": GC, "metrics": METRICS, "footprint": FOOTPRINT, "loop": LOOP}


def with_ids_file(load: Load, ids_file: Path) -> Load:
    """`load` as wrk runs it: the seeded ids' file in place of IDS_PLACEHOLDER among its script's arguments."""
    return dataclasses.replace(load, script_args=tuple(str(ids_file) if arg == IDS_PLACEHOLDER else arg
                                                       for arg in load.script_args))


def bench_loads() -> tuple[Load, ...]:
    """Every load a suite of `make bench` measures, once each, in the order the suites first use them."""
    loads = (row.load for suite in SUITES.values() for group in suite.groups for row in group)
    return tuple(dict.fromkeys(loads))
