"""The image and the compose deployment run by a real container engine (`make docker-test`, marker `docker`).

A private dockerd (tests/support/docker_engine.py) builds the image from the committed Dockerfile on locally made
base images (tests/support/stand_in_images.py) and runs it: the server answers as a non-root user, the image's
HEALTHCHECK reports healthy on its own timer and unhealthy once the server stops answering, `docker stop` drains
and exits 0. Then `docker-compose up` of the committed compose file, with nx-27017 and Debian's etcd standing in
for its MongoDB and etcd images, serves the spec's curl session with both dependencies healthy.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.tasks.http_calls import call
from tests.integration.tasks.spec_session import replay_the_spec_session
from tests.support.deployment_files import compose_service, dockerfile_healthcheck
from tests.support.docker_engine import DockerEngine
from tests.support.raw_http import RawConnection
from tests.support.server_process import PROJECT_ROOT
from tests.support.stand_in_images import StandIns, provide_stand_ins

pytestmark = [pytest.mark.docker, pytest.mark.timeout(900)]

APP_UID = 10001
CONTAINER_PORT = 5000
# The image's own HEALTHCHECK timer (30 s interval) gets its first verdict after about 30 s; a hang shows only here.
HEALTH_DEADLINE = 180.0


def wait_for(condition: Callable[[], bool], deadline: float, what: str) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"not {what} within {deadline} s")


def get_json(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def wait_for_status(url: str, status: int, deadline: float) -> Any:
    """The JSON body of `url`'s first answer with `status`, asked every 0.5 s until `deadline` s have passed."""
    end = time.monotonic() + deadline
    last: tuple[int, Any] | str = "no answer"
    while time.monotonic() < end:
        try:
            last = get_json(url)
        except OSError as error:
            last = repr(error)
        if isinstance(last, tuple) and last[0] == status:
            return last[1]
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer {status} within {deadline} s; last: {last}")


