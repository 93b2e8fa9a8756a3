"""`ServerSwitch`: a server setting the whole suite can run with another value of, named by an environment
variable (`event_loops`: `--loop`, `http_parsers`: `--http_parser`)."""

from __future__ import annotations

import os
from typing import NamedTuple


class ServerSwitch(NamedTuple):
    """`environment_variable` names the value of `flag` (one of `choices`) every server of the suite runs with;
    unset or empty, servers run with the server's `default`."""

    environment_variable: str
    flag: str
    choices: tuple[str, ...]
    default: str

    def selected(self) -> str | None:
        """The value the environment asks every server of the suite for (None: the server's default)."""
        return os.environ.get(self.environment_variable) or None

    def in_use(self) -> str:
        """The value the servers of this run use: the selected one, else the default."""
        return self.selected() or self.default

    def server_args(self, value: str | None) -> list[str]:
        """The `server.py` arguments selecting `value` (none for the server's default)."""
        if value is None:
            return []
        if value not in self.choices:
            raise ValueError(f"{self.environment_variable}={value}: not one of {', '.join(self.choices)}")
        return [self.flag, value]
