"""Logging of the real `python server.py`: default console and file handlers, a line per request that survives
SIGTERM and rotation, one file per worker, UDP syslog, YAML dictConfig and its start-up error."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

from src.utils.logging import logfmt
from tests.support.server_process import PROJECT_ROOT, ServerProcess, free_port


def get(server: ServerProcess, path: str, request_id: str) -> int:
    request = urllib.request.Request(server.url + path, headers={"X-Request-ID": request_id})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def lines_of(*files: Path) -> list[dict[str, str]]:
    return [logfmt.parse_line(line) for file in files for line in file.read_text().splitlines()]


def canonical(lines: list[dict[str, str]]) -> list[dict[str, str]]:
    return [line for line in lines if line.get("logger") == "tornado.access"]


def test_default_handlers_write_console_and_file_and_sigterm_keeps_the_last_line() -> None:
    with ServerProcess() as server:
        assert get(server, "/ping", "probe-1") == 200
        assert get(server, "/no/such/path", "last-request-1") == 404
        assert server.stop() == 0  # at once: the line is still in the buffer when SIGTERM arrives
    log_file = server.workdir / "logs" / "server.log"
    lines = lines_of(log_file)
    (line,) = canonical(lines)  # /ping is not logged at INFO by default
    assert (line["req_id"], line["level"], line["status"], line["uri"]) == (
        "last-request-1", "WARNING", "404", "/no/such/path")
    assert line["worker"] == "0" and int(line["pid"]) == server.process.pid  # type: ignore[union-attr]
    assert [line["msg"] for line in lines if "msg" in line][-1] == "stopped"
    assert "req_id=last-request-1 " in server.output()  # the console got it too


def test_two_workers_never_write_the_same_file() -> None:
    with ServerProcess(["--proc", "2"]) as server:
        logs = server.workdir / "logs"
        files = [logs / "server.log", logs / "server-1.log"]
        deadline = time.monotonic() + 15
        while not all(f.exists() and "listening on" in f.read_text() for f in files):
            assert time.monotonic() < deadline, "both workers should have started"
            time.sleep(0.1)
        for index in range(40):  # each urlopen is a new connection: the kernel spreads them over the workers
            assert get(server, f"/no/such/path/{index}", f"spread-{index}") == 404
        assert server.stop() == 0
    assert sorted(path.name for path in logs.iterdir()) == ["server-1.log", "server-supervisor.log", "server.log"]
    owners = []
    for file, label in zip(files, ("0", "1"), strict=True):
        lines = lines_of(file)
        assert {(line["pid"], line["worker"]) for line in lines} == {(lines[0]["pid"], label)}, file.name
        assert canonical(lines), f"{file.name} got no request"
        owners.append(lines[0]["pid"])
    supervisor_lines = lines_of(logs / "server-supervisor.log")
    assert {line["worker"] for line in supervisor_lines} == {"supervisor"}
    assert len({*owners, supervisor_lines[0]["pid"]}) == 3
    request_ids = sorted(line["req_id"] for line in canonical(lines_of(*files)))
    assert request_ids == sorted(f"spread-{index}" for index in range(40))


def test_rotation_loses_no_line() -> None:
    with ServerProcess(["--log_max_bytes", "2048", "--log_backup_count", "500", "--log_health_checks"]) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        for index in range(150):
            connection.request("GET", "/ping", headers={"X-Request-ID": f"rotate-{index}"})
            assert connection.getresponse().read()
        connection.close()
        assert server.stop() == 0
    files = list((server.workdir / "logs").glob("server.log*"))
    assert len(files) > 5
    assert all(file.stat().st_size <= 2048 for file in files)
    request_ids = [line["req_id"] for line in canonical(lines_of(*files)) if line["req_id"].startswith("rotate-")]
    assert sorted(request_ids) == sorted(f"rotate-{index}" for index in range(150))


def test_syslog_over_udp_receives_the_request_line() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver:
        receiver.bind(("127.0.0.1", 0))
        receiver.settimeout(10)
        port = receiver.getsockname()[1]
        with ServerProcess(["--log_host", "127.0.0.1", "--log_port", str(port)]) as server:
            assert get(server, "/no/such/path", "udp-1") == 404
            datagrams: list[bytes] = []
            while not any(b"req_id=udp-1 " in datagram for datagram in datagrams):
                datagrams.append(receiver.recv(65536))
    datagram = next(d for d in datagrams if b"req_id=udp-1 " in d).decode().rstrip("\x00")
    assert datagram.startswith("<12>tornado-boilerplate: ")  # facility user (1) * 8 + warning (4)
    line = logfmt.parse_line(datagram.split(": ", 1)[1])
    assert (line["level"], line["status"], line["uri"], line["worker"]) == ("WARNING", "404", "/no/such/path", "0")


def test_a_yaml_dict_config_replaces_the_default_handlers(tmp_path: Path) -> None:
    config = tmp_path / "settings.yaml"
    config.write_text(yaml.safe_dump({"logging": {
        "version": 1,
        "formatters": {"mine": {"()": "src.utils.logging.formatter.LogfmtFormatter", "fmt": "mine %(message)s"}},
        "handlers": {"file": {"class": "logging.FileHandler", "formatter": "mine", "filename": "custom.log"}},
        "root": {"level": "INFO", "handlers": ["file"]},
    }}))
    with ServerProcess(["--config", str(config)]) as server:
        assert get(server, "/no/such/path", "yaml-1") == 404
        assert server.stop() == 0
    logs = server.workdir / "logs"
    assert [path.name for path in logs.iterdir()] == ["custom.log"]
    line = next(line for line in (logs / "custom.log").read_text().splitlines() if "yaml-1" in line)
    assert line.startswith("mine req_id=yaml-1 method=GET uri=/no/such/path ip=127.0.0.1 message=RESPONSE status=404 ")
    assert "yaml-1" not in server.output()  # no console handler in that configuration


def test_the_shipped_local_config_logs_to_console_and_file() -> None:
    with ServerProcess(["--config", str(PROJECT_ROOT / "configs" / "local.yaml")]) as server:
        assert get(server, "/no/such/path", "local-1") == 404
        assert server.stop() == 0
    (line,) = canonical(lines_of(server.workdir / "logs" / "server.log"))
    assert line["req_id"] == "local-1"
    console = next(text for text in server.output().splitlines() if "req_id=local-1" in text)
    assert " WARNING tornado.access req_id=local-1 method=GET " in console


def test_an_invalid_logging_config_stops_start_up_with_one_line(tmp_path: Path) -> None:
    config = tmp_path / "settings.yaml"
    config.write_text(yaml.safe_dump({"logging": {"version": 1, "handlers": {"h": {"class": "logging.Nope"}}}}))
    result = subprocess.run(
        [sys.executable, "server.py", "--config", str(config), "--port", str(free_port()), "--address", "127.0.0.1",
         "--log_dir", str(tmp_path / "logs")],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=30, check=False,
    )
    assert result.returncode == 2
    (message,) = result.stderr.splitlines()
    assert message.startswith(f"server.py: error: invalid setting logging (from {config}): ")
    assert "Unable to configure handler 'h'" in message


def test_the_starting_line_service_name_and_request_lines_of_the_tutorial(tmp_path: Path) -> None:
    config = tmp_path / "service.yaml"
    config.write_text("service:\n  name: TodoList\n")
    with ServerProcess(["--config", str(config), "--log_level", "DEBUG"]) as server:
        assert get(server, "/tasks", "arrival-1") == 200
        assert server.stop() == 0
    lines = lines_of(server.workdir / "logs" / "server.log")
    (starting,) = [line for line in lines if line.get("message") == "STARTING"]
    assert (starting["service_name"], starting["port"], starting["url"], starting["store"], starting["proc"]) == (
        "TodoList", str(server.port), server.url, "embedded", "1")
    assert starting["db"] == str(server.workdir / "data" / "tornado_boilerplate.sqlite3")
    assert {line["service_name"] for line in lines} == {"TodoList"}  # every line
    request_lines = [line for line in lines if line.get("req_id") == "arrival-1" and "message" in line]
    assert [(line["level"], line["message"]) for line in request_lines] == [("DEBUG", "REQUEST"), ("INFO", "RESPONSE")]
    assert (request_lines[0]["method"], request_lines[0]["uri"], request_lines[0]["ip"]) == ("GET", "/tasks",
                                                                                            "127.0.0.1")
    assert "message=STARTING service_name=TodoList port=" in server.output()  # the console got it too
