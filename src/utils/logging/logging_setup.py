"""Per-process logging set-up: default handlers or the YAML dictConfig, one log file per process.

`server.py` calls `configure_logging` once in each process: the single process (`worker_id=None`), the
supervisor of `--proc N` (`supervisor=True`), and each forked worker (`worker_id=0..N-1`, after the fork).
`flush_logging()` writes whatever is still buffered (shutdown, and before each fork).

Default handlers (no `logging:` section in the `--config` file):
- console: `BufferedStreamHandler` on stderr;
- file: `BufferedRotatingFileHandler` in `--log_dir` (created at start-up), rotated at `--log_max_bytes` with
  `--log_backup_count` backups;
- UDP syslog (`SysLogHandler`) when `--log_host` and `--log_port` are set.
All of them write `LogfmtFormatter` lines at `--log_level`.

A `logging:` section replaces the console and file handlers (the syslog handler is still added when the flags
ask for it). Its relative `filename`s are taken inside `--log_dir`.

File names, so that no two processes ever write, let alone rotate, the same file (with `server.log`):
the single process and worker 0 write `server.log`, worker k writes `server-k.log`, and the supervisor writes
`server-supervisor.log`. The same suffixes apply to every `filename` of a dictConfig.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import logging.handlers
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from src.settings import ApplicationContext, LoggingSettings, SettingsError
from src.utils.logging.buffered_handlers import BufferedRotatingFileHandler, BufferedStreamHandler
from src.utils.logging.formatter import LogfmtFormatter
from src.utils.logging.logger import Logger
from src.utils.logging.record_attributes import install_record_factory, set_service_name, set_worker_label

SYSLOG_FORMAT = "tornado-boilerplate: level=%(levelname)s logger=%(name)s pid=%(process)d worker=%(worker)s %(message)s"


def configure_logging(context: ApplicationContext, worker_id: int | None = None, supervisor: bool = False) -> None:
    """Set up this process's handlers; raises `SettingsError` (one line) for an unusable logging set-up."""
    settings = context.logging
    label = "supervisor" if supervisor else str(worker_id or 0)
    suffix = "-supervisor" if supervisor else (f"-{worker_id}" if worker_id else "")
    set_worker_label(label)
    set_service_name(context.server.service_name)
    install_record_factory()
    _remove_handlers()

    if settings.dict_config is not None:
        _apply_dict_config(settings, suffix, context.config_path)
    else:
        _install_default_handlers(settings, suffix)
    if settings.syslog_enabled:
        logging.getLogger().addHandler(_syslog_handler(settings))
    logging.captureWarnings(True)


def flush_logging() -> None:
    """Write every handler's buffered lines now."""
    for handler in _all_handlers():
        with contextlib.suppress(Exception):  # one failing handler must not keep the others from flushing
            handler.flush()


def log_file_path(settings: LoggingSettings, worker_id: int | None = None, supervisor: bool = False) -> Path:
    """The default log file of a process (see the module docstring)."""
    suffix = "-supervisor" if supervisor else (f"-{worker_id}" if worker_id else "")
    return settings.directory / _with_suffix(_effective(settings.file_name, "file_name", Logger.LOGGING_FILE_NAME),
                                             suffix)


def _install_default_handlers(settings: LoggingSettings, suffix: str) -> None:
    formatter = LogfmtFormatter(Logger.FORMATTING_STRING)
    console = BufferedStreamHandler()
    console.setFormatter(formatter)
    file_name = _with_suffix(_effective(settings.file_name, "file_name", Logger.LOGGING_FILE_NAME), suffix)
    try:
        file_handler = BufferedRotatingFileHandler(
            settings.directory / file_name,
            maxBytes=_effective(settings.max_bytes, "max_bytes", Logger.MAX_BYTE),
            backupCount=_effective(settings.backup_count, "backup_count", Logger.BACKUP_COUNT),
        )
    except OSError as error:
        raise SettingsError(f"invalid setting log_dir: cannot write {settings.directory / file_name}: "
                            f"{error.strerror}") from None
    file_handler.setFormatter(formatter)
    root = logging.getLogger()
    root.setLevel(_effective(settings.level, "level", Logger.LOGGING_LEVEL))
    root.addHandler(console)
    root.addHandler(file_handler)


