"""Smoke tests of the real deployment commands, run against this checkout without Docker or Heroku.

The Dockerfile's CMD runs with the image's ENV and docker-compose's environment for the server, the Procfile's
`web:` line runs through bash as Heroku runs it, with `PORT` set. The MongoDB and etcd hosts are replaced by
loopback ports nothing listens on, so the dependencies are down: the server must still start, answer `/ping`,
report the database (and the lock server, when enabled) as down on `/health` with 503, and exit 0 on SIGTERM.
The image's HEALTHCHECK command runs against that server: 0 while it serves, non-zero once it stopped.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.support.deployment_files import (
    clean_environment,
    closed_port,
    compose,
    compose_server_environment,
    dockerfile_cmd,
    dockerfile_env,
    dockerfile_healthcheck,
    procfile_processes,
)
from tests.support.server_process import ServerProcess, free_port


def get(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def run_healthcheck(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The image's HEALTHCHECK command, with this checkout's interpreter standing in for the image's `python`."""
    argv = dockerfile_healthcheck().argv
    assert argv[0] == "python"
    return subprocess.run([sys.executable, *argv[1:]], env=environment, capture_output=True, text=True,
                          timeout=15, check=False)


def local_paths(tmp_path: Path) -> dict[str, str]:
    """Logs and embedded data in the test's folder, never in the checkout; listening on loopback only."""
    return {"TB_LOG_DIR": str(tmp_path / "logs"), "TB_DB_PATH": str(tmp_path / "data"), "TB_ADDRESS": "127.0.0.1"}


def assert_serves_with_dependencies_down(server: ServerProcess, lock_server: bool) -> None:
    """Liveness passes; readiness fails naming the database, and the lock server too when it is enabled."""
    assert get(server.url + "/ping") == (200, {"status": "ok"})
    status, body = get(server.url + "/health")
    assert status == 503, body
    assert body["status"] == "unavailable"
    down = {name for name, check in body["checks"].items() if check["status"] != "ok"}
    assert "database" in down, body
    assert len(down - {"database"}) == (1 if lock_server else 0), body


def container_environment(tmp_path: Path, port: int) -> dict[str, str]:
    """What the server container sees under docker-compose (image ENV, then the service's `environment:`), with
    every host that names a compose service pointed at loopback and the dependencies' ports at closed ones."""
    environment = {**dockerfile_env(), **compose_server_environment()}
    services = set(compose()["services"])
    for name, value in environment.items():
        if value in services:
            environment[name] = "127.0.0.1"
    environment.update({"TB_DB_PORT": str(closed_port()), "TB_LOCK_SERVER_PORT": str(closed_port()),
                        "PORT": str(port), **local_paths(tmp_path)})
    return clean_environment(**environment)


def test_docker_cmd_serves_reports_the_database_down_and_stops_on_sigterm(tmp_path: Path) -> None:
    argv = dockerfile_cmd()
    assert argv[0] == "python"
    port = free_port()
    environment = container_environment(tmp_path, port)
    server = ServerProcess(command=[sys.executable, *argv[1:]], port=port)
    server.env = environment
    with server:
        assert_serves_with_dependencies_down(server, lock_server=True)
        healthy = run_healthcheck(environment)
        assert healthy.returncode == 0, healthy.stderr
        assert server.stop() == 0, server.output()
    unhealthy = run_healthcheck(environment)
    assert unhealthy.returncode != 0
    assert "supervising 2 workers" in server.output()


def test_image_without_dependencies_serves_from_the_embedded_store(tmp_path: Path) -> None:
    """The README's `docker run ... -e MONGODB_HOST= tornado-boilerplate python server.py`: an emptied host counts
    as unset, so the image runs alone, one process on the embedded store, and is ready."""
    port = free_port()
    environment = clean_environment(**{**dockerfile_env(), "MONGODB_HOST": "", "PORT": str(port),
                                       **local_paths(tmp_path)})
    server = ServerProcess(command=[sys.executable, "server.py"], port=port)
    server.env = environment
    with server:
        status, body = get(server.url + "/health")
        assert status == 200, body
        assert body["checks"]["database"]["status"] == "ok", body
        assert run_healthcheck(environment).returncode == 0
        assert server.stop() == 0, server.output()


HEROKU_CONFIG_VARS = {
    "MONGODB_URI": {
        "MONGODB_URI": "mongodb://tb:{secret}@127.0.0.1:{db_port}/tornado_boilerplate?authSource=admin",
        # Optional variables a Heroku app may have set empty: they count as unset.
        "MONGODB_USER": "", "MONGODB_PASSWORD": "", "TB_LOCK_SERVER": "", "TB_LOG_HOST": "", "TB_LOG_PORT": "",
    },
    "spec variables and lock server": {
        "MONGODB_HOST": "127.0.0.1", "MONGODB_PORT": "{db_port}", "MONGODB_USER": "tb",
        "MONGODB_PASSWORD": "{secret}", "MONGODB_NAME": "todo",
        "TB_LOCK_SERVER": "true", "TB_LOCK_SERVER_HOST": "127.0.0.1", "TB_LOCK_SERVER_PORT": "{etcd_port}",
    },
}


@pytest.mark.parametrize("config_vars", list(HEROKU_CONFIG_VARS.values()), ids=list(HEROKU_CONFIG_VARS))
def test_procfile_web_serves_on_port_reports_the_database_down_and_stops_on_sigterm(
        tmp_path: Path, config_vars: dict[str, str]) -> None:
    bash = shutil.which("bash")
    assert bash, "Heroku runs Procfile commands with bash"
    port, secret = free_port(), "s3cr3t-p4ss"
    values = {"db_port": closed_port(), "etcd_port": closed_port(), "secret": secret}
    environment = clean_environment(PORT=str(port), **local_paths(tmp_path),
                                    **{name: value.format(**values) for name, value in config_vars.items()})
    server = ServerProcess(command=[bash, "-c", procfile_processes()["web"]], port=port)
    server.env = environment
    with server:
        assert_serves_with_dependencies_down(server, lock_server=environment.get("TB_LOCK_SERVER") == "true")
        assert server.stop() == 0, server.output()
    assert secret not in server.output(), "credentials must never be logged"
