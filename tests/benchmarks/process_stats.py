"""CPU time and resident memory of a process and its descendants, read from /proc (Linux)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

PROC = Path("/proc")
_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    """Fields of /proc/PID/stat after the command name (which may hold spaces and parentheses)."""
    text = (PROC / str(pid) / "stat").read_text()
    return text[text.rindex(")") + 2:].split()


def parent_pid(pid: int) -> int:
    return int(_stat_fields(pid)[1])


def process_tree(root: int) -> list[int]:
    """`root` and every live descendant (the workers of a `--proc N` supervisor)."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            children.setdefault(parent_pid(int(entry.name)), []).append(int(entry.name))
        except (OSError, ValueError):
            continue  # exited while we looked
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, []))
    return tree


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU time consumed so far by these processes (all their threads)."""
    ticks = 0
    for pid in pids:
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / _TICKS_PER_SECOND


def cpu_nanoseconds(pids: Iterable[int]) -> int:
    """Time on a CPU so far of every thread of these processes, in nanoseconds (the scheduler's own count:
    /proc/stat's clock ticks are 10 ms, too coarse for the bench's 2 s slices)."""
    total = 0
    for pid in pids:
        try:
            threads = list((PROC / str(pid) / "task").iterdir())
        except OSError:
            continue
        for thread in threads:
            try:
                total += int((thread / "schedstat").read_text().split()[0])
            except (OSError, IndexError, ValueError):
                continue  # exited while we looked
    return total


def rss_bytes(pid: int) -> int:
    """Resident set size of one process; 0 once it has exited."""
    return _kilobytes_field(pid, "status", "VmRSS:") * 1024


def pss_bytes(pid: int) -> int:
    """Proportional set size: the process's private pages plus its share of those it shares (the pages a
    `--proc N` worker still shares with its supervisor after the fork count 1/N each); 0 once it has exited."""
    return _kilobytes_field(pid, "smaps_rollup", "Pss:") * 1024


def _kilobytes_field(pid: int, name: str, field: str) -> int:
    try:
        for line in (PROC / str(pid) / name).read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def usable_cpus() -> list[int]:
    """The CPUs this process may run on, lowest first."""
    return sorted(os.sched_getaffinity(0))
