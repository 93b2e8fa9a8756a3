"""The `--config` YAML file: setting names as keys, plus two sections.

- `logging:` a `logging.config.dictConfig` mapping (it replaces the default handlers);
- `service:` the tutorial's section: `name` is the service name (`--service_name`), and the other keys are the
  server settings (`port`, `proc`, `debug`, ...), as if written at the top level.

Anything else, at the top level or inside `service:`, is refused in one line naming the key.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from src.settings import SettingsError


def read_config_file(path: Path, setting_names: Collection[str],
                     server_setting_names: Collection[str]) -> tuple[dict[str, Any], Mapping[str, Any] | None]:
    """(values by setting name, the `logging:` dictConfig or None); `SettingsError` for a file it cannot use."""
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
    document.update(_service_section(document.pop("service", None), document, server_setting_names, path))
    unknown = sorted(str(key) for key in document if key not in setting_names)
    if unknown:
        raise SettingsError(f"invalid setting config: unknown key(s) {', '.join(unknown)} in {path}")
    return document, dict_config


def _service_section(section: Any, document: Mapping[str, Any], server_setting_names: Collection[str],
                     path: Path) -> dict[str, Any]:
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise SettingsError(f"invalid setting config: `service` in {path} must be a mapping (name: ..., port: ...)")
    keys = {"name": "service_name"} | {name: name for name in server_setting_names if name != "service_name"}
    unknown = sorted(f"service.{key}" for key in section if key not in keys)
    if unknown:
        raise SettingsError(f"invalid setting config: unknown key(s) {', '.join(unknown)} in {path} "
                            f"(`service` takes: {', '.join(keys)})")
    values = {keys[key]: value for key, value in section.items()}
    twice = sorted(name for name in values if name in document)
    if twice:
        raise SettingsError(f"invalid setting config: {', '.join(twice)} given both at the top level and in "
                            f"`service` in {path}")
    return values
