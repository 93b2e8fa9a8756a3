"""Command line, environment and YAML settings, resolved into one frozen `ApplicationContext`.

Precedence: CLI flag > environment variable > YAML file (`--config`) > default. Every setting is declared once
in `SETTINGS`; the argparse flags (with hyphenated aliases), the environment variable names, the YAML keys, the
`-h` text and the validation all come from that table. Defaults live on the dataclasses in
`src.settings`, so there is exactly one place for each.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from src.settings import (
    PROJECT_ROOT,
    ApplicationContext,
    DatabaseSettings,
    HttpClientSettings,
    LockServerSettings,
    LoggingSettings,
    ServerSettings,
    SettingsError,
)

Converter = Callable[[str], Any]


def _integer(minimum: int, maximum: int | None = None) -> Converter:
    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a whole number") from None
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"{minimum}-{maximum}" if maximum is not None else f">= {minimum}"
            raise ValueError(f"{value} is out of range ({bound})")
        return value

    return convert


def _number(minimum: float) -> Converter:
    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if not value >= minimum:  # also rejects NaN
            raise ValueError(f"{value} is out of range (>= {minimum})")
        return value

    return convert


def _choice(*choices: str) -> Converter:
    def convert(text: str) -> str:
        value = text.strip()
        if value not in choices:
            raise ValueError(f"{text!r} is not one of {', '.join(choices)}")
        return value

    return convert


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _boolean(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{text!r} is not a boolean (true/false)")


def _text(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be empty")
    return text


def _path(text: str) -> Path:
    # Relative paths are taken from the project root so the server behaves the same from any working directory.
    return PROJECT_ROOT / _text(text)


def _origins(text: str) -> tuple[str, ...]:
    origins = tuple(part.strip().rstrip("/") for part in text.split(",") if part.strip())
    if not origins:
        raise ValueError("must name at least one origin or '*'")
    for origin in origins:
        if origin != "*" and not origin.startswith(("http://", "https://")):
            raise ValueError(f"{origin!r} is not '*' or an http(s)://host[:port] origin")
    return origins


PORT = _integer(1, 65535)


@dataclass(frozen=True)
class Setting:
    """One setting: its flag (`--name`), where its value lands, how it is read and documented."""

    name: str
    group: str
    attr: str
    convert: Converter
    help: str
    extra_env: tuple[str, ...] = ()
    switch: bool = False

    @property
    def env(self) -> tuple[str, ...]:
        return ("TB_" + self.name.upper(), *self.extra_env)


SETTINGS: tuple[Setting, ...] = (
    # Basic application parameters.
    Setting("proc", "server", "proc", _integer(0, 256), "number of server processes; 0 = one per CPU core"),
    Setting("port", "server", "port", PORT, "listening port", extra_env=("PORT",)),
    Setting("address", "server", "address", _text, "listening address"),
    Setting("env", "server", "env", _choice("dev", "prod"), "environment: dev or prod (prod never sends tracebacks)"),
    Setting("debug", "server", "debug", _boolean,
            "debug mode: tracebacks in error bodies, templates reloaded (dev only)", switch=True),
    Setting("ssl", "server", "ssl", _boolean, "serve HTTPS with --certfile/--keyfile", switch=True),
    Setting("certfile", "server", "certfile", _path, "TLS certificate (PEM); relative to the project root"),
    Setting("keyfile", "server", "keyfile", _path, "TLS private key (PEM); relative to the project root"),
    Setting("max_body_size", "server", "max_body_size", _integer(1), "largest accepted request body, bytes"),
    Setting("shutdown_grace", "server", "shutdown_grace", _number(0), "seconds in-flight requests get on shutdown"),
    Setting("max_connections", "server", "max_connections", _integer(0),
            "client connections served at once, more get a fast 503; 0 = the open-file limit less an eighth"),
    Setting("body_timeout", "server", "body_timeout", _number(0.1), "seconds a request body may take; then 408"),
    Setting("request_timeout", "server", "request_timeout", _number(0),
            "seconds a handler may take before a 503 (the slow handler is logged); 0 = no limit"),
    Setting("api_token", "server", "api_token", _text,
            "bearer token that POST/PUT/PATCH/DELETE require in Authorization; unset = no token"),
    Setting("cors_origins", "server", "cors_origins", _origins,
            "comma-separated allowed CORS origins, or '*' (default: '*' in dev, none in prod)"),
    Setting("loop", "server", "loop", _choice("asyncio", "uvloop"), "event loop implementation"),
    Setting("examples", "server", "examples", _boolean,
            "serve the example routes and jobs (/, /cors, /locking, /client...); --no-examples leaves them all out",
            switch=True),
    Setting("example_jobs", "server", "example_jobs", _boolean, "schedule the example jobs", switch=True),
    Setting("locking_hold_seconds", "server", "locking_hold_seconds", _number(0),
            "how long GET /locking/{id} holds its lock"),
    Setting("metrics", "server", "metrics", _boolean, "serve Prometheus metrics at /metrics", switch=True),
    Setting("metrics_port", "server", "metrics_port", PORT,
            "serve /metrics only on this port, not on --port (keeps it off a public listener)"),
    # Logging parameters.
    Setting("log_level", "logging", "level", _choice("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
            "minimum level logged"),
    Setting("log_host", "logging", "host", _text, "UDP syslog host (with --log_port)"),
    Setting("log_port", "logging", "port", PORT, "UDP syslog port (with --log_host)"),
    Setting("log_dir", "logging", "directory", _path, "folder of the rotating log files"),
    Setting("log_file", "logging", "file_name", _text, "log file name inside --log_dir"),
    Setting("log_max_bytes", "logging", "max_bytes", _integer(1024), "size at which a log file rotates, bytes"),
    Setting("log_backup_count", "logging", "backup_count", _integer(0), "rotated log files kept"),
    Setting("log_health_checks", "logging", "health_checks", _boolean,
            "log /ping and /health requests at INFO too", switch=True),
    # Database parameters.
    Setting("db_host", "database", "host", _text, "MongoDB host; unset = embedded store", extra_env=("MONGODB_HOST",)),
    Setting("db_port", "database", "port", PORT, "MongoDB port", extra_env=("MONGODB_PORT",)),
    Setting("db_name", "database", "name", _text, "database name", extra_env=("MONGODB_NAME",)),
    Setting("db_user", "database", "user", _text, "MongoDB user", extra_env=("MONGODB_USER",)),
    Setting("db_password", "database", "password", _text, "MongoDB password", extra_env=("MONGODB_PASSWORD",)),
    Setting("db_uri", "database", "uri", _text, "full MongoDB URI (overrides host/port/user/password)",
            extra_env=("MONGODB_URI", "MONGO_URI")),
    Setting("db_path", "database", "path", _path, "folder of the embedded store"),
    Setting("db_timeout_ms", "database", "timeout_ms", _integer(1), "MongoDB server selection timeout, ms"),
    Setting("db_driver", "database", "driver", _choice("motor", "pymongo"),
            "MongoDB driver: motor, or pymongo (PyMongo's AsyncMongoClient, Motor's successor)"),
    # Distributed lock server parameters.
    Setting("lock_server", "lock_server", "enabled", _boolean, "use an etcd lock server", switch=True),
    Setting("lock_server_host", "lock_server", "host", _text, "etcd host"),
    Setting("lock_server_port", "lock_server", "port", PORT, "etcd port"),
    Setting("lock_ttl", "lock_server", "ttl", _integer(1), "lock time-to-live, seconds (refreshed while held)"),
    Setting("lock_timeout", "lock_server", "timeout", _number(0.1), "timeout of one etcd call, seconds"),
    # Outbound HTTP.
    Setting("http_max_clients", "http_client", "max_clients", _integer(1), "concurrent outbound requests"),
    Setting("http_connect_timeout", "http_client", "connect_timeout", _number(0.01), "outbound connect timeout, s"),
    Setting("http_request_timeout", "http_client", "request_timeout", _number(0.01), "outbound request timeout, s"),
    Setting("example_client_url", "http_client", "example_client_url", _text,
            "upstream of GET /client (default: this server's /ping)"),
)

_GROUPS: dict[str, type] = {
    "server": ServerSettings,
    "logging": LoggingSettings,
    "database": DatabaseSettings,
    "lock_server": LockServerSettings,
    "http_client": HttpClientSettings,
}
_BY_NAME = {setting.name: setting for setting in SETTINGS}


class _OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad command line is reported in one line, like every other settings error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see -h)\n")


def default_text(setting: Setting) -> str:
    """A setting's default as `-h` and the docs' settings table show it (`on`/`off`, `unset`, paths relative)."""
    default = getattr(getattr(ApplicationContext(), setting.group), setting.attr)
    if isinstance(default, bool):
        return "on" if default else "off"
    if default is None:
        return "unset"
    if isinstance(default, Path) and default.is_relative_to(PROJECT_ROOT):
        return default.relative_to(PROJECT_ROOT).as_posix()
    if isinstance(default, tuple):
        return ",".join(default)
    return str(default)


class ArgumentParsingUtils:
    """Builds the `ApplicationContext` from argv, the environment and the YAML file."""

    @staticmethod
    def build_parser() -> argparse.ArgumentParser:
        parser = _OneLineParser(
            prog="server.py",
            description="tornado-boilerplate server. Precedence: flag > environment variable > --config YAML > "
            "default. Flags also accept hyphens (--db-host).",
        )
        parser.add_argument("--config", help="YAML settings file (keys: the flag names, plus `logging:` for a "
                            "dictConfig) (env: TB_CONFIG)")
        for setting in SETTINGS:
            flags = [f"--{setting.name}"]
            if "_" in setting.name:
                flags.append("--" + setting.name.replace("_", "-"))
            help_text = f"{setting.help} (env: {', '.join(setting.env)}; default: {default_text(setting)})"
            if setting.switch:
                # `--ssl`, `--ssl off` (any boolean word, as in the environment) and `--no-ssl`.
                parser.add_argument(*flags, dest=setting.name, nargs="?", const="true", default=None,
                                    metavar="on|off", help=help_text)
                parser.add_argument(*(f"--no-{flag[2:]}" for flag in flags), dest=setting.name,
                                    action="store_const", const="false", help=f"same as --{setting.name} off")
            else:
                parser.add_argument(*flags, dest=setting.name, default=None, metavar=setting.name.upper(),
                                    help=help_text)
        return parser

    @classmethod
    def parse(cls, argv: Sequence[str] | None = None,
              environ: Mapping[str, str] | None = None) -> ApplicationContext:
        """Resolve every setting; raises `SettingsError` (one line) on the first invalid value."""
        environ = os.environ if environ is None else environ
        arguments = vars(cls.build_parser().parse_args(sys.argv[1:] if argv is None else argv))

        config_path_text = arguments.pop("config") or environ.get("TB_CONFIG") or None
        config_path = Path(config_path_text).resolve() if config_path_text else None
        file_values, dict_config = cls._read_yaml(config_path) if config_path else ({}, None)

        values: dict[str, dict[str, Any]] = {group: {} for group in _GROUPS}
        for setting in SETTINGS:
            raw, origin = cls._raw_value(setting, arguments, environ, file_values)
            if raw is None:
                continue
            if isinstance(raw, bool):
                value: Any = raw
            else:
                try:
                    value = setting.convert(cls._as_text(raw))
                except ValueError as error:
                    raise SettingsError(f"invalid setting {setting.name} (from {origin}): {error}") from None
            values[setting.group][setting.attr] = value

        if values["server"].get("env") == "prod":
            # Production allows no cross-origin callers unless told which (a wildcard included).
            values["server"].setdefault("cors_origins", ())
        if dict_config is not None:
            values["logging"]["dict_config"] = dict_config
        groups = {group: cls_(**values[group]) for group, cls_ in _GROUPS.items()}
        context = ApplicationContext(**groups, config_path=config_path)
        cls._check(context)
        return context

    @staticmethod
    def _raw_value(setting: Setting, arguments: Mapping[str, Any], environ: Mapping[str, str],
                   file_values: Mapping[str, Any]) -> tuple[Any, str]:
        if arguments.get(setting.name) is not None:
            return arguments[setting.name], f"--{setting.name}"
        for name in setting.env:
            if environ.get(name, "").strip():  # an empty variable counts as unset (Heroku, compose files)
                return environ[name], f"${name}"
        if file_values.get(setting.name) is not None:
            return file_values[setting.name], "config file"
        return None, "default"

    @staticmethod
    def _as_text(raw: Any) -> str:
        if isinstance(raw, list | tuple):
            return ",".join(str(item) for item in raw)
        return str(raw)

    @staticmethod
    def _read_yaml(path: Path) -> tuple[dict[str, Any], Mapping[str, Any] | None]:
        import yaml  # noqa: PLC0415 - only with --config: PyYAML is a tenth of the start-up's imports otherwise

        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise SettingsError(f"invalid setting config: cannot read {path}: {error.strerror}") from None
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            reason = " ".join(str(error).split())
            raise SettingsError(f"invalid setting config: {path} is not valid YAML: {reason}") from None
        if document is None:
            return {}, None
        if not isinstance(document, dict):
            raise SettingsError(f"invalid setting config: {path} must hold a mapping of setting names")
        document = dict(document)
        dict_config = document.pop("logging", None)
        if dict_config is not None and not isinstance(dict_config, dict):
            raise SettingsError(f"invalid setting config: `logging` in {path} must be a dictConfig mapping")
        unknown = sorted(str(key) for key in document if key not in _BY_NAME)
        if unknown:
            raise SettingsError(f"invalid setting config: unknown key(s) {', '.join(unknown)} in {path}")
        return document, dict_config

    @staticmethod
    def _check(context: ApplicationContext) -> None:
        if context.server.debug and context.server.env == "prod":
            raise SettingsError("invalid setting debug: --debug is not allowed with --env prod")
        if (context.logging.host is None) != (context.logging.port is None):
            raise SettingsError("invalid setting log_host/log_port: give both or neither")
        if context.server.metrics_port is not None and context.server.metrics_port == context.server.port:
            raise SettingsError("invalid setting metrics_port: must differ from --port")


def replace_settings(context: ApplicationContext, **groups: Any) -> ApplicationContext:
    """A copy of `context` with some groups' fields changed: `replace_settings(ctx, server={"port": 0})`."""
    changed = {name: dataclasses.replace(getattr(context, name), **fields) for name, fields in groups.items()}
    return dataclasses.replace(context, **changed)
