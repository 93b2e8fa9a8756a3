"""SIGTERM under write load loses no answer: every task the server stored was answered 201 to its client.

Clients write tasks over keep-alive connections as fast as they can; the server gets SIGTERM in the middle.
Afterwards the stored tasks are read back (by a fresh server on the same store) and compared with the 201s the
clients received: a task stored but not acknowledged is an answer lost to the shutdown (a retrying client would
create a duplicate). Also checked, against each HTTP/1 transport: once stopping, a request being read finishes,
answers say `Connection: close` and `/health` is 503 `draining`, and an idle keep-alive connection is closed at
once.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path

import pytest

from tests.support.http_parsers import transport_params
from tests.support.raw_http import RawConnection, request
from tests.support.server_process import ServerProcess

CLIENTS = 8
LOAD_SECONDS_BEFORE_SIGTERM = 1.5

# Writes under load for seconds, then waits out a real shutdown.
pytestmark = pytest.mark.slow


class Writer(threading.Thread):
    """Posts tasks titled `<name>-<n>` until the server refuses connections; records what was answered 201."""

    def __init__(self, port: int, name: str) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.prefix = name
        self.acknowledged: list[str] = []
        self.closing_answers = 0
        self.statuses: dict[int, int] = {}

    def run(self) -> None:
        deadline = time.monotonic() + 60  # only a hang reaches this
        connection: RawConnection | None = None
        sent = 0
        while time.monotonic() < deadline:
            try:
                if connection is None:
                    connection = RawConnection(self.port, timeout=15)
                title = f"{self.prefix}-{sent}"
                sent += 1
                body = json.dumps({"title": title}).encode()
                response = connection.exchange(request("POST", "/tasks", {"Content-Type": "application/json"}, body))
            except ConnectionRefusedError:
                return  # the server no longer accepts connections: it is stopping
            except OSError:  # closed or reset under us: that request was never answered, try a new connection
                if connection is not None:
                    connection.close()
                connection = None
                continue
            self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
            if response.status == 201:
                self.acknowledged.append(title)
            if response.closes:
                self.closing_answers += 1
                connection.close()
                connection = None


def stored_titles(data_dir: Path, log_dir: Path) -> set[str]:
    """Every task title in the store, read through a fresh server."""
    titles: set[str] = set()
    with ServerProcess(["--db_path", str(data_dir), "--log_dir", str(log_dir)]) as server, \
            RawConnection(server.port) as connection:
        offset = 0
        while True:
            page = connection.exchange(request("GET", f"/tasks?limit=1000&offset={offset}")).json()
            titles.update(task["title"] for task in page.values())
            if len(page) < 1000:
                return titles
            offset += 1000


@pytest.mark.parametrize("processes", [1, 2])
def test_sigterm_under_write_load_answers_every_stored_task(processes: int, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = ServerProcess(["--proc", str(processes), "--db_path", str(data_dir), "--shutdown_grace", "10"])
    with server:
        writers = [Writer(server.port, f"w{index}") for index in range(CLIENTS)]
        for writer in writers:
            writer.start()
        time.sleep(LOAD_SECONDS_BEFORE_SIGTERM)
        assert sum(len(writer.acknowledged) for writer in writers) > 0, "no load reached the server"
        exit_code = server.stop(signal.SIGTERM)
        for writer in writers:
            writer.join(70)
    assert exit_code == 0, server.output()
    acknowledged = {title for writer in writers for title in writer.acknowledged}
    stored = stored_titles(data_dir, tmp_path / "logs-after")
    unanswered = stored - acknowledged
    print(f"--proc {processes}: {len(stored)} stored, {len(acknowledged)} answered 201, "
          f"{len(unanswered)} committed but unanswered, "
          f"{sum(writer.closing_answers for writer in writers)} answers with Connection: close")
    assert acknowledged <= stored, "a 201 for a task that was not stored"
    assert unanswered == set(), f"{len(unanswered)} stored task(s) never answered: {sorted(unanswered)[:10]}"
    assert all(set(writer.statuses) <= {201} for writer in writers), [writer.statuses for writer in writers]


@pytest.mark.parametrize("transport", transport_params())
def test_once_stopping_answers_close_and_health_says_draining(transport: str) -> None:
    with ServerProcess(["--shutdown_grace", "10"], http_parser=transport) as server, \
            RawConnection(server.port) as idle, RawConnection(server.port) as writing, \
            RawConnection(server.port) as probing:
        assert idle.exchange(request("GET", "/ping")).status == 200
        body = json.dumps({"title": "after the signal"}).encode()
        # Requests being read when the signal comes: headers sent, the body still to come.
        writing.send(request("POST", "/cors", {"Content-Length": str(len(body))}))
        probing.send(request("GET", "/health", {"Content-Length": "2"}))
        time.sleep(0.5)
        server.signal(signal.SIGTERM)
        assert idle.is_closed_by_server(wait=10), "an idle keep-alive connection stayed open after SIGTERM"
        writing.send(body)
        answer = writing.read()
        assert (answer.status, answer.json()) == (200, {"received": {"title": "after the signal"}})
        probing.send(b"{}")
        health = probing.read()
        assert (health.status, health.json()["status"]) == (503, "draining")
        assert answer.closes and health.closes
        assert writing.is_closed_by_server(wait=10) and probing.is_closed_by_server(wait=10)
        assert server.stop() == 0
