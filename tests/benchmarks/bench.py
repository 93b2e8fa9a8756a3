"""`make bench`: this server against the bare-Tornado reference, interleaved, with wrk.

Each round starts every server of a group fresh (timing launch -> first 200 and sampling idle memory), then
measures the group's rows one after another, reference and server alternating (A B A B ...), so both sides of a
ratio see the same machine load; then the comparisons whose servers share the server CPU are measured again
with both loaded at once (tests.benchmarks.together), which is where their ratios come from. The server runs
pinned to one CPU and wrk to another where the affinity mask allows; multi-process rows use every CPU. Server
CPU time per request comes from /proc stat deltas, latency percentiles from `wrk --latency`. Results: printed
tables, plus JSON, text and a PNG chart in tests/benchmarks/results/.

    python -m tests.benchmarks.bench [--suite main|gc|metrics|footprint|loop] [--rounds 5] [--duration 3] [--slices N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import textwrap
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tests.benchmarks import peer_store, report
from tests.benchmarks.gc_report import format_gc_pauses, parse_gc_pauses
from tests.benchmarks.machine import Placement, machine_info
from tests.benchmarks.scenarios import SEED_COUNT, SUITES, Row, Suite, with_ids_file
from tests.benchmarks.seed import TasksApiUnavailableError, seed_tasks
from tests.benchmarks.servers import (
    PEER_STORE_FILE,
    RunningServer,
    ServerSpec,
    StartTimeoutError,
    compile_bytecode,
    missing_server_kinds,
)
from tests.benchmarks.together import TogetherSlice, measure_slice, together_pairs
from tests.benchmarks.wrk import run_wrk, wrk_command

RESULTS_DIR = Path(__file__).resolve().parent / "results"


class Bench:
    def __init__(self, suite: Suite, options: argparse.Namespace) -> None:
        self.suite = suite
        self.options = options
        self.placement = Placement.detect()
        self.workroot = Path(tempfile.mkdtemp(prefix="tb-bench-"))
        self.ids_file = self.workroot / "task_ids.txt"
        self.seeded_store: Path | None = None
        self.seeded_peer_store = self.workroot / "peer-seed" / PEER_STORE_FILE
        self.tasks_api = True
        self.measurements: list[report.Measurement] = []
        self.slices: list[TogetherSlice] = []
        self.together_slices = suite.together_slices if options.slices is None else options.slices
        self.startup: dict[str, list[dict[str, float]]] = {}
        self.gc_pauses: dict[str, list[dict[str, Any]]] = {}
        self.running: list[RunningServer] = []
        self.missing_kinds = missing_server_kinds()
        if "fastapi" in self.missing_kinds:
            print("note: FastAPI, uvicorn or aiosqlite is not installed here (`make bench` installs them into its "
                  "own venv); the FastAPI rows are skipped", flush=True)

    # ---- set-up -----------------------------------------------------------------------------------------------

    def seed(self) -> None:
        """Store the tasks once through this server's API; every round starts from a copy of that store."""
        if not any(spec.kind == "server" and spec.seeded for spec in self.suite.servers):
            return
        started = time.perf_counter()
        server = RunningServer(ServerSpec("seed", "server", pinned=False), self.workroot / "seed", 0,
                               self.placement.all_cpus)
        try:
            ids = seed_tasks(server.port, self.options.seed_count)
        except TasksApiUnavailableError as error:
            self.tasks_api = False
            print(f"note: the tasks API is not available ({error}); its rows are skipped", flush=True)
            return
        finally:
            server.stop()
        self.ids_file.write_text("\n".join(ids) + "\n")
        self.seeded_store = self.workroot / "seed" / "data"
        if any(spec.on_peer_store for spec in self.suite.servers):
            peer_store.create_seeded_store(self.seeded_peer_store, ids)  # the same ids and documents
        print(f"seeded {len(ids)} tasks through POST /tasks in {time.perf_counter() - started:.1f} s", flush=True)

    def start(self, spec: ServerSpec, round_number: int) -> RunningServer:
        workdir = self.workroot / f"round{round_number}" / spec.name
        if spec.kind == "server" and spec.seeded and self.seeded_store is not None:
            shutil.copytree(self.seeded_store, workdir / "data")
        if spec.on_peer_store and self.seeded_peer_store.exists():
            workdir.mkdir(parents=True, exist_ok=True)
            shutil.copy(self.seeded_peer_store, workdir / PEER_STORE_FILE)
        cpus = self.placement.server_cpus(spec.pinned)
        try:
            server = RunningServer(spec, workdir, self.options.seed_count, cpus)
        except StartTimeoutError as stuck:  # once seen in a whole run, never reproduced alone: say so, try again
            print(f"warning: {stuck}\nstarting {spec.name} once more", flush=True)
            server = RunningServer(spec, workdir, self.options.seed_count, cpus)
        self.running.append(server)
        self.startup.setdefault(spec.name, []).append(
            {"startup_ms": round(server.startup_ms, 1), "startup_cpu_ms": round(server.startup_cpu_ms, 1),
             "idle_rss_mb": round(server.idle_rss / report.MB, 1),
             "idle_pss_mb": round(server.idle_pss / report.MB, 1)})
        return server

    def stop_all(self) -> None:
        while self.running:
            server = self.running.pop()
            code = server.stop()
            if code not in (0, None, -signal.SIGTERM):  # uvicorn re-raises the SIGTERM it handled
                print(f"warning: {server.spec.name} exited with {code}", flush=True)
            try:
                pauses = parse_gc_pauses(server.output())
            except (OSError, ValueError) as error:  # keep stopping the others
                print(f"warning: cannot read {server.spec.name}'s output: {error}", flush=True)
                continue
            if pauses is not None:
                self.gc_pauses.setdefault(server.spec.name, []).append(pauses)

    # ---- measuring --------------------------------------------------------------------------------------------

    def rows(self, group: Sequence[Row]) -> list[Row]:
        return [row for row in group if (self.tasks_api or not row.needs_tasks_api)
                and self.suite.server(row.server).kind not in self.missing_kinds
                and (not self.options.only or any(text in row.key for text in self.options.only))]

    def measure(self, row: Row, server: RunningServer, round_number: int) -> report.Measurement:
        load = with_ids_file(row.load, self.ids_file)
        cpus = self.placement.client_cpus(server.spec.pinned)
        if self.options.warmup > 0:
            run_wrk(wrk_command(server.url, load, self.options.warmup, self.options.connections, cpus=cpus),
                    self.options.warmup)
        command = wrk_command(server.url, load, self.options.duration, self.options.connections, cpus=cpus)
        cpu_before = server.cpu_seconds()
        result = run_wrk(command, self.options.duration)
        cpu_used = server.cpu_seconds() - cpu_before
        measurement = report.Measurement(
            row=row.key, round=round_number, requests_per_second=result.requests_per_second,
            p50_ms=result.p50_ms, p99_ms=result.p99_ms,
            cpu_us_per_request=cpu_used * 1e6 / max(result.requests, 1),
            rss_bytes=server.rss_per_process(), errors=result.non_2xx + result.socket_errors)
        print(f"  round {round_number} {row.key:<34}{result.requests_per_second:>8.0f} req/s  "
              f"p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms  "
              f"{measurement.cpu_us_per_request:5.0f} us/req"
              + (f"  ERRORS {measurement.errors}" if measurement.errors else ""), flush=True)
        return measurement

    def measure_together(self, rows: Sequence[Row], servers: dict[str, RunningServer], round_number: int) -> None:
        """The group's comparisons whose servers share the server CPU, each loaded together with its reference
        in short slices, taking turns (every comparison's slices spread over the round), the servers warm from
        their rows."""
        pairs = together_pairs(self.suite, rows)
        seconds = self.options.slice_seconds
        cpus = self.placement.client_cpus(True)
        for index in range(self.together_slices if pairs else 0):
            for pair in pairs:
                targets = (servers[pair[0].server], servers[pair[1].server])
                commands = tuple(wrk_command(target.url, with_ids_file(row.load, self.ids_file), seconds,
                                             self.options.connections, cpus=cpus)
                                 for target, row in zip(targets, pair, strict=True))
                # Which wrk starts first alternates, so neither side always gets the head start.
                measured = measure_slice(pair, targets, (commands[0], commands[1]), round_number, seconds,
                                         reference_first=index % 2 == 1)
                self.slices.append(measured)
                print(f"  round {round_number} together {pair[0].key} / {pair[1].key}: "
                      f"{measured.row_requests_per_second:.0f} / {measured.reference_requests_per_second:.0f} "
                      f"req/s, ratio {measured.ratio:.3f}, CPU ratio {measured.cpu_ratio:.3f}"
                      + (f"  ERRORS {measured.errors}" if measured.errors else ""), flush=True)

    def run(self) -> None:
        self.seed()
        for round_number in range(1, self.options.rounds + 1):
            for group in self.suite.groups:
                rows = self.rows(group)
                if not rows:
                    continue
                servers = {name: self.start(self.suite.server(name), round_number)
                           for name in dict.fromkeys(row.server for row in rows)}
                try:
                    for row in rows:
                        self.measurements.append(self.measure(row, servers[row.server], round_number))
                    self.measure_together(rows, servers, round_number)
                finally:
                    self.stop_all()

    def close(self) -> None:
        self.stop_all()
        if not self.options.keep:
            shutil.rmtree(self.workroot, ignore_errors=True)

    # ---- results ----------------------------------------------------------------------------------------------

    def peer_sections(self, rows: dict[str, report.RowSummary]) -> list[str]:
        table = self.suite.peer_table
        if table is None or table.row(table.subject, table.endpoints[0]) not in rows:
            return []
        return ["This server per endpoint against its peers on the same store (ratios as in the ratio table below; "
                "the peers' own figures are in the rows above)",
                report.format_peer_table(self.measurements, table, rows, self.slices)]

    def ratio_method(self) -> str:
        return (f"together: both servers on the server CPU loaded at once, {self.together_slices} slices x "
                f"{self.options.slice_seconds:g} s per round, the median of the slices' ratios, p25-p75 beside it; "
                "alone: the rows' same-round ratios, their median, min-max beside it")

    def write_results(self, machine: dict[str, Any]) -> str:
        rows = report.summarize_rows(self.measurements)
        ratios = report.summarize_ratios(self.measurements, self.suite.comparisons, rows, self.slices)
        title = (f"{self.options.rounds} rounds x {self.options.duration:g} s, {self.options.connections} keep-alive "
                 f"connections, {self.placement.describe()}")
        sections = [
            f"Machine: {machine['cpu_model']}, {machine['cpus']} CPUs, Linux {machine['kernel']}, Python "
            f"{machine['python']}, Tornado {machine['tornado']}, {machine['wrk']}",
            f"Load average before/after: {machine['loadavg_before']} / {machine['loadavg_after']}",
            f"Rows (median of rounds; {title})",
            report.format_rows_table(rows),
            *self.peer_sections(rows),
            textwrap.fill(f"Ratios ({self.ratio_method()}; targets are reported, not asserted)", 116),
            report.format_ratio_table(ratios),
            "Start-up and idle memory (every fresh start of every round)",
            report.format_startup_table(self.startup),
        ]
        if self.gc_pauses:
            sections += ["GC pauses during each server's life (sum over rounds)", format_gc_pauses(self.gc_pauses)]
        text = "\n\n".join(sections)
        self.options.results.mkdir(parents=True, exist_ok=True)
        name = f"bench-{self.options.suite}"
        (self.options.results / f"{name}.txt").write_text(text + "\n")
        document = {
            "machine": machine,
            "settings": {key: str(value) if isinstance(value, Path) else value
                         for key, value in vars(self.options).items()},
            "placement": asdict(self.placement),
            **report.summary_document(rows, ratios),
            "startup": self.startup,
            "gc_pauses": self.gc_pauses,
            "measurements": [asdict(measurement) for measurement in self.measurements],
            "together_slices": [asdict(item) for item in self.slices],
        }
        (self.options.results / f"{name}.json").write_text(json.dumps(document, indent=2) + "\n")
        report.write_chart(self.options.results / f"{name}.png", rows, ratios)
        return text


