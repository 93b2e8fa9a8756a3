"""`make profile`: sample the server with py-spy while wrk loads one endpoint; write a flame graph (SVG), a
speedscope profile (JSON) and a summary of where the time goes to tests/benchmarks/results/.

    python -m tests.benchmarks.flame_profile --endpoint /ping [--method GET] [--duration 10] [--server bare]

Endpoints: every load `make bench` measures, with the same wrk script (`/tasks/{id}` with GET or PUT: tasks are
stored first and wrk draws random ids from them; `/tasks` with POST), and any other GET path. The server runs
pinned to one CPU and wrk and py-spy to the other where possible. Two recordings are taken one after the other
under the same load, as py-spy writes one format per recording.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.benchmarks import peer_store
from tests.benchmarks.bench import RESULTS_DIR
from tests.benchmarks.machine import Placement
from tests.benchmarks.scenarios import SEED_COUNT, bench_loads, with_ids_file
from tests.benchmarks.seed import seed_tasks
from tests.benchmarks.servers import PEER_STORE_FILE, RunningServer, ServerSpec
from tests.benchmarks.wrk import Load, parse_wrk_output, wrk_command
from tests.support.server_process import PROJECT_ROOT

TOP = 20


# The servers a profile can be taken of: this one, and the bench's bare-Tornado references (in memory, or on
# the SQLite store design that the write targets are measured against).
SERVERS = {"server": ServerSpec("server", "server"), "bare": ServerSpec("bare", "bare"),
           "bare-store": ServerSpec("bare-store", "bare", store=True)}


def load_for(endpoint: str, method: str, ids_file: Path) -> Load:
    """The bench's load of `method endpoint`, reading ids from `ids_file`; else a plain GET of the path."""
    path = "/tasks/{id}" if endpoint == "/tasks/ID" else endpoint
    for load in bench_loads():
        if (load.method, load.path) == (method, path):
            return with_ids_file(load, ids_file)
    if method == "GET" and "{" not in path:
        return Load("GET", path)
    others = ", ".join(load.describe() for load in bench_loads() if load.method != "GET" or "{" in load.path)
    raise SystemExit(f"profile: {method} {endpoint} is not measured by make bench; profiled are any GET path "
                     f"and {others}")


def profiled_methods() -> list[str]:
    return sorted({load.method for load in bench_loads()})


def seed(spec: ServerSpec, workdir: Path, count: int, placement: Placement) -> list[str]:
    """Store `count` tasks where the server `spec` will read them from `workdir`; returns their ids."""
    if spec.kind == "server":  # through the API, as the bench does; the profiled server reuses the data folder
        seeding = RunningServer(ServerSpec("seed", "server", pinned=False), workdir, 0, placement.all_cpus)
        try:
            return seed_tasks(seeding.port, count)
        finally:
            seeding.stop()
    ids = [f"{number:032x}" for number in range(1, count + 1)]  # the bare app's seeded ids
    if spec.store:
        peer_store.create_seeded_store(workdir / PEER_STORE_FILE, ids)
    return ids


def slug(server: str, load: Load) -> str:
    return f"{server}-{load.method}-" + (re.sub(r"[^A-Za-z0-9]+", "-", load.path).strip("-") or "root")


def origin(file: str) -> str:
    """Which part of the stack a frame belongs to."""
    if file.startswith(str(PROJECT_ROOT / "src")) or file.startswith("src/"):
        return "this project (src/)"
    if file.startswith(str(PROJECT_ROOT / "tests")):
        return "bench reference app"
    for marker, name in (("/tornado/", "tornado"), ("/asyncio/", "asyncio"), ("/logging/", "logging"),
                         ("/json/", "json"), ("/sqlite3/", "sqlite3"), ("/uvloop/", "uvloop")):
        if marker in file:
            return name
    if "site-packages" in file:
        return "other libraries"
    return "other stdlib"


def summarize_speedscope(document: dict[str, Any]) -> str:
    """Self time by origin, then the functions with the most self and inclusive time (share of samples)."""
    frames = document["shared"]["frames"]
    # py-spy makes one frame per (function, line); the summary counts per function.
    functions = [(str(frame["name"]), str(frame["file"])) for frame in frames]
    self_by_origin: Counter[str] = Counter()
    self_by_function: Counter[tuple[str, str]] = Counter()
    inclusive_by_function: Counter[tuple[str, str]] = Counter()
    total = 0.0
    # The event loop's thread is what limits throughput; other threads (the store's executor) are listed
    # apart, as py-spy counts a thread blocked in a C call (an idle executor's queue.get) as active.
    threads: Counter[str] = Counter()
    for profile in document["profiles"]:
        threads[_thread_name(profile)] += sum(profile["weights"])
    for profile in document["profiles"]:
        if _thread_name(profile) != "MainThread":
            continue
        for stack, weight in zip(profile["samples"], profile["weights"], strict=True):
            if not stack:
                continue
            total += weight
            leaf = functions[stack[-1]]
            self_by_function[leaf] += weight
            self_by_origin[origin(leaf[1])] += weight
            for function in {functions[index] for index in stack}:
                inclusive_by_function[function] += weight
    if total == 0:
        return "no samples"

    def describe(function: tuple[str, str]) -> str:
        name, file = function
        file = file.replace(str(PROJECT_ROOT) + "/", "")
        file = re.sub(r".*/site-packages/", "", file)
        file = re.sub(r".*/lib/python3\.\d+/", "", file)
        return f"{name} ({file})"

    main_share = threads.pop("MainThread", 0.0)
    lines = [f"Samples per thread: MainThread (the event loop) {main_share:.2f} s"
             + "".join(f", {name} {share:.2f} s" for name, share in threads.most_common())
             + "\nThe shares below are of the event loop thread's samples.",
             "Self time by origin (share of samples):"]
    lines += [f"  {share / total:6.1%}  {name}" for name, share in self_by_origin.most_common()]
    lines.append(f"\nTop {TOP} functions by self time:")
    lines += [f"  {share / total:6.1%}  {describe(function)}" for function, share in self_by_function.most_common(TOP)]
    lines.append(f"\nTop {TOP} functions of this project (src/) by inclusive time:")
    own = [(function, share) for function, share in inclusive_by_function.most_common()
           if origin(function[1]) == "this project (src/)"]
    lines += [f"  {share / total:6.1%}  {describe(function)}" for function, share in own[:TOP]]
    return "\n".join(lines)


