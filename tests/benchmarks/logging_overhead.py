"""What the canonical request line costs: `GET /ping` throughput with logging on vs off, in one run.

    make bench-logging                      # or: .venv/bin/python -m tests.benchmarks.logging_overhead
    make bench-logging ARGS="--duration 10 --rounds 5 --compare-stdlib"

Starts real servers (`python server.py`, one process each, default handlers: console + rotating file) on
127.0.0.1 and free ports:
- off: `--log_level CRITICAL` (the canonical line is dropped by the level check);
- on: `--log_health_checks` (every /ping writes its canonical line to the console and the file);
- stdlib (with --compare-stdlib): the same lines through the standard `StreamHandler` + `RotatingFileHandler`
  (from a dictConfig), for comparison with the buffered handlers.
Then it loads them in turn with wrk (alternating rounds, so a noisy neighbour hurts every mode alike), prints
each mode's median requests per second and the ratio on/off. The console output of each server goes to a file.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from tests.support.server_process import ServerProcess

_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
_TOTAL = re.compile(r"(\d+) requests in")


def _wrk(url: str, duration: int, connections: int, threads: int) -> tuple[float, int]:
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", url],
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (whole seconds)")
    parser.add_argument("--rounds", type=int, default=3, help="measured runs per mode (alternating)")
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
    rates: dict[str, list[float]] = {mode: [] for mode in modes}
    requests: dict[str, int] = dict.fromkeys(modes, 0)
    try:
        for server in servers.values():
            server.start()
        for mode, server in servers.items():  # warm-up
            requests[mode] += _wrk(server.url + options.path, 1, options.connections, options.threads)[1]
        for _ in range(options.rounds):
            for mode, server in servers.items():
                rate, total = _wrk(server.url + options.path, options.duration, options.connections, options.threads)
                rates[mode].append(rate)
                requests[mode] += total
    finally:
        codes = {mode: server.stop() for mode, server in servers.items()}

    print(f"GET {options.path}, wrk -t{options.threads} -c{options.connections} -d{options.duration}s, "
          f"{options.rounds} alternating rounds, one server process per mode")
    medians = {mode: statistics.median(values) for mode, values in rates.items()}
    for mode, values in rates.items():
        lines = _logged_lines(servers[mode], options.path)
        print(f"  {mode:7s} median {medians[mode]:9.1f} req/s  runs {', '.join(f'{v:.0f}' for v in values)}  "
              f"(wrk requests {requests[mode]}, lines in the log file {lines}, exit {codes[mode]})")
    ratio = medians["on"] / medians["off"]
    print(f"ratio on/off = {ratio:.3f}  (logging costs {(1 - ratio) * 100:.1f} % of throughput)")
    if "stdlib" in medians:
        stdlib_ratio = medians["stdlib"] / medians["off"]
        print(f"ratio stdlib/off = {stdlib_ratio:.3f}  (standard handlers cost {(1 - stdlib_ratio) * 100:.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
