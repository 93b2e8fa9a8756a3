"""The Dockerfile, read with dockerfile-parse: pinned base image matching .python-version, multi-stage build,
non-root user, only the running code copied (no secrets), EXPOSE, HEALTHCHECK, STOPSIGNAL, and a CMD whose
settings resolve to the deployment the spec describes."""

from __future__ import annotations

import re

from src.settings import ApplicationContext
from src.utils.command_line.argument_parsing_utils import ArgumentParsingUtils
from src.utils.command_line.settings_table import SETTINGS
from tests.support.deployment_files import (
    PYTHON_VERSION_FILE,
    dockerfile_cmd,
    dockerfile_env,
    dockerfile_healthcheck,
    dockerfile_instructions,
    only,
    runtime_stage,
)

PINNED_SLIM_PYTHON = re.compile(r"^python:(?P<series>\d+\.\d+)\.\d+-slim-(?P<debian>[a-z]+)$")
SECRET_WORDS = ("key", "secret", "password", "token", "credential", ".pem", ".crt", "id_rsa", ".env")
# What the server needs at run time, and nothing else (keys/ and logs/ are created empty).
RUNTIME_SOURCES = {"server.py", "src/", "views/", "configs/"}


def base_images() -> list[tuple[str, str]]:
    """(image, stage name) of every FROM."""
    stages = []
    for instruction in dockerfile_instructions():
        if instruction.name == "FROM":
            image, _, alias = instruction.value.partition(" AS ")
            stages.append((image.strip(), alias.strip()))
    return stages


def copy_arguments(value: str) -> tuple[dict[str, str], list[str]]:
    """(`--flag=value` options, [sources..., destination]) of a COPY instruction."""
    options, paths = {}, []
    for part in value.split():
        if part.startswith("--"):
            name, _, setting = part[2:].partition("=")
            options[name] = setting
        else:
            paths.append(part)
    return options, paths


def test_python_version_file_names_the_series_heroku_and_the_image_use() -> None:
    assert PYTHON_VERSION_FILE.read_text().strip() == "3.11"


def test_every_stage_starts_from_the_same_pinned_slim_python_of_the_projects_series() -> None:
    stages = base_images()
    assert len(stages) >= 2, "expected a multi-stage build"
    series = PYTHON_VERSION_FILE.read_text().strip()
    for image, _ in stages:
        match = PINNED_SLIM_PYTHON.match(image)
        assert match, f"{image} is not a pinned python:X.Y.Z-slim-<debian> tag"
        assert match["series"] == series, f"{image} does not match .python-version {series}"
    assert len({image for image, _ in stages}) == 1, "build and runtime stages must use the same interpreter"


def test_dependencies_are_installed_in_the_build_stage_and_copied_into_the_runtime() -> None:
    instructions = dockerfile_instructions()
    build_alias = base_images()[0][1]
    assert build_alias, "the build stage needs a name for COPY --from"
    build = [instruction for instruction in instructions if instruction.stage == 0]
    copies = [copy_arguments(instruction.value)[1] for instruction in build if instruction.name == "COPY"]
    assert ["requirements.txt", "/tmp/requirements.txt"] in copies
    assert any("pip install" in instruction.value and "requirements.txt" in instruction.value
               for instruction in build if instruction.name == "RUN")
    runtime_copies = [copy_arguments(instruction.value) for instruction in runtime_stage()
                      if instruction.name == "COPY"]
    assert ({"from": build_alias}, ["/opt/venv", "/opt/venv"]) in runtime_copies
    assert not any("pip install" in instruction.value for instruction in runtime_stage())


def test_runtime_copies_only_the_running_code_and_no_secrets() -> None:
    runtime = runtime_stage()
    assert not [instruction for instruction in runtime if instruction.name == "ADD"], "use COPY, not ADD"
    sources = set()
    for instruction in runtime:
        if instruction.name != "COPY":
            continue
        options, paths = copy_arguments(instruction.value)
        if "from" in options:
            continue
        sources |= set(paths[:-1])
    assert sources == RUNTIME_SOURCES
    for source in sources:
        assert not any(word in source.lower() for word in SECRET_WORDS), f"{source} looks like a secret"
    mkdir = [instruction.value for instruction in runtime if instruction.name == "RUN" and "mkdir" in instruction.value]
    assert mkdir and {"keys", "logs"} <= set(mkdir[0].split()), "keys/ and logs/ must exist, empty"


def test_no_secret_is_baked_into_env_or_build_arguments() -> None:
    for instruction in dockerfile_instructions():
        if instruction.name in {"ENV", "ARG"}:
            names = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=", instruction.value)
            assert not [name for name in names if any(word in name.lower() for word in ("password", "secret",
                                                                                         "token", "uri"))]


def test_runs_as_a_fixed_non_root_user() -> None:
    runtime = runtime_stage()
    users = [instruction for instruction in runtime if instruction.name == "USER"]
    assert users, "the runtime stage must switch to a non-root user"
    user, _, group = users[-1].value.partition(":")
    assert user.isdigit() and int(user) != 0, f"USER {users[-1].value} is root or not numeric"
    assert not group or (group.isdigit() and int(group) != 0)
    created = [instruction.value for instruction in runtime if instruction.name == "RUN" and "useradd" in
               instruction.value]
    assert created and f"--uid {user}" in created[0], "USER must be the account the image creates"
    position = runtime.index(users[-1])
    assert not [instruction for instruction in runtime[position:] if instruction.name == "RUN"], \
        "nothing runs as root after USER"


def test_exposes_the_servers_default_port_and_stops_with_sigterm() -> None:
    runtime = runtime_stage()
    assert only(runtime, "EXPOSE").value.split() == [str(ApplicationContext().server.port)] == ["5000"]
    assert only(runtime, "STOPSIGNAL").value == "SIGTERM"
    assert not [instruction for instruction in runtime if instruction.name == "ENTRYPOINT"], \
        "the server itself is PID 1 and receives the signal"


def test_healthcheck_calls_ping_with_python_within_its_own_timeout() -> None:
    healthcheck = dockerfile_healthcheck()
    assert healthcheck.argv[:2] == ["python", "-c"], "no curl in a slim image: the check is a Python one-liner"
    code = healthcheck.argv[2]
    assert "/ping" in code and "127.0.0.1" in code
    assert not re.search(r"\b(curl|wget)\b", " ".join(healthcheck.argv))
    compile(code, "HEALTHCHECK", "exec")
    request_timeout = float(re.findall(r"timeout=(\d+(?:\.\d+)?)", code)[0])
    assert request_timeout < float(healthcheck.options["timeout"].removesuffix("s"))
    assert {"interval", "timeout", "start-period", "retries"} <= set(healthcheck.options)


def test_cmd_is_exec_form_and_runs_two_processes_with_the_lock_server() -> None:
    argv = dockerfile_cmd()
    assert argv[:2] == ["python", "server.py"]
    context = ArgumentParsingUtils.parse(argv[2:], dockerfile_env())
    assert context.server.proc == 2
    assert context.server.env == "prod"
    assert context.server.port == 5000
    assert context.database.uses_mongo and context.database.host == "mongodb" and context.database.port == 27017
    assert context.lock_server.enabled and context.lock_server.host == "etcd" and context.lock_server.port == 2379


def test_every_env_setting_is_one_the_server_reads() -> None:
    known = {name for setting in SETTINGS for name in setting.env}
    settings = {name for name in dockerfile_env() if not name.startswith("PYTHON")}
    assert settings and settings <= known, f"unknown settings: {sorted(settings - known)}"