def _thread_name(profile: dict[str, Any]) -> str:
    """py-spy names a profile `Thread 123 "MainThread"`; the quoted part is the thread's name."""
    match = re.search(r'"(.*)"', str(profile.get("name", "")))
    return match.group(1) if match else str(profile.get("name", ""))


def py_spy_command(pid: int, seconds: float, rate: int, output_format: str, output: Path, subprocesses: bool,
                   cpus: str | None, nonblocking: bool = False) -> list[str]:
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    command = [py_spy, "record", "--pid", str(pid), "--rate", str(rate), "--duration", str(round(seconds)),
               "--format", output_format, "--output", str(output)]
    if subprocesses:
        command.append("--subprocesses")
    if nonblocking:
        command.append("--nonblocking")
    return (["taskset", "-c", cpus] if cpus else []) + command


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="py-spy flame graph of the server under wrk load")
    parser.add_argument("--endpoint", default="/ping")
    parser.add_argument("--method", choices=profiled_methods(), default="GET")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of each recording")
    parser.add_argument("--server", choices=tuple(SERVERS), default="server")
    parser.add_argument("--proc", type=int, default=1)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"),
                        help="the server's event loop (default: its own, uvloop; bare Tornado's asyncio)")
    parser.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    parser.add_argument("--nonblocking", action="store_true",
                        help="do not pause the server for each sample (less overhead, less exact stacks)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seed-count", type=int, default=SEED_COUNT, help="tasks stored first for /tasks loads")
    parser.add_argument("--results", type=Path, default=RESULTS_DIR)
    options = parser.parse_args(argv)
    if not 1 <= options.duration <= 120:
        parser.error("--duration: 1-120 s")
    if not 1 <= options.seed_count <= 100_000:
        parser.error("--seed-count: 1-100000")

    placement = Placement.detect()
    if placement.client_cpu is not None:
        os.sched_setaffinity(0, {int(placement.client_cpu)})
    workroot = options.results / ".profile-work"
    shutil.rmtree(workroot, ignore_errors=True)
    ids_file = workroot / "task_ids.txt"
    load = load_for(options.endpoint, options.method, ids_file)
    needs_tasks = load.path.startswith("/tasks")
    spec = dataclasses.replace(SERVERS[options.server], proc=options.proc, loop=options.loop,
                               pinned=options.proc == 1, seeded=needs_tasks)
    workdir = workroot / options.server
    ids = seed(spec, workdir, options.seed_count, placement) if needs_tasks else []
    ids_file.parent.mkdir(parents=True, exist_ok=True)
    ids_file.write_text("\n".join(ids) + "\n")

    server_cpus = placement.server_cpus(spec.pinned)
    client_cpus = placement.client_cpus(spec.pinned)
    server = RunningServer(spec, workdir, len(ids), server_cpus)
    name = slug(options.server, load)
    options.results.mkdir(parents=True, exist_ok=True)
    svg = options.results / f"profile-{name}.svg"
    speedscope = options.results / f"profile-{name}.speedscope.json"
    load_seconds = 2 * options.duration + 4
    wrk = subprocess.Popen(wrk_command(server.url, load, load_seconds, options.connections, cpus=client_cpus),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(1.0)  # connections open, caches warm
        for output_format, output in (("flamegraph", svg), ("speedscope", speedscope)):
            command = py_spy_command(server.pid, options.duration, options.rate, output_format, output,
                                     options.proc > 1, client_cpus, options.nonblocking)
            recorded = subprocess.run(command, capture_output=True, text=True, timeout=options.duration + 30,
                                      check=False)
            if recorded.returncode != 0:
                print(recorded.stdout + recorded.stderr, file=sys.stderr)
                print("profile: py-spy failed; it needs ptrace rights (run as root, or set "
                      "kernel.yama.ptrace_scope=0)", file=sys.stderr)
                return 1
        wrk_output, _ = wrk.communicate(timeout=load_seconds + 30)
    finally:
        if wrk.poll() is None:
            wrk.kill()
            wrk.wait(5)
        server.stop()
    result = parse_wrk_output(wrk_output)
    summary = summarize_speedscope(json.loads(speedscope.read_text()))
    header = (f"{options.server} {load.describe()} --proc {options.proc} --loop {options.loop or 'default'}: "
              f"{result.requests_per_second:.0f} req/s under py-spy ({options.rate} Hz), "
              f"p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms, "
              f"{result.non_2xx + result.socket_errors} errors")
    text = header + "\n\n" + summary
    (options.results / f"profile-{name}.txt").write_text(text + "\n")
    print(text)
    print(f"\nflame graph: {svg}\nspeedscope:  {speedscope} (open at https://www.speedscope.app)\n"
          f"summary:     {options.results / f'profile-{name}.txt'}")
    shutil.rmtree(workroot, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