def _apply_dict_config(settings: LoggingSettings, suffix: str, config_path: Path | None) -> None:
    assert settings.dict_config is not None
    config = _resolve_files(copy.deepcopy(dict(settings.dict_config)), settings.directory, suffix)
    config.setdefault("version", 1)
    # Loggers created before the set-up (module-level `Logger`s) must keep working.
    config.setdefault("disable_existing_loggers", False)
    try:
        import logging.config  # noqa: PLC0415 - only a YAML `logging:` section needs it

        logging.config.dictConfig(config)
    except Exception as error:  # noqa: BLE001 - dictConfig raises ValueError, TypeError, ImportError...
        reason = str(error)
        if error.__cause__ is not None and str(error.__cause__) not in reason:
            reason += f": {error.__cause__}"
        origin = f" (from {config_path})" if config_path else ""
        raise SettingsError(f"invalid setting logging{origin}: {' '.join(reason.split())}") from None


def _resolve_files(config: dict[str, Any], directory: Path, suffix: str) -> dict[str, Any]:
    """Relative handler `filename`s go inside `directory`; every one gets the process's suffix."""
    handlers = config.get("handlers")
    if not isinstance(handlers, Mapping):
        return config
    for handler in handlers.values():
        if isinstance(handler, dict) and isinstance(handler.get("filename"), str | Path):
            path = Path(handler["filename"]).expanduser()
            path = path if path.is_absolute() else directory / path
            path = path.with_name(_with_suffix(path.name, suffix))
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise SettingsError(f"invalid setting logging: cannot create {path.parent}: {error.strerror}") from None
            handler["filename"] = str(path)
    return config


def _syslog_handler(settings: LoggingSettings) -> logging.Handler:
    assert settings.host is not None and settings.port is not None
    # Resolved once here: SysLogHandler would otherwise resolve a host name on every line it sends.
    try:
        address = socket.getaddrinfo(settings.host, settings.port, type=socket.SOCK_DGRAM)[0][4]
    except OSError as error:
        raise SettingsError(f"invalid setting log_host: cannot resolve {settings.host!r}: {error}") from None
    handler = logging.handlers.SysLogHandler(address=(str(address[0]), int(address[1])),
                                             socktype=socket.SOCK_DGRAM)
    handler.setFormatter(LogfmtFormatter(SYSLOG_FORMAT))
    return handler


def _remove_handlers() -> None:
    """Close and detach the handlers of a previous set-up (the supervisor's, inherited by a forked worker)."""
    loggers = [logging.getLogger()] + [item for item in logging.Logger.manager.loggerDict.values()
                                       if isinstance(item, logging.Logger)]
    for logger in loggers:
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            with contextlib.suppress(Exception):  # an inherited handler that cannot close is dropped anyway
                handler.close()


def _all_handlers() -> list[logging.Handler]:
    loggers = [logging.getLogger()] + [item for item in logging.Logger.manager.loggerDict.values()
                                       if isinstance(item, logging.Logger)]
    handlers: dict[int, logging.Handler] = {}
    for logger in loggers:
        for handler in logger.handlers:
            handlers[id(handler)] = handler
    return list(handlers.values())


_DEFAULTS = LoggingSettings()


def _effective(value: Any, name: str, class_default: Any) -> Any:
    """The setting when it was given, else the `Logger` class attribute (which defaults to the same value)."""
    return class_default if value == getattr(_DEFAULTS, name) else value


def _with_suffix(file_name: str, suffix: str) -> str:
    """`server.log` + `-1` -> `server-1.log`; `server` + `-1` -> `server-1`."""
    if not suffix:
        return file_name
    path = Path(file_name)
    return f"{path.stem}{suffix}{path.suffix}" if path.suffix else f"{file_name}{suffix}"
