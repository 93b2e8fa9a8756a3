"""The GC suite's pause figures: the `gc-pauses {...}` line `gc_launcher` prints at exit, and their table."""

from __future__ import annotations

import json
from typing import Any


def parse_gc_pauses(output: str) -> dict[str, Any] | None:
    for line in reversed(output.splitlines()):
        if line.startswith("gc-pauses "):
            parsed: dict[str, Any] = json.loads(line.removeprefix("gc-pauses "))
            return parsed
    return None


def format_gc_pauses(pauses: dict[str, list[dict[str, Any]]]) -> str:
    lines = [f"{'server':<26}" + "".join(f"{f'gen{g} n / total / max ms':>30}" for g in range(3))]
    for name, samples in pauses.items():
        cells = []
        for generation in range(3):
            stats = [sample[f"gen{generation}"] for sample in samples]
            cells.append(f"{sum(s['collections'] for s in stats)} / {sum(s['total_ms'] for s in stats):.0f} / "
                         f"{max(s['max_ms'] for s in stats):.1f}")
        lines.append(f"{name:<26}" + "".join(f"{cell:>30}" for cell in cells))
    return "\n".join(lines)
