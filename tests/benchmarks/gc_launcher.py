"""Run this server with a garbage-collector set-up, for the bench's GC comparison (`make bench SUITE=gc`).

    python -m tests.benchmarks.gc_launcher --gc MODE -- <server.py arguments>

Modes: `default` (what server.py does: `gc.freeze()` after start-up), `no-freeze` (without it), `threshold`
(freeze plus a larger young-generation threshold), `disabled` (no automatic collection: the ceiling of what GC
tuning can win, not a production setting). At exit it prints one `gc-pauses {...}` JSON line: collections and
pause times per generation, measured with `gc.callbacks`.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

from src.server.server import main as server_main

MODES = ("default", "no-freeze", "threshold", "disabled")
THRESHOLD = (50_000, 20, 10)  # generation 0 collects every 50,000 net allocations instead of 700


class PauseRecorder:
    """Counts collections and their pause times per generation."""

    def __init__(self) -> None:
        self.started = 0.0
        self.pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.pauses[int(info["generation"])].append((time.perf_counter() - self.started) * 1000.0)

    def summary(self) -> dict[str, dict[str, float]]:
        return {f"gen{generation}": {"collections": len(times), "total_ms": round(sum(times), 2),
                                      "max_ms": round(max(times, default=0.0), 2)}
                for generation, times in self.pauses.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="run server.py with a GC set-up")
    parser.add_argument("--gc", choices=MODES, default="default")
    parser.add_argument("server_args", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    server_args = [arg for arg in options.server_args if arg != "--"]
    if options.gc in ("no-freeze", "disabled"):
        gc.freeze = lambda: None  # server.py calls gc.freeze() once start-up is done
    if options.gc == "threshold":
        gc.set_threshold(*THRESHOLD)
    if options.gc == "disabled":
        gc.disable()
        gc.enable = lambda: None  # a worker turns the collector on once started
    recorder = PauseRecorder()
    gc.callbacks.append(recorder)
    code = server_main(server_args)
    print("gc-pauses " + json.dumps({"mode": options.gc, **recorder.summary()}), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
