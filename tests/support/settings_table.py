"""The settings table of README.md and docs/settings.md, generated from `SETTINGS`: `make docs` rewrites it
between its markers, and the docs test fails when a page's copy differs from what this renders."""

from __future__ import annotations

import sys

from src.utils.command_line.argument_parsing_utils import default_text
from src.utils.command_line.settings_table import SETTINGS
from tests.support.server_process import PROJECT_ROOT

START = "<!-- settings table: generated from SETTINGS by `make docs`, do not edit -->\n"
END = "<!-- end of settings table -->\n"
PAGES = (PROJECT_ROOT / "README.md", PROJECT_ROOT / "docs" / "settings.md")


def render() -> str:
    rows = ["| flag | environment | default | meaning |", "|---|---|---|---|"]
    for setting in SETTINGS:
        environment = ", ".join(f"`{name}`" for name in setting.env)
        rows.append(f"| `--{setting.name}` | {environment} | `{default_text(setting)}` | {setting.help} |")
    return START + "\n".join(rows) + "\n" + END


def table_in(text: str) -> str:
    """The generated part of a page, markers included ('' when it has none)."""
    start = text.find(START)
    end = text.find(END, start)
    return text[start:end + len(END)] if start != -1 and end != -1 else ""


def main() -> int:
    for page in PAGES:
        text = page.read_text()
        current = table_in(text)
        if not current:
            print(f"{page.relative_to(PROJECT_ROOT)}: no settings table markers", file=sys.stderr)
            return 1
        page.write_text(text.replace(current, render()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
