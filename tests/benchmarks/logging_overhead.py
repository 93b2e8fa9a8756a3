"""What the canonical request line costs: `GET /ping` throughput with logging on vs off, in one run.

    make bench-logging                      # or: .venv/bin/python -m tests.benchmarks.logging_overhead
    make bench-logging DURATION=10 ROUNDS=7 ARGS=--compare-stdlib

Starts real servers (`python server.py`, one process each, default handlers: console + rotating file) on
127.0.0.1 and free ports:
- off: `--log_level CRITICAL` (the canonical line is dropped by the level check);
- on: `--log_health_checks` (every /ping writes its canonical line to the console and the file);
- stdlib (with --compare-stdlib): the same lines through the standard `StreamHandler` + `RotatingFileHandler`
  (from a dictConfig), for comparison with the buffered handlers.
Servers and wrk are pinned to different CPUs when there are two or more. wrk loads the servers in turn
(alternating rounds, so a noisy neighbour hurts every mode alike); the script prints each mode's median
requests per second and the server's CPU time per request (from /proc: it stays meaningful when other processes
compete for the cores), and the ratios of both, on vs off. The console output of each server goes to a file.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

import yaml

from tests.support.server_process import ServerProcess

_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
_TOTAL = re.compile(r"(\d+) requests in")


# With two CPUs or more, the servers run on the first and wrk on the second, so they never compete.
_PINNED = (os.cpu_count() or 1) >= 2 and hasattr(os, "sched_setaffinity")
_SERVER_CPUS, _WRK_CPUS = {0}, {1}


def _wrk(url: str, duration: int, connections: int, threads: int) -> tuple[float, int]:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", url]
    output = subprocess.run(
        ["taskset", "-c", ",".join(map(str, _WRK_CPUS)), *command] if _PINNED and shutil.which("taskset") else command,
        check=True, capture_output=True, text=True, timeout=duration + 30,
    ).stdout
    rate, total = _RATE.search(output), _TOTAL.search(output)
    if rate is None or total is None:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    return float(rate.group(1)), int(total.group(1))


def _stdlib_config(directory: Path) -> Path:
    """A dictConfig with the standard, unbuffered handlers and the same line format."""
    config = {
        "logging": {
            "version": 1,
            "formatters": {"logfmt": {"()": "src.utils.logging.formatter.LogfmtFormatter"}},
            "handlers": {
                "console": {"class": "logging.StreamHandler", "formatter": "logfmt", "stream": "ext://sys.stderr"},
                "file": {"class": "logging.handlers.RotatingFileHandler", "formatter": "logfmt",
                         "filename": "server.log", "maxBytes": 10 * 1024 * 1024, "backupCount": 5},
            },
            "root": {"level": "INFO", "handlers": ["console", "file"]},
        }
    }
    path = directory / "stdlib-logging.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _logged_lines(server: ServerProcess, path: str) -> int:
    needle = f"uri={path} "
    return sum(line.count(needle) for log in (server.workdir / "logs").glob("server.log*")
               for line in log.read_text(errors="replace").splitlines())


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Run(NamedTuple):
    rate: float  # requests per second
    cpu_us: float  # server CPU microseconds per request


def _measure(server: ServerProcess, path: str, duration: int, connections: int, threads: int) -> tuple[Run, int]:
    assert server.process is not None
    before = _cpu_seconds(server.process.pid)
    rate, total = _wrk(server.url + path, duration, connections, threads)
    cpu = _cpu_seconds(server.process.pid) - before
    return Run(rate, cpu / max(total, 1) * 1e6), total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (whole seconds)")
    parser.add_argument("--rounds", type=int, default=5, help="measured runs per mode (alternating order)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--path", default="/ping")
    parser.add_argument("--compare-stdlib", action="store_true", help="also measure the standard handlers")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (sudo make install-requirements)", file=sys.stderr)
        return 2

    modes: dict[str, list[str]] = {"off": ["--log_level", "CRITICAL"], "on": ["--log_health_checks"]}
    scratch = Path(tempfile.mkdtemp(prefix="tb-bench-logging-"))
    if options.compare_stdlib:
        modes["stdlib"] = ["--log_health_checks", "--config", str(_stdlib_config(scratch))]
    servers = {mode: ServerProcess(args) for mode, args in modes.items()}
    runs: dict[str, list[Run]] = {mode: [] for mode in modes}
    requests: dict[str, int] = dict.fromkeys(modes, 0)
    try:
        for server in servers.values():
            server.start()
            if _PINNED and server.process is not None:
                os.sched_setaffinity(server.process.pid, _SERVER_CPUS)
        for mode, server in servers.items():  # warm-up
            requests[mode] += _measure(server, options.path, 1, options.connections, options.threads)[1]
        for round_index in range(options.rounds):
            order = list(servers) if round_index % 2 == 0 else list(reversed(servers))
            for mode in order:
                run, total = _measure(servers[mode], options.path, options.duration, options.connections,
                                      options.threads)
                runs[mode].append(run)
                requests[mode] += total
    finally:
        codes = {mode: server.stop() for mode, server in servers.items()}

    print(f"GET {options.path}, wrk -t{options.threads} -c{options.connections} -d{options.duration}s, "
          f"{options.rounds} rounds in alternating order, one server process per mode"
          + (f", servers on CPU {_SERVER_CPUS} and wrk on CPU {_WRK_CPUS}" if _PINNED else ""))
    rates = {mode: statistics.median(run.rate for run in values) for mode, values in runs.items()}
    cpu = {mode: statistics.median(run.cpu_us for run in values) for mode, values in runs.items()}
    for mode, values in runs.items():
        lines = _logged_lines(servers[mode], options.path)
        print(f"  {mode:7s} {rates[mode]:8.1f} req/s  {cpu[mode]:7.1f} us CPU/request (medians)  "
              f"runs: {', '.join(f'{run.rate:.0f}' for run in values)} req/s; "
              f"wrk requests {requests[mode]}, lines in the log file {lines}, exit {codes[mode]}")
    for mode in [mode for mode in runs if mode != "off"]:
        paired = statistics.median(on.rate / off.rate for on, off in zip(runs[mode], runs["off"], strict=True))
        print(f"{mode}/off: throughput ratio {rates[mode] / rates['off']:.3f} (median of paired rounds "
              f"{paired:.3f}); CPU per request ratio off/{mode} {cpu['off'] / cpu[mode]:.3f} "
              f"(logging costs {(1 - cpu['off'] / cpu[mode]) * 100:.1f} % of a CPU-bound worker's throughput)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
