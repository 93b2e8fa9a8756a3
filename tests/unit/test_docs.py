"""README.md and docs/ as written: their make targets exist, every server command they show is accepted by the
server's own parser (flags and values), Python examples parse, links between pages resolve, the settings table
is the one SETTINGS generates, and the README stays a short guide. (tests/integration/docs replays the console
sessions against a real server.)"""

from __future__ import annotations

import ast
import re

import pytest

from src.settings import SettingsError
from src.utils.command_line.argument_parsing_utils import ArgumentParsingUtils
from tests.support.doc_blocks import DOC_PATHS, all_blocks, server_arguments, session, shell_lines
from tests.support.server_process import PROJECT_ROOT
from tests.support.settings_table import PAGES, render, table_in

MAKEFILE = (PROJECT_ROOT / "Makefile").read_text()
README = PROJECT_ROOT / "README.md"
DOC_PAGES = ("settings", "request-handling", "logging", "database", "locks-and-scheduler", "deployment",
             "performance", "observability")


def shown_server_commands() -> list[tuple[str, str, bool]]:
    """(page, command, shown failing) for every server command in a shell block."""
    commands = []
    for block in all_blocks():
        failing = {step.command for step in session(block) if any("error:" in line for line in step.expected)} \
            if block.language == "console" else set()
        commands += [(block.where, line, line in failing) for line in shell_lines(block)
                     if server_arguments(line) is not None]
    return commands


def test_the_docs_pages_exist_and_the_readme_links_each() -> None:
    readme = README.read_text()
    for name in DOC_PAGES:
        assert (PROJECT_ROOT / "docs" / f"{name}.md").exists(), name
        assert f"(docs/{name}.md)" in readme, f"README does not link docs/{name}.md"


def test_the_readme_is_a_short_guide() -> None:
    assert len(README.read_text().splitlines()) <= 400


def test_every_make_target_shown_exists() -> None:
    targets = set(re.findall(r"^([a-z][\w-]*):", MAKEFILE, flags=re.MULTILINE))
    for path in DOC_PATHS:
        used = set(re.findall(r"\bmake ([a-z][\w-]*)", path.read_text()))
        assert used <= targets, f"{path.name} uses missing make targets: {sorted(used - targets)}"


def test_every_server_command_shown_is_accepted_by_the_server() -> None:
    commands = shown_server_commands()
    assert len(commands) > 10
    for page, command, failing in commands:
        arguments = [re.sub(r"\$\{?(\w+)\}?", "5000", word) for word in server_arguments(command) or []]
        if failing:  # shown with its error: it must fail with a settings error, not a parse error
            with pytest.raises((SettingsError, SystemExit)):
                ArgumentParsingUtils.parse(arguments, environ={})
            continue
        config = [arguments[i + 1] for i, word in enumerate(arguments[:-1]) if word == "--config"]
        if any(not (PROJECT_ROOT / path).exists() for path in config):
            continue  # a file of the reader's own (`bad.yaml`): the flags are checked by the parse below
        try:
            ArgumentParsingUtils.parse(arguments, environ={})
        except SystemExit as exit_:  # -h prints the help and exits 0
            assert exit_.code == 0, f"{page}: `{command}` is rejected"
        except SettingsError as error:
            pytest.fail(f"{page}: `{command}` is rejected: {error}")


def test_python_examples_parse() -> None:
    examples = [block for block in all_blocks() if block.language == "python"]
    assert examples
    for block in examples:
        try:
            ast.parse(block.text)
        except SyntaxError as error:
            pytest.fail(f"{block.where}: a Python example does not parse: {error}")


def test_links_between_pages_resolve() -> None:
    for path in DOC_PATHS:
        for target in re.findall(r"\]\(((?!https?:|#)[^)#\s]+)(?:#[^)]*)?\)", path.read_text()):
            assert (path.parent / target).resolve().exists(), f"{path.name} links a missing {target}"


def test_every_settings_table_is_the_generated_one() -> None:
    expected = render()
    for page in PAGES:
        assert table_in(page.read_text()) == expected, f"{page.name}: run `make docs` to regenerate the table"


def test_no_page_tells_to_use_a_bare_python_or_a_removed_target() -> None:
    for path in DOC_PATHS:
        for line in (line for block in all_blocks() if block.path == path for line in shell_lines(block)):
            assert not re.match(r"^(sudo )?python3? server\.py", line), f"{path.name}: `{line}` (use .venv/bin/python)"
            assert "sudo make" not in line, f"{path.name}: `{line}`"
