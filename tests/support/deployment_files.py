"""Read the deployment files (Dockerfile, docker-compose.yml, Procfile, .dockerignore) the way their tools do, so
tests check and run exactly what a deployment would."""

from __future__ import annotations

import json
import os
import shlex
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from dockerfile_parse import DockerfileParser

from tests.support.server_process import PROJECT_ROOT, free_port

DOCKERFILE = PROJECT_ROOT / "Dockerfile"
COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
PROCFILE = PROJECT_ROOT / "Procfile"
DOCKERIGNORE = PROJECT_ROOT / ".dockerignore"
PYTHON_VERSION_FILE = PROJECT_ROOT / ".python-version"

# Variables of the test runner's environment that would change the server's settings; a smoke test starts from
# an environment without them, as a fresh container or dyno does.
SETTING_VARIABLE_PREFIXES = ("TB_", "MONGODB_", "MONGO_")
SETTING_VARIABLES = ("PORT", "MONGO_URI")


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction: `FROM`, `COPY`, ...; `stage` counts the `FROM` lines before it (0-based)."""

    name: str
    value: str
    stage: int


def dockerfile_instructions() -> list[Instruction]:
    parser = DockerfileParser(path=str(DOCKERFILE), cache_content=True)
    instructions: list[Instruction] = []
    stage = -1
    for item in parser.structure:
        name = item["instruction"]
        if name == "COMMENT":
            continue
        if name == "FROM":
            stage += 1
        instructions.append(Instruction(name, item["value"], stage))
    return instructions


def runtime_stage() -> list[Instruction]:
    """The instructions of the final stage: what the image that runs is made of."""
    instructions = dockerfile_instructions()
    last = max(instruction.stage for instruction in instructions)
    return [instruction for instruction in instructions if instruction.stage == last]


def only(instructions: list[Instruction], name: str) -> Instruction:
    matching = [instruction for instruction in instructions if instruction.name == name]
    assert len(matching) == 1, f"expected one {name} in the runtime stage, found {len(matching)}"
    return matching[0]


def exec_form(value: str) -> list[str]:
    """The argv of an exec-form (JSON array) CMD/ENTRYPOINT/HEALTHCHECK CMD; fails for the shell form."""
    argv = json.loads(value)
    assert isinstance(argv, list), f"not an exec-form array: {value!r}"
    assert argv and all(isinstance(part, str) for part in argv), f"not an array of strings: {value!r}"
    return [str(part) for part in argv]


def dockerfile_cmd() -> list[str]:
    return exec_form(only(runtime_stage(), "CMD").value)


def dockerfile_env() -> dict[str, str]:
    """The `ENV` of the final stage (`PATH` left out: it points at the image's own virtual environment)."""
    envs = DockerfileParser(path=str(DOCKERFILE), cache_content=True).envs
    return {str(name): str(value) for name, value in envs.items() if name != "PATH"}


@dataclass(frozen=True)
class Healthcheck:
    options: dict[str, str]
    argv: list[str]


def dockerfile_healthcheck() -> Healthcheck:
    """`HEALTHCHECK --interval=30s ... CMD ["python", ...]` split into its options and its exec-form command."""
    value = only(runtime_stage(), "HEALTHCHECK").value
    head, separator, command = value.partition("CMD")
    assert separator, f"HEALTHCHECK without CMD: {value!r}"
    options = {}
    for option in head.split():
        name, _, setting = option.removeprefix("--").partition("=")
        options[name] = setting
    return Healthcheck(options, exec_form(command.strip()))


def compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def compose_service(name: str) -> dict[str, Any]:
    service = compose()["services"][name]
    assert isinstance(service, dict)
    return service


def compose_server_environment() -> dict[str, str]:
    environment = compose_service("server").get("environment", {})
    if isinstance(environment, list):  # the `- NAME=value` spelling
        environment = dict(item.split("=", 1) for item in environment)
    return {str(name): "" if value is None else str(value) for name, value in environment.items()}


def procfile_processes() -> dict[str, str]:
    """`{process type: command}` from the Procfile's `type: command` lines."""
    processes = {}
    for line in PROCFILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        process_type, separator, command = line.partition(":")
        assert separator, f"not a `type: command` line: {line!r}"
        processes[process_type.strip()] = command.strip()
    return processes


def procfile_web_argv(environ: Mapping[str, str]) -> list[str]:
    """The `web:` command split like a shell would after expanding `$PORT` and the like from `environ`."""
    command = procfile_processes()["web"]
    for name in sorted(environ, key=len, reverse=True):
        command = command.replace("${" + name + "}", environ[name]).replace("$" + name, environ[name])
    assert "$" not in command, f"unexpanded variable left in {command!r}"
    return shlex.split(command)


def dockerignore_patterns() -> list[str]:
    """The patterns as the Docker client reads them: stripped lines, blank lines and `#` comments dropped."""
    lines = (line.strip() for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def clean_environment(**variables: str) -> dict[str, str]:
    """The runner's environment minus every server setting, plus `variables`: what a fresh container or dyno has
    (the interpreter's folder first on PATH, so a bare `python` is this checkout's virtual environment)."""
    environment = {
        name: value for name, value in os.environ.items()
        if not name.startswith(SETTING_VARIABLE_PREFIXES) and name not in SETTING_VARIABLES
    }
    environment["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), environment.get("PATH", "")])
    environment.update(variables)
    return environment


def closed_port() -> int:
    """A loopback port nothing listens on: connections to it are refused at once, like a database that is down."""
    port = free_port()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    return port
