"""One slice of `make bench`'s together method for real: two bare-Tornado servers, each loaded by its own wrk
at the same time, their req/s and CPU time per request read from the scheduler's count."""

import shutil
from pathlib import Path

import pytest

from tests.benchmarks.scenarios import PING, Row
from tests.benchmarks.servers import RunningServer, ServerSpec
from tests.benchmarks.together import measure_slice
from tests.benchmarks.wrk import wrk_command

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (make install-requirements)")


def test_both_servers_are_loaded_at_once_and_measured(tmp_path: Path) -> None:
    specs = (ServerSpec("bare-a", "bare", pinned=False), ServerSpec("bare-b", "bare", pinned=False))
    servers = [RunningServer(spec, tmp_path / spec.name, 0, None) for spec in specs]
    try:
        pair = (Row("bare-a GET /ping", "bare-a", PING), Row("bare-b GET /ping", "bare-b", PING))
        commands = (wrk_command(servers[0].url, PING, 1, 4), wrk_command(servers[1].url, PING, 1, 4))
        for reference_first in (False, True):
            measured = measure_slice(pair, (servers[0], servers[1]), commands, 3, 1.0,
                                     reference_first=reference_first)
            assert (measured.row, measured.reference, measured.round) == ("bare-a GET /ping", "bare-b GET /ping", 3)
            assert measured.errors == 0
            assert measured.row_requests_per_second > 0 and measured.reference_requests_per_second > 0
            # each server's own CPU time, per request it answered: a few microseconds at least, under a second
            assert 1 < measured.row_cpu_us_per_request < 1e6
            assert 1 < measured.reference_cpu_us_per_request < 1e6
            assert measured.ratio > 0 and measured.cpu_ratio > 0
    finally:
        for server in servers:
            server.stop()
