"""`LoopGapMeter`: the longest time the event loop was kept from running that the process itself caused."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path


class LoopGapMeter:
    """Ticks every 5 ms on the event loop and records the longest time between two ticks that the process itself
    caused. Time the process's threads spent runnable but waiting for a CPU (other processes on a busy machine) is
    read from the kernel's schedstat and taken off: the loop's own thread waiting, and any other thread of the
    process waiting while it holds the GIL the loop needs (a worker thread preempted mid-call stalls the loop as
    surely as a wait for the CPU, yet the loop's thread itself is only asleep on the GIL meanwhile). A call blocking
    the loop keeps every other thread idle, so it counts in full. What the guest cannot see stays in: on a virtual
    machine the host can hold a vCPU for tens of ms, so bounds must sit well above that."""

    TASKS = Path("/proc/self/task")

    def __init__(self) -> None:
        self.largest = 0.0
        self._task: asyncio.Task[None] | None = None

    def _waited_for_cpu(self) -> float:
        """Seconds the process's threads, added up, have waited on a run queue (threads that ended are dropped,
        which can only make a gap look larger)."""
        total = 0
        try:
            tasks = list(self.TASKS.iterdir())
        except OSError:
            return 0.0  # no /proc: wall-clock gaps only
        for task in tasks:
            try:
                total += int((task / "schedstat").read_text().split()[1])
            except (OSError, IndexError, ValueError):
                continue  # ended meanwhile, or no schedstat
        return total / 1e9

    async def _tick(self) -> None:
        previous, previous_wait = time.perf_counter(), self._waited_for_cpu()
        while True:
            await asyncio.sleep(0.005)
            now, wait = time.perf_counter(), self._waited_for_cpu()
            self.largest = max(self.largest, (now - previous) - (wait - previous_wait))
            previous, previous_wait = now, wait

    def start(self) -> None:
        self._task = asyncio.create_task(self._tick())

    async def stop(self) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
