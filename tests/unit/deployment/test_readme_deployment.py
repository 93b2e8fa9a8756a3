"""docs/deployment.md's Docker and Heroku sections describe the files as they are: images, command, user, ports, the
Procfile line, and the make targets and commands they show."""

from __future__ import annotations

import re

from src.settings import PROJECT_ROOT
from tests.support.deployment_files import (
    compose_service,
    dockerfile_cmd,
    dockerfile_env,
    dockerfile_instructions,
    only,
    procfile_processes,
    runtime_stage,
)

DEPLOYMENT = (PROJECT_ROOT / "docs" / "deployment.md").read_text()


def section(name: str) -> str:
    start = DEPLOYMENT.index(f"<!-- section: {name} -->")
    end = DEPLOYMENT.find("<!-- section:", start + 1)
    return DEPLOYMENT[start:end if end != -1 else None]


def test_docker_section_names_the_images_the_files_use() -> None:
    docker = section("docker")
    assert f"`{compose_service('mongodb')['image']}`" in docker
    assert f"`{compose_service('etcd')['image']}`" in docker
    base = next(instruction.value.split()[0] for instruction in dockerfile_instructions() if instruction.name == "FROM")
    assert f"`{base}`" in docker


def test_docker_section_shows_the_command_environment_user_and_stop_period() -> None:
    docker = " ".join(section("docker").split())
    assert f"`{' '.join(dockerfile_cmd())}`" in docker
    environment = " ".join(f"{name}={value}" for name, value in dockerfile_env().items() if not name.startswith("PY"))
    assert f"`ENV {environment}`" in docker
    user = only(runtime_stage(), "USER").value.split(":")[0]
    assert f"uid {user}" in docker
    assert f"`stop_grace_period: {compose_service('server')['stop_grace_period']}`" in docker
    assert "`5000`" in docker and compose_service("server")["ports"] == ["${TB_PUBLISH_PORT:-5000}:5000"]


def test_heroku_section_shows_the_procfile_line_and_modern_mongodb() -> None:
    heroku = section("heroku")
    assert f"web: {procfile_processes()['web']}\n" in heroku
    assert "MONGODB_URI" in heroku and "Atlas" in heroku
    assert "TB_LOCK_SERVER=true" in heroku and "TB_LOCK_SERVER_HOST=" in heroku
    assert "--enable-v2=true" in heroku


def test_the_docker_sections_make_commands_exist() -> None:
    targets = set(re.findall(r"^([a-z][\w-]*):", (PROJECT_ROOT / "Makefile").read_text(), flags=re.MULTILINE))
    shown = set(re.findall(r"\bmake ([a-z][\w-]*)", section("docker") + section("heroku")))
    assert shown and shown <= targets
    for path in re.findall(r"`(tests/(?:unit|integration)/deployment)`", section("docker")):
        assert (PROJECT_ROOT / path).is_dir()