def parse_options(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="this server against bare Tornado, interleaved, with wrk")
    parser.add_argument("--suite", choices=sorted(SUITES), default="main")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=float, default=3.0, help="seconds of each measured wrk run")
    parser.add_argument("--slices", type=int, default=None,
                        help="slices per round of each comparison measured together (default: the suite's; "
                             "0 takes every ratio from the rows measured alone)")
    parser.add_argument("--slice-seconds", type=float, default=2.0,
                        help="seconds of each slice with both servers loaded at once")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of unmeasured load before each run")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seed-count", type=int, default=SEED_COUNT, help="tasks stored before measuring")
    parser.add_argument("--results", type=Path, default=RESULTS_DIR)
    parser.add_argument("--only", action="append", metavar="TEXT",
                        help="measure only the rows whose name contains TEXT (repeatable), e.g. --only 'proc 2'")
    parser.add_argument("--keep", action="store_true", help="keep the servers' logs and stores (printed path)")
    options = parser.parse_args(argv)
    if not 1 <= options.rounds <= 20 or not 1 <= options.duration <= 60:
        parser.error("bounded runs only: 1-20 rounds of 1-60 s")
    if not (options.slices is None or 0 <= options.slices <= 50) or not 1 <= options.slice_seconds <= 10:
        parser.error("bounded runs only: 0-50 slices of 1-10 s")
    return options


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    # A SIGTERM (a CI job's timeout, `kill`) unwinds like Ctrl-C, so the servers started so far are stopped.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    if shutil.which("wrk") is None:
        print("bench: wrk is not installed (make install-requirements)", file=sys.stderr)
        return 2
    compile_bytecode()  # start-up is measured with the bytecode cached, as a deployment starts
    bench = Bench(SUITES[options.suite], options)
    if bench.placement.client_cpu is not None:
        os.sched_setaffinity(0, {int(bench.placement.client_cpu)})  # this driver stays off the server's CPU
    machine = machine_info()
    print(f"bench suite {options.suite}: {options.rounds} rounds x {options.duration:g} s "
          f"(+{options.warmup:g} s warm-up) per row; {bench.placement.describe()}", flush=True)
    try:
        bench.run()
    finally:
        bench.close()
        if options.keep:
            print(f"servers' files kept in {bench.workroot}")
    machine["loadavg_after"] = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print("\n" + bench.write_results(machine))
    print(f"\nresults: {options.results}/bench-{options.suite}.{{txt,json,png}}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
