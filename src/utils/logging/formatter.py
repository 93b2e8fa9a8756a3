"""`LogfmtFormatter`: every record as one logfmt line.

The format string (default `Logger.FORMATTING_STRING`) gives the line's prefix; `%(message)s` becomes the
record's logfmt body:

- a pre-formatted line (a record with `logfmt = True`: the canonical request line, the `message=REQUEST` and
  `message=STARTING` lines) is already `key=value` pairs, `service_name` included, and is used as is;
- any other record becomes `msg="..."`, then the fields passed to `Logger.info(..., key=value)`, then the
  `req_id` and fields of the request being handled when it was logged, then `service_name=...`.
So every line says which service wrote it.

A traceback or stack is appended as one quoted value (`exc="Traceback ...\\n..."`), so a record is always
exactly one line, whatever text an exception message carries.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from typing import Any

from src.utils.logging import logfmt
from src.utils.logging.logger import Logger
from src.utils.logging.record_attributes import service_name, service_name_field, worker_label

# Where the time, the message and the time's milliseconds go in a `line_template` and a `time_template` (no
# format string or attribute holds a NUL).
TIME_MARK = "\0time\0"
MESSAGE_MARK = "\0message\0"
MILLISECONDS_MARK = "\0ms\0"


class LogfmtFormatter(logging.Formatter):
    """`fmt` is a %-style format string; `datefmt` a strftime format (default: ISO 8601 with milliseconds)."""

    def __init__(self, fmt: str | None = None, datefmt: str | None = None) -> None:
        if fmt is None:
            fmt = Logger.FORMATTING_STRING
        super().__init__(fmt, datefmt)
        self._format = fmt
        self._uses_time = "%(asctime)" in fmt
        self._second: tuple[int, str, str] = (-1, "", "")

    def format(self, record: logging.LogRecord) -> str:
        attributes = record.__dict__
        # Console and file handlers share one formatter by default: format each record once.
        cached: tuple[LogfmtFormatter, str] | None = attributes.get("_logfmt_line")
        if cached is not None and cached[0] is self:
            return cached[1]
        body = self.body(record)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            body += " exc=" + logfmt.quote(record.exc_text)
        if record.stack_info:
            body += " stack=" + logfmt.quote(self.formatStack(record.stack_info))
        record.message = body
        if self._uses_time:
            record.asctime = self.formatTime(record, self.datefmt)
        if "worker" not in attributes:  # a record made without the project's record factory
            record.worker = worker_label()
        line = self._format % attributes
        record._logfmt_line = (self, line)
        return line

    @staticmethod
    def body(record: logging.LogRecord) -> str:
        """The logfmt body of a record, without the format string's prefix and without a traceback."""
        attributes = record.__dict__
        if attributes.get("logfmt"):
            return record.getMessage()
        body = "msg=" + logfmt.format_value(record.getMessage())
        own_fields = attributes.get("logfmt_fields")
        if own_fields:
            body += " " + logfmt.format_pairs(own_fields)
        request_id = attributes.get("req_id")
        if request_id:
            body += " req_id=" + logfmt.format_value(request_id)
        request_fields = attributes.get("request_fields")
        if request_fields:
            body += " " + logfmt.format_pairs(request_fields)
        name = attributes.get("service_name")
        if name is None or name == service_name():
            return body + " " + service_name_field()
        return body + " service_name=" + logfmt.format_value(name)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - stdlib name
        """ISO 8601 local time with milliseconds and offset; the per-second part is computed once a second."""
        prefix, offset = self._second_parts(int(record.created), datefmt)
        if datefmt:
            return prefix
        return f"{prefix}.{int(record.msecs):03d}{offset}"

    def time_template(self, second: int, datefmt: str | None = None) -> str:
        """`formatTime` of any moment within `second`, with `MILLISECONDS_MARK` where its milliseconds go."""
        prefix, offset = self._second_parts(second, datefmt)
        if datefmt:
            return prefix
        return f"{prefix}.{MILLISECONDS_MARK}{offset}"

    def _second_parts(self, second: int, datefmt: str | None) -> tuple[str, str]:
        """The time of `second` and its UTC offset, computed once a second."""
        cached_second, prefix, offset = self._second
        if second != cached_second:
            moment = self.converter(second)
            prefix = time.strftime(datefmt or "%Y-%m-%dT%H:%M:%S", moment)
            offset = "" if datefmt else time.strftime("%z", moment)
            self._second = (second, prefix, offset)
        return prefix, offset

    def line_template(self, attributes: Mapping[str, Any]) -> str | None:
        """The format string with `attributes` filled in, and `TIME_MARK` and `MESSAGE_MARK` where the time and
        the message go: for pre-formatted records whose other attributes are those given. None when the format
        string uses anything else (it varies per record) or formats the time or the message other than with `s`."""
        if re.search(r"%\((?:asctime|message)\)(?!s)", self._format):
            return None
        try:
            return self._format % {**attributes, "asctime": TIME_MARK, "message": MESSAGE_MARK}
        except (KeyError, TypeError, ValueError):
            return None
