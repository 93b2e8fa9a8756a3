"""The README's and docs/ pages' code blocks, as the docs tests read them: shell commands (```bash, ```console, ```sh)
and console sessions (`$ command` lines, each followed by the output it is shown to give)."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from tests.support.server_process import PROJECT_ROOT

DOC_PATHS: tuple[Path, ...] = (PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md")))
_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", flags=re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Block:
    path: Path
    language: str
    text: str

    @property
    def where(self) -> str:
        return self.path.relative_to(PROJECT_ROOT).as_posix()


@dataclass(frozen=True)
class Step:
    """One `$ command` of a console session and the output shown under it."""

    command: str
    expected: list[str]


def blocks(path: Path) -> list[Block]:
    return [Block(path, language, text) for language, text in _BLOCK.findall(path.read_text())]


def all_blocks() -> list[Block]:
    return [block for path in DOC_PATHS for block in blocks(path)]


def shell_lines(block: Block) -> list[str]:
    """The commands of a shell block, comments cut off (a `$ ` prompt is dropped, output lines are skipped)."""
    if block.language not in ("bash", "console", "sh"):
        return []
    if block.language == "console":
        return [step.command for step in session(block)]
    return [_without_comment(line) for line in block.text.splitlines() if _without_comment(line)]


def session(block: Block) -> list[Step]:
    steps: list[Step] = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            steps.append(Step(_without_comment(line[2:]), []))
        elif steps:
            steps[-1].expected.append(line)
    return steps


def server_arguments(command: str) -> list[str] | None:
    """The server's arguments in a `server.py ...` or `make run ARGS="..."` command, else None."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if "server.py" in (Path(word).name for word in words):
        start = next(index for index, word in enumerate(words) if Path(word).name == "server.py") + 1
        arguments = words[start:]
    elif words[:2] == ["make", "run"]:
        arguments = [word for part in words[2:] if part.startswith("ARGS=") for word in shlex.split(part[5:])]
    else:
        return None
    return [word for word in arguments if word not in ("&", "&&", "|")]


def _without_comment(line: str) -> str:
    """`cmd  # note` -> `cmd` (a `#` inside quotes stays)."""
    quote = ""
    for index, char in enumerate(line):
        if char in "'\"" and not quote:
            quote = char
        elif char == quote:
            quote = ""
        elif char == "#" and not quote and (index == 0 or line[index - 1] in " \t"):
            return line[:index].rstrip()
    return line.rstrip()
