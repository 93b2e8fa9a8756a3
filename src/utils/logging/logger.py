"""`Logger`: the project's logging entry point, `Logger('aName').info(...)`.

A `Logger` is a thin, slot-only view of the standard `logging.getLogger(name)`: creating one adds no handler
and costs one dictionary look-up, so it can be created wherever it is needed. Handlers are set up once per
process by `logging_setup.configure_logging`.

The class attributes are the code-level defaults of the logging set-up; a value given as a setting (flag,
`TB_*` variable or YAML key: `--log_level`, `--log_file`, `--log_max_bytes`, `--log_backup_count`) overrides
them. Logger names should be dotted identifiers (`tasks`, `tasks.dao`): they are written unquoted.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from src.settings import LoggingSettings

ExcInfo = Any  # what `logging` accepts as exc_info: bool, an exception or a sys.exc_info() tuple


class Logger:
    """`Logger('aName')` with `debug/info/warning/error/exception/critical`.

    Keyword arguments become logfmt fields of the line: `logger.info("retrying", attempt=2)` writes
    `msg=retrying attempt=2` (plus the current request's `req_id` and fields); `exc_info`, `stack_info` and
    `extra` keep their standard meaning.
    """

    FORMATTING_STRING: str = ("time=%(asctime)s level=%(levelname)s logger=%(name)s pid=%(process)d "
                              "worker=%(worker)s %(message)s")
    LOGGING_LEVEL: str = LoggingSettings().level
    LOGGING_FILE_NAME: str = LoggingSettings().file_name
    MAX_BYTE: int = LoggingSettings().max_bytes
    BACKUP_COUNT: int = LoggingSettings().backup_count

    __slots__ = ("_logger", "name")

    def __init__(self, name: str = "tornado_boilerplate") -> None:
        self.name = name
        self._logger = logging.getLogger(name)

    @property
    def logger(self) -> logging.Logger:
        """The underlying standard logger (levels, handlers and propagation are configured there)."""
        return self._logger

    def is_enabled_for(self, level: int) -> bool:
        return self._logger.isEnabledFor(level)

    def debug(self, msg: object, *args: object, exc_info: ExcInfo = None, **fields: Any) -> None:
        if self._logger.isEnabledFor(logging.DEBUG):
            self._log(logging.DEBUG, msg, args, exc_info, fields)

    def info(self, msg: object, *args: object, exc_info: ExcInfo = None, **fields: Any) -> None:
        if self._logger.isEnabledFor(logging.INFO):
            self._log(logging.INFO, msg, args, exc_info, fields)

    def warning(self, msg: object, *args: object, exc_info: ExcInfo = None, **fields: Any) -> None:
        if self._logger.isEnabledFor(logging.WARNING):
            self._log(logging.WARNING, msg, args, exc_info, fields)

    def error(self, msg: object, *args: object, exc_info: ExcInfo = None, **fields: Any) -> None:
        if self._logger.isEnabledFor(logging.ERROR):
            self._log(logging.ERROR, msg, args, exc_info, fields)

    def exception(self, msg: object, *args: object, exc_info: ExcInfo = True, **fields: Any) -> None:
        """ERROR with the traceback of the exception being handled."""
        if self._logger.isEnabledFor(logging.ERROR):
            self._log(logging.ERROR, msg, args, exc_info, fields)

    def critical(self, msg: object, *args: object, exc_info: ExcInfo = None, **fields: Any) -> None:
        if self._logger.isEnabledFor(logging.CRITICAL):
            self._log(logging.CRITICAL, msg, args, exc_info, fields)

    def _log(self, level: int, msg: object, args: tuple[object, ...], exc_info: ExcInfo,
             fields: dict[str, Any]) -> None:
        # `stack_info` and `extra` keep their standard meaning; every other keyword is a field of the line.
        stack_info = bool(fields.pop("stack_info", False))
        extra: Mapping[str, Any] | None = fields.pop("extra", None)
        if fields:
            extra = {**(extra or {}), "logfmt_fields": fields}
        # stacklevel 3: the record's file/line/function are the caller's, not this module's.
        self._logger.log(level, msg, *args, exc_info=exc_info, stack_info=stack_info, stacklevel=3, extra=extra)

    def __repr__(self) -> str:
        return f"Logger({self.name!r})"
