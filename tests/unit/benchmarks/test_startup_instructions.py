"""`make bench-startup` (tests/benchmarks/startup_instructions.py): its options, and a real count of a start-up
of the bare reference under callgrind."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.benchmarks.startup_instructions import DEFAULT_SERVERS, SERVERS, parse
from tests.support.server_process import PROJECT_ROOT


def test_the_default_servers_or_those_named() -> None:
    assert parse([]).servers == list(DEFAULT_SERVERS)
    assert set(DEFAULT_SERVERS) < set(SERVERS)
    assert parse(["--servers", "bare, server-httptools"]).servers == ["bare", "server-httptools"]
    with pytest.raises(SystemExit):
        parse(["--servers", "fastapi"])


@pytest.mark.slow
@pytest.mark.timeout(900)  # valgrind runs the interpreter 20-50 times slower, more on a loaded machine
def test_a_start_up_of_the_reference_is_counted() -> None:
    finished = subprocess.run([sys.executable, "-m", "tests.benchmarks.startup_instructions", "--servers", "bare"],
                              cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=850, check=False)
    assert finished.returncode == 0, finished.stderr
    match = re.fullmatch(r"bare: ([\d,.]+)M instructions to the first 200 and the stop\n", finished.stdout)
    assert match is not None, finished.stdout
    assert 100 < float(match.group(1).replace(",", "")) < 5000  # an interpreter with Tornado: hundreds of millions
