"""Running `wrk` and reading its `--latency` report."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

LUA_DIR = Path(__file__).resolve().parent / "lua"

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_DURATION = re.compile(r"^\s*([\d.]+)(us|ms|s|m|h)\s*$")
_PERCENTILE = re.compile(r"^\s*(50|75|90|99)(?:\.0+)?%\s+([\d.]+(?:us|ms|s|m|h))\s*$", re.MULTILINE)
_TOTAL = re.compile(r"^\s*(\d+) requests in ([\d.]+(?:us|ms|s|m|h)),", re.MULTILINE)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)\s*$", re.MULTILINE)
_NON_2XX = re.compile(r"^\s*Non-2xx or 3xx responses:\s+(\d+)\s*$", re.MULTILINE)
_SOCKET_ERRORS = re.compile(
    r"^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)\s*$", re.MULTILINE)


class WrkOutputError(ValueError):
    """wrk printed something that is not a complete report."""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p75_ms: float
    p90_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def duration_ms(text: str) -> float:
    """`'812.00us'` -> 0.812, `'1.20s'` -> 1200.0: wrk's duration notation in milliseconds."""
    match = _DURATION.match(text)
    if match is None:
        raise WrkOutputError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk_output(output: str) -> WrkResult:
    """The figures of one `wrk --latency` run."""
    percentiles = {int(level): duration_ms(value) for level, value in _PERCENTILE.findall(output)}
    total = _TOTAL.search(output)
    rate = _RATE.search(output)
    if total is None or rate is None or set(percentiles) != {50, 75, 90, 99}:
        raise WrkOutputError("incomplete wrk report (was --latency given?):\n" + output)
    non_2xx = _NON_2XX.search(output)
    socket_errors = _SOCKET_ERRORS.search(output)
    return WrkResult(
        requests=int(total.group(1)),
        seconds=duration_ms(total.group(2)) / 1000.0,
        requests_per_second=float(rate.group(1)),
        p50_ms=percentiles[50],
        p75_ms=percentiles[75],
        p90_ms=percentiles[90],
        p99_ms=percentiles[99],
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(count) for count in socket_errors.groups()) if socket_errors else 0,
    )


@dataclass(frozen=True)
class Load:
    """What one wrk run sends: a method and path, or a Lua script (with its arguments) that builds requests."""

    method: str
    path: str
    script: str | None = None
    script_args: tuple[str, ...] = ()

    def describe(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def url_path(self) -> str:
        # A templated path (`/tasks/{id}`) is for display: its script's request() builds the real paths.
        return "/" if "{" in self.path else self.path


def wrk_command(url: str, load: Load, seconds: float, connections: int, threads: int = 1,
                cpus: str | None = None, timeout_s: float = 5.0) -> list[str]:
    """The wrk command line: keep-alive connections, latency percentiles, pinned with taskset when `cpus`."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
               f"--timeout={timeout_s:g}s"]
    if load.script is not None:
        command += ["-s", str(LUA_DIR / load.script)]
    command.append(url.rstrip("/") + load.url_path)
    if load.script_args:
        command += ["--", *load.script_args]
    return (["taskset", "-c", cpus] if cpus else []) + command


def run_wrk(command: Sequence[str], seconds: float) -> WrkResult:
    return run_wrk_together([command], seconds)[0]


def run_wrk_together(commands: Sequence[Sequence[str]], seconds: float) -> list[WrkResult]:
    """Several wrk runs at once (each loading its own server), their reports in the order of `commands`."""
    processes = [subprocess.Popen(list(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for command in commands]
    try:
        outputs = [process.communicate(timeout=seconds + 30) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    for process, (stdout, stderr) in zip(processes, outputs, strict=True):
        if process.returncode != 0:
            raise WrkOutputError(f"wrk exited with {process.returncode}: {stderr or stdout}")
    return [parse_wrk_output(stdout) for stdout, _ in outputs]
