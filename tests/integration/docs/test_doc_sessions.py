"""Every console session in README.md and docs/ is replayed, in order, against a real server started for its
page (embedded store, fresh data): each `$ curl ...` must answer what the page shows (status line, the headers
shown, the body), each `$ .venv/bin/python server.py ...` must print what the page shows. Ids, ETags and request
ids differ from run to run: a hex value seen for the first time in a page's output stands for whatever the server
answered there, and later commands and outputs of the page use that. So an example that reuses an id deleted
earlier, or shows a status the server no longer gives, fails."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.doc_blocks import DOC_PATHS, Step, blocks, server_arguments, session
from tests.support.server_process import PROJECT_ROOT, ServerProcess

SHOWN_URL = "http://localhost:5000"
_TOKEN = re.compile(r"\b(?:[0-9a-f]{40}|[0-9a-f]{32}|[0-9a-f]{24})\b")
IGNORED_HEADERS = {"date", "server"}  # the clock and Tornado's version


def sessions(path: Path) -> list[Step]:
    return [step for block in blocks(path) if block.language == "console" for step in session(block)]


PAGES_WITH_SESSIONS = [path for path in DOC_PATHS if sessions(path)]


class Replay:
    """One page's sessions against one server; `bound` maps the page's hex values to the server's."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.bound: dict[str, str] = {}

    def command(self, step: Step) -> list[str]:
        text = _TOKEN.sub(lambda match: self.bound.get(match.group(0), match.group(0)), step.command)
        words = shlex.split(text.replace(SHOWN_URL, self.server.url))
        if words[0] == "curl":
            return [shutil.which("curl") or "curl", "--silent", "--show-error", "--max-time", "10", *words[1:]]
        return [sys.executable, "server.py", *(server_arguments(text) or [])]

    def run(self, step: Step) -> list[str]:
        result = subprocess.run(self.command(step), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=30,
                                check=False)
        return (result.stdout + result.stderr).replace("\r\n", "\n").splitlines()

    def match(self, expected: str, actual: str) -> bool:
        """`actual` is `expected` with its hex values bound (new ones are bound here)."""
        pattern, names = "", []
        position = 0
        for found in _TOKEN.finditer(expected):
            pattern += re.escape(expected[position:found.start()])
            token = found.group(0)
            if token in self.bound:
                pattern += re.escape(self.bound[token])
            else:
                pattern += f"([0-9a-f]{{{len(token)}}})"
                names.append(token)
            position = found.end()
        pattern += re.escape(expected[position:])
        matched = re.fullmatch(pattern, actual.rstrip())
        if matched is None:
            return False
        for token, value in zip(names, matched.groups(), strict=True):
            self.bound.setdefault(token, value)
        return True

    def check(self, step: Step) -> None:
        actual = self.run(step)
        expected = [line for line in step.expected if line.strip()]
        if "-i" not in shlex.split(step.command):
            body = [line for line in actual if line.strip()]
            assert len(body) == len(expected) and all(map(self.match, expected, body)), (step.command, actual)
            return
        status, *rest = expected
        assert actual and self.match(status, actual[0]), (step.command, actual[:1])
        headers = {line.split(":", 1)[0].lower(): line for line in actual[1:] if ":" in line and line[0] != "{"}
        for line in rest:
            name = line.split(":", 1)[0].lower()
            if line.startswith("{") or line.startswith("["):  # the body: the last line of the answer
                assert self.match(line, actual[-1]), (step.command, line, actual[-1])
            elif name not in IGNORED_HEADERS:
                assert name in headers and self.match(line, headers[name]), (step.command, line, headers.get(name))


@pytest.mark.parametrize("page", PAGES_WITH_SESSIONS, ids=lambda path: path.relative_to(PROJECT_ROOT).as_posix())
def test_the_pages_console_sessions_answer_as_shown(page: Path) -> None:
    assert shutil.which("curl"), "curl is missing: `make test` installs it"
    with ServerProcess() as server:
        replay = Replay(server)
        for step in sessions(page):
            arguments = server_arguments(step.command) or []
            files = [arguments[i + 1] for i, word in enumerate(arguments[:-1]) if word == "--config"]
            if any(not (PROJECT_ROOT / name).exists() for name in files):
                continue  # the reader's own file (`bad.yaml`); its flags are checked by tests/unit/test_docs.py
            replay.check(step)
