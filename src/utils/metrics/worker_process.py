"""Process metrics with several workers: prometheus-client's process collector reports only the process that
answers a scrape, so each worker copies its own (memory, CPU, open files, start time) into gauges labelled with
its pid at every flush. Those of a worker that died go with it (`mark_process_dead`)."""

from __future__ import annotations

from prometheus_client.metrics import Gauge
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import CollectorRegistry

_SAMPLED = {
    "process_resident_memory_bytes": "Resident memory size in bytes",
    "process_virtual_memory_bytes": "Virtual memory size in bytes",
    "process_cpu_seconds_total": "User and system CPU time spent, in seconds",
    "process_open_fds": "Open file descriptors",
    "process_start_time_seconds": "Start time of the process since the epoch, in seconds",
}


class WorkerProcessGauges:
    def __init__(self, registry: CollectorRegistry) -> None:
        self._source = ProcessCollector(registry=None)
        self._gauges = {name: Gauge(name, help_text, registry=registry, multiprocess_mode="liveall")
                        for name, help_text in _SAMPLED.items()}

    def sample(self) -> None:
        """Copy this process's values (a few reads of /proc/self, which lives in memory)."""
        for family in self._source.collect():
            for sample in family.samples:
                gauge = self._gauges.get(sample.name)
                if gauge is not None:
                    gauge.set(sample.value)
