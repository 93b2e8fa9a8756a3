"""The todo-list tutorial (`Building, testing and profiling efficient micro-services using Tornado`), sections 2
and 3, run as the text shows them against the real `python server.py`, asserting what the text says. Each test
is named after its section. The tutorial's own logger is `taskservice`; this project's is `tornado_boilerplate`,
so the tutorial's YAML is used with that one name changed."""

from __future__ import annotations

import re
import time
from pathlib import Path

from src.utils.logging import logfmt
from tests.integration.tasks.http_calls import call
from tests.support.server_process import ServerProcess

TUTORIAL_YAML = """
service:
  name: TodoList
logging:
  version: 1
  formatters:
    brief:
      format: '%(asctime)s %(name)s %(levelname)s : %(message)s'
    detailed:
      format: 'time="%(asctime)s" logger="%(name)s" level="%(levelname)s" file="%(filename)s" lineno=%(lineno)d function="%(funcName)s" %(message)s'
  handlers:
    console:
      class: logging.StreamHandler
      level: INFO
      formatter: brief
      stream: ext://sys.stdout
    file:
      class : logging.handlers.RotatingFileHandler
      level: DEBUG
      formatter: detailed
      filename: {log_file}
      backupCount: 3
  loggers:
    tornado_boilerplate:
      level: DEBUG
      handlers:
        - console
        - file
      propagate: no
    tornado.access:
      level: DEBUG
      handlers:
        - file
    tornado.application:
      level: DEBUG
      handlers:
        - file
    tornado.general:
      level: DEBUG
      handlers:
        - file
  root:
    level: WARNING
    handlers:
      - console
"""  # noqa: E501 - the tutorial's YAML, verbatim

IN_MEMORY_CFG_TXT = """
service:
  name: Todo List Test
logging:
  version: 1
  root:
    level: INFO
"""


def lines_with(path: Path, text: str) -> list[dict[str, str]]:
    return [logfmt.parse_line(line) for line in path.read_text().splitlines() if text in line]


def test_2_microservice_sample_session_exercising_all_endpoints(tmp_path: Path) -> None:
    config = tmp_path / "taskservice-local.yaml"
    config.write_text(TUTORIAL_YAML.format(log_file=tmp_path / "taskservice-app.log"))
    with ServerProcess(["--config", str(config), "--debug"]) as server:
        created = call(server.port, "POST", "/tasks", '{"title": "Task1"}')  # curl -i -X POST ... -d '{...}'
        assert (created.status, created.headers["Content-Length"], created.body) == (201, "0", b"")
        location = created.headers["Location"]
        task_id = location.removeprefix("/tasks/")
        assert re.fullmatch(r"[0-9a-f]+", task_id)
        read = call(server.port, "GET", location)
        assert read.status == 200 and read.headers["Content-Type"].startswith("application/json")
        assert read.headers["Etag"] and read.json()["title"] == "Task1"
        assert call(server.port, "PUT", location, '{"title": "Task2"}').status == 204
        listed = call(server.port, "GET", "/tasks")
        assert listed.headers["Etag"] and {key: value["title"] for key, value in listed.json().items()} == {
            task_id: "Task2"}
        assert call(server.port, "DELETE", location).status == 204
        assert call(server.port, "GET", "/tasks").json() == {}
        missing = call(server.port, "GET", location)
        body = missing.json()
        assert missing.status == 404 and missing.headers["Content-Type"].startswith("application/json")
        assert (body["method"], body["uri"], body["code"]) == ("GET", location, 404)
        assert task_id in body["message"] and body["trace"].startswith("Traceback")  # --debug: the trace is sent


def test_3_logging_log_inspection_starting_request_and_response_lines(tmp_path: Path) -> None:
    config = tmp_path / "todoList-local.yaml"
    log_file = tmp_path / "taskservice-app.log"
    config.write_text(TUTORIAL_YAML.format(log_file=log_file))
    with ServerProcess(["--config", str(config), "--debug"]) as server:
        # Start the server: the console shows the STARTING line.
        assert re.search(rf"tornado_boilerplate\.server INFO : message=STARTING service_name=TodoList "
                         rf"port={server.port} ", server.output())
        # Send a request: the file gets its DEBUG REQUEST line, the console its RESPONSE line.
        created = call(server.port, "POST", "/tasks", '{"title": "Task1"}', {"X-Request-ID": "tutorial-1"})
        assert created.status == 201
        call(server.port, "GET", "/tasks", headers={"X-Request-ID": "tutorial-2"})
        deadline = time.monotonic() + 10
        while "message=RESPONSE" not in server.output() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.stop() == 0
    (request_line,) = lines_with(log_file, "req_id=tutorial-2 method=GET uri=/tasks ip=127.0.0.1 message=REQUEST")
    assert (request_line["logger"], request_line["level"], request_line["service_name"]) == (
        "tornado.access", "DEBUG", "TodoList")
    (response_line,) = [logfmt.parse_line(line.partition(" : ")[2]) for line in server.output().splitlines()
                        if "req_id=tutorial-1 " in line]
    assert (response_line["method"], response_line["uri"], response_line["ip"], response_line["message"],
            response_line["status"]) == ("POST", "/tasks", "127.0.0.1", "RESPONSE", "201")
    assert float(response_line["time_ms"]) >= 0


def test_3_logging_unit_and_integration_tests_in_memory_config(tmp_path: Path) -> None:
    config = tmp_path / "in-memory.yaml"
    config.write_text(IN_MEMORY_CFG_TXT)
    with ServerProcess(["--config", str(config)]) as server:
        assert call(server.port, "GET", "/tasks/").status == 200
        assert call(server.port, "POST", "/tasks/", '{"title": "Task1"}').status == 201
        invalid = call(server.port, "POST", "/tasks/", '{"title": ', {"X-Request-ID": "invalid-1"})
        assert invalid.status == 400 and "not valid JSON" in invalid.json()["message"]
        assert server.stop() == 0
    # No handler configured: Python's last-resort handler prints the WARNING line as its bare message.
    (line,) = [logfmt.parse_line(line) for line in server.output().splitlines() if "req_id=invalid-1 " in line]
    assert (line["method"], line["uri"], line["message"], line["status"], line["service_name"]) == (
        "POST", "/tasks/", "RESPONSE", "400", "Todo List Test")
    assert "not valid JSON" in line["reason"]
