"""The repository as Heroku's Python buildpack reads it: the Python version from `.python-version` (runtime.txt is
deprecated and would take precedence), one package manager file, and a Procfile `web` process on `$PORT`.

The rules are the buildpack's own: `.python-version` holds exactly one version line, `N.N` (recommended: the
latest patch release, so security fixes arrive) or `N.N.N`, besides blank and `#` comment lines; package manager
files are Pipfile(.lock), requirements.txt, poetry.lock and uv.lock, and when several exist one silently wins.
Each reader is also shown files the buildpack rejects, so a reader that accepted anything would fail here.
"""

from __future__ import annotations

import re

import pytest

from src.settings import PROJECT_ROOT
from src.utils.command_line.argument_parsing_utils import ArgumentParsingUtils
from tests.support.deployment_files import PYTHON_VERSION_FILE, procfile_processes, procfile_web_argv, runtime_stage

_VERSION = re.compile(r"\s*((0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?)\s*")
_COMMENT_OR_BLANK = re.compile(r"\s*(#.*)?")
# The buildpack's supported Python series (python-support: supported runtimes).
SUPPORTED_SERIES = {(3, minor) for minor in range(9, 15)}
PACKAGE_MANAGER_FILES = ("Pipfile", "Pipfile.lock", "requirements.txt", "poetry.lock", "uv.lock")
PROCESS_TYPE = re.compile(r"[A-Za-z0-9_-]+")


def requested_python_version(contents: str) -> str:
    """The version the buildpack reads from `.python-version`; ValueError where it stops the build."""
    lines = [line for line in contents.splitlines() if not _COMMENT_OR_BLANK.fullmatch(line)]
    if len(lines) != 1:
        raise ValueError(f"expected one Python version line, found {len(lines)}")
    match = _VERSION.fullmatch(lines[0])
    if match is None:
        raise ValueError(f"not a <major>.<minor>[.<patch>] version: {lines[0]!r}")
    return match.group(1)


@pytest.mark.parametrize("contents", ["python-3.11", "3.11\n3.12\n", "# 3.11\n", "", "3.11-dev", "'3.11'", "3"])
def test_the_version_reader_rejects_what_the_buildpack_rejects(contents: str) -> None:
    with pytest.raises(ValueError):
        requested_python_version(contents)


def test_the_version_reader_accepts_comments_blank_lines_and_both_forms() -> None:
    assert requested_python_version("# the series\n\n 3.11 \n") == "3.11"
    assert requested_python_version("3.11.13\n") == "3.11.13"


def test_python_version_is_a_supported_series_in_the_recommended_form() -> None:
    version = requested_python_version(PYTHON_VERSION_FILE.read_text(encoding="utf-8"))
    major, minor = (int(part) for part in version.split("."))  # N.N: two parts, the latest patch is used
    assert (major, minor) in SUPPORTED_SERIES
    assert not (PROJECT_ROOT / "runtime.txt").exists(), "runtime.txt is deprecated and would override it"


def test_the_image_runs_the_same_python_series_heroku_installs() -> None:
    version = requested_python_version(PYTHON_VERSION_FILE.read_text(encoding="utf-8"))
    base = next(instruction.value for instruction in runtime_stage() if instruction.name == "FROM")
    assert base.startswith(f"python:{version}."), f"{base} is not Python {version}"


def test_exactly_one_package_manager_file() -> None:
    found = [name for name in PACKAGE_MANAGER_FILES if (PROJECT_ROOT / name).exists()]
    assert found == ["requirements.txt"], f"the buildpack would pick one of {found} silently"


def test_the_web_process_binds_port_on_every_interface() -> None:
    processes = procfile_processes()
    assert all(PROCESS_TYPE.fullmatch(name) for name in processes)
    context = ArgumentParsingUtils.parse(procfile_web_argv({"PORT": "43210"})[2:], {"PORT": "43210"})
    assert context.server.port == 43210
    assert context.server.address in ("0.0.0.0", ""), "Heroku's router connects from outside the dyno"
