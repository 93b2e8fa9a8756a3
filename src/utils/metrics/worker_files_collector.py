"""The scrape's view of every worker's metric files (`--proc N`): prometheus-client's `MultiProcessCollector`,
minus the files it cannot read yet.

A worker creates its file empty and only then sizes it, so a scrape by another worker in between (a worker
being replaced, or one creating its first series) would fail to read the 0-byte file and answer 500. Such a
file holds no values yet: leaving it out of this scrape loses nothing. A live gauge's file removed after its
worker died (between the listing and the stat) is left out the same way.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable

from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import CollectorRegistry


class WorkerFilesCollector(MultiProcessCollector):
    def __init__(self, registry: CollectorRegistry, folder: str) -> None:
        super().__init__(registry, folder)  # type: ignore[no-untyped-call]
        self.folder = folder

    def collect(self) -> Iterable[Metric]:
        files = [name for name in glob.glob(os.path.join(self.folder, "*.db")) if _sized(name)]
        return self.merge(files, accumulate=True)  # type: ignore[no-any-return, no-untyped-call]


def _sized(name: str) -> bool:
    try:
        return os.stat(name).st_size > 0
    except FileNotFoundError:
        return False
