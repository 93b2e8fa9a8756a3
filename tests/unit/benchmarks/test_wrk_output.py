"""Reading wrk's --latency report and building its command line (the bench's pure parts)."""

import pytest

from tests.benchmarks.wrk import Load, WrkOutputError, duration_ms, parse_wrk_output, wrk_command

REPORT = """Running 5s test @ http://127.0.0.1:18888/health
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    18.40ms    4.47ms  32.92ms   57.31%
    Req/Sec     2.73k   595.36     3.99k    58.00%
  Latency Distribution
     50%  812.00us
     75%   22.31ms
     90%   24.52ms
     99%    1.20s
  13609 requests in 5.02s, 2.83MB read
  Socket errors: connect 0, read 3, write 0, timeout 2
  Non-2xx or 3xx responses: 12
Requests/sec:   2709.30
Transfer/sec:    576.78KB
"""


@pytest.mark.parametrize(("text", "expected"), [
    ("812.00us", 0.812), ("22.31ms", 22.31), ("1.20s", 1200.0), ("2.00m", 120_000.0)])
def test_durations_are_converted_to_milliseconds(text, expected):
    assert duration_ms(text) == pytest.approx(expected)


def test_report_figures_are_read():
    result = parse_wrk_output(REPORT)
    assert result.requests == 13609
    assert result.seconds == pytest.approx(5.02)
    assert result.requests_per_second == pytest.approx(2709.30)
    assert result.p50_ms == pytest.approx(0.812)
    assert result.p75_ms == pytest.approx(22.31)
    assert result.p99_ms == pytest.approx(1200.0)
    assert result.non_2xx == 12
    assert result.socket_errors == 5


def test_a_clean_report_has_no_errors():
    clean = "\n".join(line for line in REPORT.splitlines() if "errors" not in line and "Non-2xx" not in line)
    result = parse_wrk_output(clean)
    assert (result.non_2xx, result.socket_errors) == (0, 0)


def test_a_report_without_latency_distribution_is_refused():
    without = "\n".join(line for line in REPORT.splitlines() if "%" not in line or "Latency " in line)
    with pytest.raises(WrkOutputError, match="--latency"):
        parse_wrk_output(without)


def test_a_duration_in_an_unknown_notation_is_refused():
    with pytest.raises(WrkOutputError):
        duration_ms("12 parsecs")


def test_command_pins_wrk_and_passes_script_arguments():
    load = Load("GET", "/tasks/{id}", script="task_by_id.lua", script_args=("/tmp/ids.txt",))
    command = wrk_command("http://127.0.0.1:9000", load, 5, 50, cpus="1")
    assert command[:3] == ["taskset", "-c", "1"]
    assert "-c50" in command and "-d5s" in command and "--latency" in command
    script = command[command.index("-s") + 1]
    assert script.endswith("tests/benchmarks/lua/task_by_id.lua")
    # The templated path is for display; the script builds each request's path.
    assert command[-3:] == ["http://127.0.0.1:9000/", "--", "/tmp/ids.txt"]


def test_command_without_pinning_or_script():
    command = wrk_command("http://127.0.0.1:9000/", Load("GET", "/tasks?limit=100"), 2.4, 10)
    assert command[0] == "wrk"
    assert command[-1] == "http://127.0.0.1:9000/tasks?limit=100"
    assert "-s" not in command
