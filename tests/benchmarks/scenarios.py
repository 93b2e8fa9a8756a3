"""What `make bench` measures: the servers, the measured rows (a server and a load) and the comparisons (a row
as a ratio of a reference row from the same round, with its target)."""

from __future__ import annotations

from dataclasses import dataclass

from tests.benchmarks.servers import ServerSpec
from tests.benchmarks.wrk import Load

SEED_COUNT = 10_000
IDS_PLACEHOLDER = "{ids_file}"  # replaced by the seeded ids' file when the row runs

PING = Load("GET", "/ping")
HEALTH = Load("GET", "/health")
GET_TASK = Load("GET", "/tasks/{id}", script="get_task.lua", script_args=(IDS_PLACEHOLDER,))
POST_TASK = Load("POST", "/tasks", script="post_task.lua")
LIST_TASKS = Load("GET", "/tasks?limit=100")


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
class Suite:
    servers: tuple[ServerSpec, ...]
    # Groups of rows; the servers of a group run together, and are started fresh for it each round.
    groups: tuple[tuple[Row, ...], ...]
    comparisons: tuple[Comparison, ...]

    def server(self, name: str) -> ServerSpec:
        return next(spec for spec in self.servers if spec.name == name)


MAIN = Suite(
    servers=(
        ServerSpec("bare", "bare", seeded=True),
        ServerSpec("server", "server", seeded=True),
        ServerSpec("server-no-metrics", "server", seeded=True, metrics=False),
        ServerSpec("server-uvloop", "server", loop="uvloop"),
        ServerSpec("bare-proc2", "bare", proc=2, pinned=False),
        ServerSpec("server-proc2", "server", proc=2, pinned=False),
    ),
    groups=(
        (
            Row("bare GET /ping", "bare", PING),
            Row("server GET /ping", "server", PING),
            Row("server GET /ping --loop uvloop", "server-uvloop", PING),
            Row("bare GET /health", "bare", HEALTH),
            Row("server GET /tasks/{id}", "server", GET_TASK, needs_tasks_api=True),
            Row("server GET /ping --no-metrics", "server-no-metrics", PING),
            Row("server GET /tasks/{id} --no-metrics", "server-no-metrics", GET_TASK, needs_tasks_api=True),
            Row("bare GET /tasks?limit=100", "bare", LIST_TASKS),
            Row("server GET /tasks?limit=100", "server", LIST_TASKS, needs_tasks_api=True),
            # POST last: it grows the stores the GET rows read.
            Row("bare POST /tasks", "bare", POST_TASK),
            Row("server POST /tasks", "server", POST_TASK, needs_tasks_api=True),
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
        Comparison("--loop uvloop vs asyncio, GET /ping", "server GET /ping --loop uvloop", "server GET /ping"),
    ),
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
)

SUITES = {"main": MAIN, "gc": GC, "metrics": METRICS}
