"""Helpers of the logging tests."""

from __future__ import annotations

import logging
from pathlib import Path

from src.settings import ApplicationContext
from src.utils.command_line.argument_parsing_utils import ArgumentParsingUtils
from src.utils.logging.formatter import LogfmtFormatter


class LineCollector(logging.Handler):
    """Keeps each record and its formatted line."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(LogfmtFormatter())
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))

    def access_lines(self) -> list[str]:
        """The canonical lines (`message=RESPONSE`), one per finished request."""
        return [line for line, record in zip(self.lines, self.records, strict=True)
                if record.name == "tornado.access" and " message=REQUEST" not in record.getMessage()]

    def arrival_lines(self) -> list[str]:
        """The DEBUG `message=REQUEST` lines, one per arriving request."""
        return [line for line, record in zip(self.lines, self.records, strict=True)
                if record.name == "tornado.access" and " message=REQUEST" in record.getMessage()]


def settings(tmp_path: Path, *args: str) -> ApplicationContext:
    """A context as `server.py` would build it from `args`, with the logs in `tmp_path/logs`."""
    return ArgumentParsingUtils.parse(["--log_dir", str(tmp_path / "logs"), *args], {})
