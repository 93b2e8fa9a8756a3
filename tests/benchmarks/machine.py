"""Where the bench runs: the machine it reports, and the CPUs the servers and wrk are pinned to."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tornado

from tests.benchmarks.process_stats import usable_cpus


@dataclass(frozen=True)
class Placement:
    """Where the servers and wrk run: separate CPUs when there are two or more, else wherever the OS likes."""

    server_cpu: str | None
    client_cpu: str | None
    all_cpus: str | None = None

    @classmethod
    def detect(cls) -> Placement:
        cpus = usable_cpus()
        if len(cpus) < 2 or shutil.which("taskset") is None:
            return cls(None, None)
        return cls(str(cpus[0]), str(cpus[1]), ",".join(map(str, cpus)))

    # The driver pins itself to the client CPU and children inherit that, so unpinned runs get every CPU back.
    def server_cpus(self, pinned: bool) -> str | None:
        return self.server_cpu if pinned else self.all_cpus

    def client_cpus(self, pinned: bool) -> str | None:
        return self.client_cpu if pinned else self.all_cpus

    def describe(self) -> str:
        if self.server_cpu is None:
            return "not pinned (fewer than 2 CPUs or no taskset)"
        return f"server on CPU {self.server_cpu}, wrk on CPU {self.client_cpu}; --proc 2 rows on CPUs {self.all_cpus}"



def machine_info() -> dict[str, Any]:
    model = "unknown CPU"
    with contextlib.suppress(OSError, IndexError):
        model = re.findall(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)[0]
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpu_model": model.strip(),
        "cpus": os.cpu_count(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "tornado": tornado.version,
        "wrk": " ".join((wrk_version.stdout or wrk_version.stderr).split()[:2]),
        "loadavg_before": " ".join(f"{value:.2f}" for value in os.getloadavg()),
    }
