"""Command line, environment and YAML settings, resolved into one frozen `ApplicationContext`.

Precedence: CLI flag > environment variable > YAML file (`--config`) > default. Every setting is declared once
in `SETTINGS` (`settings_table.py`); the argparse flags (with hyphenated aliases), the environment variable
names, the YAML keys, the `-h` text and the validation all come from that table. Defaults live on the
groups (NamedTuples) in `src.settings`, so there is exactly one place for each.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Mapping, Sequence
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
from src.utils.command_line.config_file import read_config_file
from src.utils.command_line.settings_table import SETTINGS, Setting

_GROUPS: dict[str, type] = {
    "server": ServerSettings,
    "logging": LoggingSettings,
    "database": DatabaseSettings,
    "lock_server": LockServerSettings,
    "http_client": HttpClientSettings,
}
_BY_NAME = {setting.name: setting for setting in SETTINGS}
_SERVER_SETTING_NAMES = tuple(setting.name for setting in SETTINGS if setting.group == "server")


class _OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad command line is reported in one line, like every other settings error, and the
    terminal's width read once: argparse makes a help formatter for every flag it adds (to check its metavar),
    and each one asks the terminal for its size, a third of the start-up's settings parsing."""

    def __init__(self, **options: Any) -> None:
        width = _terminal_columns() - 2  # what argparse.HelpFormatter would read for each
        super().__init__(formatter_class=functools.partial(argparse.HelpFormatter, width=width), **options)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see -h)\n")


def _terminal_columns() -> int:
    """`shutil.get_terminal_size().columns`, what argparse reads, without importing shutil at every start (with
    it come bz2 and lzma, 1 % of a start-up's instructions): `COLUMNS`, else the terminal's, else 80."""
    text = os.environ.get("COLUMNS", "")
    columns = int(text) if text.isdigit() else 0
    if columns <= 0 and sys.__stdout__ is not None:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (ValueError, OSError):  # not a terminal, or stdout closed
            columns = 0
    return columns or 80


def default_text(setting: Setting, defaults: ApplicationContext | None = None) -> str:
    """A setting's default as `-h` and the docs' settings table show it (`on`/`off`, `unset`, paths relative);
    `defaults` is `ApplicationContext()`, made once by a caller that asks for every setting's."""
    default = getattr(getattr(defaults or ApplicationContext(), setting.group), setting.attr)
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
                            "dictConfig and `service:` for the service's name and server settings) (env: TB_CONFIG)")
        defaults = ApplicationContext()
        for setting in SETTINGS:
            flags = [f"--{setting.name}"]
            if "_" in setting.name:
                flags.append("--" + setting.name.replace("_", "-"))
            help_text = f"{setting.help} (env: {', '.join(setting.env)}; default: {default_text(setting, defaults)})"
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
        # A plain copy: each look-up in os.environ encodes the name, and a missing one raises KeyError inside.
        environ = dict(os.environ) if environ is None else environ
        arguments = vars(cls.build_parser().parse_args(sys.argv[1:] if argv is None else argv))

        config_path_text = arguments.pop("config") or environ.get("TB_CONFIG") or None
        config_path = Path(config_path_text).resolve() if config_path_text else None
        file_values, dict_config = (read_config_file(config_path, _BY_NAME, _SERVER_SETTING_NAMES)
                                    if config_path else ({}, None))

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
    def _check(context: ApplicationContext) -> None:
        if context.server.debug and context.server.env == "prod":
            raise SettingsError("invalid setting debug: --debug is not allowed with --env prod")
        if (context.logging.host is None) != (context.logging.port is None):
            raise SettingsError("invalid setting log_host/log_port: give both or neither")
        if context.server.metrics_port is not None and context.server.metrics_port == context.server.port:
            raise SettingsError("invalid setting metrics_port: must differ from --port")


def replace_settings(context: ApplicationContext, **groups: Any) -> ApplicationContext:
    """A copy of `context` with some groups' fields changed: `replace_settings(ctx, server={"port": 0})`."""
    changed = {name: getattr(context, name)._replace(**fields) for name, fields in groups.items()}
    return context._replace(**changed)
