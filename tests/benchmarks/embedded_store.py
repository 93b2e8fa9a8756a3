"""Per-operation cost of the embedded store, and how long each call can stall the event loop.

    .venv/bin/python -m tests.benchmarks.embedded_store [--documents 10000] [--calls 1000]

For each operation it reports the latency of one awaited call (p50, p99) on an otherwise idle loop, and the CPU
time the call costs the event-loop thread itself (scheduling the work and taking the result). Then it runs the
same calls while a probe thread asks the loop to run a callback every 0.2 ms, and records per call the largest
delay before a probe ran: how long a request arriving during the call would wait for the loop (the loop's own
work plus waiting for the GIL held by the store's thread). The stall is given as p50/p99/max over the calls; on a
shared machine the max also catches the OS pausing the process, so the probe's delays with no store call at all
are printed as the baseline. Results also go to tests/benchmarks/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from src.database.embedded import EmbeddedClient
from src.settings import PROJECT_ROOT

RESULTS = PROJECT_ROOT / "tests" / "benchmarks" / "results"
Operation = Callable[[int], Awaitable[Any]]


class LoopProbe:
    """A thread that asks the event loop to run a callback every `interval` seconds and records how late each
    callback runs: how long a request arriving at that moment would have waited for the loop. `window()` returns
    the largest delay since its previous call."""

    def __init__(self, interval: float = 0.0002) -> None:
        self.interval = interval
        self.largest_delay = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    async def __aenter__(self) -> LoopProbe:
        loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._probe, args=(loop,), daemon=True)
        self._thread.start()
        await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join)

    def window(self) -> float:
        delay, self.largest_delay = self.largest_delay, 0.0
        return delay

    def _probe(self, loop: asyncio.AbstractEventLoop) -> None:
        while not self._stop.is_set():
            loop.call_soon_threadsafe(self._arrived, time.perf_counter())
            time.sleep(self.interval)

    def _arrived(self, sent: float) -> None:
        self.largest_delay = max(self.largest_delay, time.perf_counter() - sent)


def task_document(n: int) -> dict[str, Any]:
    return {"title": f"task number {n}", "description": "a typical todo item " * 3, "priority": "normal",
            "completed": n % 3 == 0, "due_date": 1_700_000_000 + n}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


async def measure(name: str, calls: int, operation: Operation) -> dict[str, Any]:
    latencies, loop_cpu = [], []
    for n in range(calls):
        started, cpu_started = time.perf_counter(), time.thread_time()
        await operation(n)
        latencies.append(time.perf_counter() - started)
        loop_cpu.append(time.thread_time() - cpu_started)
    stalls = []
    async with LoopProbe() as probe:
        for n in range(calls):
            probe.window()
            await operation(calls + n)
            await asyncio.sleep(0.0005)  # probes sent during the call have run
            stalls.append(probe.window())
    return {
        "operation": name, "calls": calls,
        "p50_us": _us(percentile(latencies, 0.5)), "p99_us": _us(percentile(latencies, 0.99)),
        "loop_cpu_p50_us": _us(percentile(loop_cpu, 0.5)),
        "stall_p50_us": _us(percentile(stalls, 0.5)), "stall_p99_us": _us(percentile(stalls, 0.99)),
        "stall_max_us": _us(max(stalls)),
    }


def _us(seconds: float) -> float:
    return round(seconds * 1e6, 1)


async def idle_baseline(windows: int, window_seconds: float) -> dict[str, float]:
    gaps = []
    async with LoopProbe() as probe:
        for _ in range(windows):
            probe.window()
            await asyncio.sleep(window_seconds)
            gaps.append(probe.window())
    return {"stall_p50_us": _us(percentile(gaps, 0.5)), "stall_p99_us": _us(percentile(gaps, 0.99)),
            "stall_max_us": _us(max(gaps))}


async def indexed_lookups(collection: Any, total: int, calls: int, rng: random.Random) -> list[dict[str, Any]]:
    """Equality and range filters on a non-`_id` field, without an index (a scan) and then with one."""

    def title(_: int) -> dict[str, Any]:
        return {"title": f"task number {rng.randrange(total)}"}

    def due_dates(_: int) -> dict[str, Any]:
        start = 1_700_000_000 + rng.randrange(total)
        return {"due_date": {"$gte": start, "$lt": start + 10}}

    rows = [await measure(f"find_one by title, no index ({total} docs)", 20,
                          lambda n: collection.find_one(title(n))),
            await measure(f"find due_date range of 10, no index ({total} docs)", 20,
                          lambda n: collection.find(due_dates(n)).to_list(None))]
    await collection.create_index("title")
    await collection.create_index("due_date")
    rows.append(await measure(f"find_one by title, indexed ({total} docs)", calls,
                              lambda n: collection.find_one(title(n))))
    rows.append(await measure(f"find due_date range of 10, indexed ({total} docs)", calls,
                              lambda n: collection.find(due_dates(n)).to_list(None)))
    return rows


async def run(documents: int, calls: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="tb-store-bench-"))
    client = EmbeddedClient(folder)
    collection = client["bench"]["tasks"]
    results: list[dict[str, Any]] = []
    try:
        idle = await idle_baseline(500, 0.001)
        results.append(await measure("insert_one", calls, lambda n: collection.insert_one(task_document(n))))
        remaining = documents - await collection.count_documents({})
        for start in range(0, max(remaining, 0), 1000):
            await collection.insert_many([task_document(n) for n in range(start, min(start + 1000, remaining))])
        ids = [document["_id"] for document in await collection.find({}, {"_id": 1}).to_list(None)]
        total = len(ids)
        rng = random.Random(7)

        def pick(_: int) -> Any:
            return ids[rng.randrange(total)]

        results.append(await measure(f"find_one by _id ({total} docs)", calls,
                                     lambda n: collection.find_one({"_id": pick(n)})))
        results.append(await measure("update_one $set by _id", calls,
                                     lambda n: collection.update_one({"_id": pick(n)}, {"$set": {"completed": True}})))
        results.append(await measure("replace_one by _id", calls,
                                     lambda n: collection.replace_one({"_id": pick(n)}, task_document(n))))
        results.append(await measure("list 100 (sort _id, skip, limit)", max(calls // 4, 1),
                                     lambda n: collection.find().sort("_id", 1).skip(rng.randrange(total - 100))
                                     .limit(100).to_list(100)))
        results.append(await measure("count_documents({})", calls, lambda n: collection.count_documents({})))
        results.append(await measure(f"find non-_id filter, full scan ({total} docs)", 20,
                                     lambda n: collection.find({"due_date": {"$lt": 0}}).to_list(None)))
        results.extend(await indexed_lookups(collection, total, calls, rng))
        results.append(await measure("delete_one by _id", calls, lambda n: collection.delete_one({"_id": pick(n)})))
    finally:
        await client.aclose()
    return {"idle_baseline": idle, "documents": documents, "results": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=10_000, help="collection size for the reads")
    parser.add_argument("--calls", type=int, default=1000, help="calls per operation")
    arguments = parser.parse_args()
    report = asyncio.run(run(arguments.documents, arguments.calls))
    idle = report["idle_baseline"]
    print(f"{'operation':<46} {'p50 us':>8} {'p99 us':>8} {'loop CPU':>9} {'stall p50':>10} {'stall p99':>10} "
          f"{'stall max':>10}")
    print(f"{'(no call: probe alone, 1 ms windows)':<46} {'':>8} {'':>8} {'':>9} {idle['stall_p50_us']:>10} "
          f"{idle['stall_p99_us']:>10} {idle['stall_max_us']:>10}")
    for row in report["results"]:
        print(f"{row['operation']:<46} {row['p50_us']:>8} {row['p99_us']:>8} {row['loop_cpu_p50_us']:>9} "
              f"{row['stall_p50_us']:>10} {row['stall_p99_us']:>10} {row['stall_max_us']:>10}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "embedded_store.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
