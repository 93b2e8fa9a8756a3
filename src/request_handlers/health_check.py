"""Liveness (`GET /ping`) and readiness (`GET /health`) probes."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Mapping

from src.lifecycle import HealthCheck
from src.request_handlers.custom_request_handler import CustomRequestHandler
from src.request_handlers.tracked_connection import is_draining

CHECK_TIMEOUT_SECONDS = 1.5


class HealthCheckHandler(CustomRequestHandler):
    """Liveness: the process is up and its event loop answers. Synchronous on purpose: nothing to await."""

    SUPPORTED_METHODS = ("GET", "OPTIONS")

    def get(self) -> None:
        self.make_response({"status": "ok"})


class ReadinessHandler(CustomRequestHandler):
    """Readiness: every configured dependency answers within a short timeout; 503 names the ones that don't.
    `degraded` (200) when all answer but some only in part (a check that returns `{"status": "degraded"}`, such
    as an etcd cluster with a member down but a quorum up). Once the server is stopping, 503 `draining`, so a load
    balancer sends its requests elsewhere. The pid tells which worker answered when several serve one port."""

    SUPPORTED_METHODS = ("GET", "OPTIONS")

    def initialize(self, health_checks: Mapping[str, HealthCheck]) -> None:
        self.health_checks = health_checks

    async def get(self) -> None:
        if is_draining(self.request):
            self.make_response({"status": "draining", "pid": os.getpid()}, status_code=503)
            return
        checks = self.health_checks
        names = list(checks)
        results = await asyncio.gather(*(_run_check(checks[name]) for name in names))
        report = dict(zip(names, results, strict=True))
        statuses = {result["status"] for result in report.values()}
        status = "unavailable" if "unavailable" in statuses else "degraded" if "degraded" in statuses else "ok"
        self.make_response({"status": status, "pid": os.getpid(), "checks": report},
                           status_code=503 if status == "unavailable" else 200)


async def _run_check(check: HealthCheck) -> dict[str, object]:
    started = time.perf_counter()
    try:
        detail = await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        return {"status": "unavailable", "error": f"no answer within {CHECK_TIMEOUT_SECONDS} s"}
    except Exception as error:  # noqa: BLE001 - any failure of a dependency is reported, not raised
        return {"status": "unavailable", "error": type(error).__name__ + (f": {error}" if str(error) else "")}
    report: dict[str, object] = {"status": "ok"}
    if isinstance(detail, Mapping):
        report.update(detail)
    report["time_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return report