def proc_file(pid: int, name: str) -> str | None:
    """/proc/<pid>/<name>, or None when the process has exited since `docker top` listed it (a healthcheck run)."""
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes().decode(errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return None


def answers(url: str) -> bool:
    try:
        return get_json(url)[0] == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def engine() -> Iterator[DockerEngine]:
    with DockerEngine() as running:
        yield running


@pytest.fixture(scope="module")
def stand_ins(engine: DockerEngine) -> StandIns:
    with tempfile.TemporaryDirectory(prefix="tb-stand-ins-") as work_dir:
        return provide_stand_ins(engine, Path(work_dir))


@pytest.fixture(scope="module")
def image(engine: DockerEngine, stand_ins: StandIns) -> str:
    """The committed Dockerfile built as the compose file's server image (so `up --no-build` runs this one)."""
    tag = str(compose_service("server")["image"])
    engine.docker("build", "--network", "host", "--tag", tag, str(PROJECT_ROOT), timeout=900)
    return tag


class Container:
    """One `docker run -d` of the image on a private network, reached at its address on that network."""

    def __init__(self, engine: DockerEngine, name: str, network: str, image: str, *options: str) -> None:
        self.engine, self.name = engine, name
        engine.docker("run", "--detach", "--name", name, "--network", network, *options, image)
        self.address = engine.inspect(name)["NetworkSettings"]["Networks"][network]["IPAddress"]
        self.url = f"http://{self.address}:{CONTAINER_PORT}"

    def health(self) -> str:
        return str(self.engine.inspect(self.name)["State"]["Health"]["Status"])

    def server_pids(self) -> list[int]:
        """Host pids of the server's processes (the supervisor and its workers, not a healthcheck run)."""
        return [pid for pid in self.engine.host_pids(self.name)
                if "server.py" in (proc_file(pid, "cmdline") or "")]

    def logs(self) -> str:
        result = self.engine.docker("logs", self.name)
        return result.stdout + result.stderr


@pytest.fixture(scope="module")
def containers(engine: DockerEngine, image: str) -> dict[str, Container]:
    """Two containers of the image as built, started together so their health timers run side by side:
    `default` with the image's HEALTHCHECK as is, `fast` with only its interval shortened to 1 s.
    No MongoDB or etcd on their network: the server serves /ping and reports both as down."""
    engine.docker("network", "create", "tb-image-test")
    return {
        "default": Container(engine, "tb-default", "tb-image-test", image),
        "fast": Container(engine, "tb-fast", "tb-image-test", image, "--health-interval=1s"),
    }


def test_the_image_serves_as_the_unprivileged_user_with_only_the_allowed_files(
        engine: DockerEngine, containers: dict[str, Container]) -> None:
    container = containers["default"]
    wait_for(lambda: answers(container.url + "/ping"), 60, "answering /ping")
    status, health = get_json(container.url + "/health")
    assert status == 503, health
    assert {health["checks"]["database"]["status"], health["checks"]["lock_server"]["status"]} != {"ok"}
    # One worker's answer proves one worker: the other may still be starting (forked, or about to be).
    wait_for(lambda: len(container.server_pids()) >= 3, 30, "running the supervisor and two workers")
    pids = container.server_pids()
    assert len(pids) == 3, "the supervisor and the two workers of --proc 2"
    statuses = [text for pid in engine.host_pids(container.name)
                if (text := proc_file(pid, "status")) is not None]
    assert len(statuses) >= len(pids)
    for text in statuses:
        uid_line = next(line for line in text.splitlines() if line.startswith("Uid:"))
        assert uid_line.split()[1:] == [str(APP_UID)] * 4, f"a process runs as {uid_line}"
    listing = engine.docker("exec", container.name, "python", "-c", "import os; print(sorted(os.listdir('.')))")
    assert listing.stdout.strip() == str(["configs", "data", "keys", "logs", "server.py", "src", "views"])


def test_the_image_serves_through_the_default_http_transport(containers: dict[str, Container]) -> None:
    """httptools' compiled parser from the image's venv reads the requests: bare-LF line endings, which Tornado's
    own parser accepts, are its JSON 400."""
    container = containers["default"]
    wait_for(lambda: answers(container.url + "/ping"), 60, "answering /ping")
    with RawConnection(CONTAINER_PORT, host=container.address) as connection:
        connection.send(b"GET /ping HTTP/1.1\nHost: t\n\n")
        answer = connection.read()
    assert (answer.status, json.loads(answer.body)["code"]) == (400, 400), answer


def test_the_images_workers_run_on_the_default_event_loop(containers: dict[str, Container]) -> None:
    """uvloop's compiled loop from the image's venv is mapped into each worker of --proc 2 (the supervisor
    runs no loop: it need not load it)."""
    container = containers["default"]
    wait_for(lambda: answers(container.url + "/ping"), 60, "answering /ping")
    wait_for(lambda: len(container.server_pids()) >= 3, 30, "running the supervisor and two workers")
    on_uvloop = [pid for pid in container.server_pids() if "/uvloop/" in (proc_file(pid, "maps") or "")]
    assert len(on_uvloop) >= 2, "both workers of --proc 2 on uvloop"


def test_the_healthcheck_turns_unhealthy_when_the_server_stops_answering(
        containers: dict[str, Container]) -> None:
    container = containers["fast"]
    retries = int(dockerfile_healthcheck().options["retries"])
    wait_for(lambda: container.health() == "healthy", 60, "healthy")
    stopped = container.server_pids()
    for pid in stopped:  # host pids: the test runs as the engine's owner
        os.kill(pid, signal.SIGSTOP)
    try:
        # Each probe waits out its timeout against a frozen server; `retries` failures in a row make it unhealthy.
        wait_for(lambda: container.health() == "unhealthy", 30 * retries, "unhealthy")
    finally:
        for pid in stopped:
            os.kill(pid, signal.SIGCONT)
    wait_for(lambda: container.health() == "healthy", 60, "healthy again")


def test_the_healthcheck_turns_healthy_on_its_own_timer(containers: dict[str, Container]) -> None:
    container = containers["default"]
    wait_for(lambda: container.health() == "healthy", HEALTH_DEADLINE, "healthy")


def test_docker_stop_drains_and_exits_0(engine: DockerEngine, containers: dict[str, Container]) -> None:
    container = containers["default"]
    engine.docker("stop", container.name)
    state = engine.inspect(container.name)["State"]
    logs = container.logs()
    assert state["ExitCode"] == 0, logs
    assert "stopping: no new connections" in logs
    assert "msg=stopped" in logs


@pytest.fixture(scope="module")
def compose_deployment(engine: DockerEngine, image: str, stand_ins: StandIns) -> Iterator[int]:
    """`docker-compose up -d` of the committed file; yields the server's published loopback port."""
    # `127.0.0.1::5000`: Docker chooses the loopback port as it binds it, so no other process can take it between
    # a choice made here and the bind.
    publish = {"TB_PUBLISH_PORT": "127.0.0.1:"}
    engine.compose(PROJECT_ROOT, "tb-compose-test", "up", "--detach", "--no-build", env=publish, timeout=600)
    try:
        published = engine.compose(PROJECT_ROOT, "tb-compose-test", "port", "server", str(CONTAINER_PORT),
                                   env=publish).stdout.strip()
        host, _, port_text = published.rpartition(":")
        assert host == "127.0.0.1", published
        port = int(port_text)
        wait_for(lambda: answers(f"http://127.0.0.1:{port}/ping"), 60, "answering /ping")
        yield port
    finally:
        engine.compose(PROJECT_ROOT, "tb-compose-test", "down", "--volumes", "--timeout", "20", env=publish,
                       check=False)


def test_compose_up_waits_for_healthy_dependencies_and_serves_the_spec_session(
        engine: DockerEngine, compose_deployment: int) -> None:
    for service in ("mongodb", "etcd"):
        assert engine.inspect(f"tb-compose-test_{service}_1")["State"]["Health"]["Status"] == "healthy"
    # Answering /ping is not yet ready: the first checks may wait for the drivers' first connections.
    health = wait_for_status(f"http://127.0.0.1:{compose_deployment}/health", 200, 60)
    assert health["checks"]["database"]["status"] == "ok"
    assert health["checks"]["lock_server"]["status"] == "ok"
    replay_the_spec_session(compose_deployment)
    assert call(compose_deployment, "GET", "/tasks").json() == {}


def test_the_compose_server_drains_and_exits_0_within_its_grace_period(
        engine: DockerEngine, compose_deployment: int) -> None:
    engine.docker("stop", "tb-compose-test_server_1")  # Docker's own 10 s before SIGKILL: less than the 20 s grace
    state = engine.inspect("tb-compose-test_server_1")["State"]
    logs = engine.docker("logs", "tb-compose-test_server_1")
    assert state["ExitCode"] == 0, logs.stdout[-3000:] + logs.stderr[-3000:]
    assert "all workers stopped" in logs.stdout + logs.stderr
