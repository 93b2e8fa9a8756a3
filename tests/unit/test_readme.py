"""The README's commands must work as written: its make targets exist, its server flags exist, and every
setting is documented."""

from __future__ import annotations

import re

from src.settings import PROJECT_ROOT
from src.utils.command_line.argument_parsing_utils import SETTINGS

README = (PROJECT_ROOT / "README.md").read_text()
MAKEFILE = (PROJECT_ROOT / "Makefile").read_text()
FLAGS = {"config", "help"} | {setting.name for setting in SETTINGS}


def code_lines() -> list[str]:
    blocks = re.findall(r"```(?:bash|console|sh)?\n(.*?)```", README, flags=re.DOTALL)
    return [line for block in blocks for line in block.splitlines()]


def test_every_make_target_in_the_readme_exists() -> None:
    targets = set(re.findall(r"^([a-z][\w-]*):", MAKEFILE, flags=re.MULTILINE))
    used = set(re.findall(r"\bmake ([a-z][\w-]*)", README))
    assert used, "the README shows no make command"
    assert used <= targets, f"README uses missing make targets: {sorted(used - targets)}"


def test_every_server_flag_in_the_readme_exists() -> None:
    shown = set()
    for line in code_lines():
        if "server.py" in line or "make run" in line:
            command = line.split("#")[0]
            shown |= {flag.replace("-", "_") for flag in re.findall(r"--(?:no-)?([a-z][\w-]*)", command)}
    assert shown, "the README shows no server command"
    assert shown <= FLAGS, f"README uses unknown flags: {sorted(shown - FLAGS)}"


def test_every_setting_is_documented() -> None:
    missing = [setting.name for setting in SETTINGS if f"`--{setting.name}`" not in README]
    assert not missing, f"settings missing from the README: {missing}"
