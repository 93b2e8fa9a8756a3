"""The settings groups: frozen records whose repr keeps secrets out and whose copies change only what is named."""

from __future__ import annotations

import ast

import pytest

from src.settings import PROJECT_ROOT, ApplicationContext, DatabaseSettings, LoggingSettings, ServerSettings
from src.utils.command_line.argument_parsing_utils import replace_settings


def test_the_repr_names_every_setting_but_the_secrets() -> None:
    context = ApplicationContext(server=ServerSettings(api_token="token-s3cret"),
                                 database=DatabaseSettings(user="app", password="pa55-s3cret",
                                                           uri="mongodb://app:uri-s3cret@db/x"))
    text = repr(context)
    for secret in ("token-s3cret", "pa55-s3cret", "uri-s3cret", "api_token", "password", "uri="):
        assert secret not in text
    assert "ServerSettings(service_name='tornado-boilerplate', port=5000," in text
    assert "DatabaseSettings(host=None, port=27017, name='tornado_boilerplate', user='app', path=" in text


def test_a_group_cannot_be_changed_in_place() -> None:
    settings = ServerSettings()
    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]


def test_a_copy_changes_only_the_named_settings() -> None:
    context = ApplicationContext()
    changed = replace_settings(context, server={"port": 8123}, logging={"level": "DEBUG"})
    assert (changed.server.port, changed.logging.level) == (8123, "DEBUG")
    assert changed.server == context.server._replace(port=8123)
    assert changed.database is context.database
    assert context.server.port == 5000


def test_logging_settings_compare_and_hash_without_the_dict_config() -> None:
    plain = LoggingSettings(level="WARNING")
    configured = LoggingSettings(level="WARNING", dict_config={"version": 1, "handlers": {}})
    assert plain == configured
    assert (plain != configured) is False
    assert hash(plain) == hash(configured)
    assert configured != LoggingSettings(level="ERROR", dict_config={"version": 1})
    assert hash(ApplicationContext(logging=configured)) == hash(ApplicationContext(logging=plain))


def test_no_code_reads_a_default_from_a_group_class() -> None:
    # On a NamedTuple class a field is its descriptor, not its default: `ServerSettings.port` is no number.
    fields: dict[str, tuple[str, ...]] = {type(group).__name__: group._fields for group in ApplicationContext()
                                         if isinstance(group, tuple)}
    fields["ApplicationContext"] = ApplicationContext._fields
    sources = [PROJECT_ROOT / "server.py", *PROJECT_ROOT.glob("src/**/*.py"), *PROJECT_ROOT.glob("tests/**/*.py")]
    found = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in fields
                    and node.attr in fields[node.value.id]):
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} {node.value.id}.{node.attr}")
    assert found == [], "read the default from an instance, e.g. ServerSettings().port"
