"""Settings: defaults, precedence (CLI > env > YAML > default), aliases and one-line validation errors."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from src.settings import PROJECT_ROOT, ApplicationContext, SettingsError
from src.utils.command_line.argument_parsing_utils import ArgumentParsingUtils, _terminal_columns
from src.utils.command_line.settings_table import SETTINGS


def parse(argv: list[str] | None = None, env: dict[str, str] | None = None) -> ApplicationContext:
    return ArgumentParsingUtils.parse(argv or [], env or {})


def test_defaults_are_the_specs() -> None:
    context = parse()
    assert (context.server.proc, context.server.port, context.server.env) == (1, 5000, "dev")
    assert context.server.address == "0.0.0.0"
    assert context.server.ssl is False and context.server.debug is False
    assert (context.database.port, context.database.name) == (27017, "tornado_boilerplate")
    assert context.database.host is None and context.database.uses_mongo is False
    assert context.lock_server.enabled is False and context.lock_server.port == 2379
    assert context.logging.host is None and context.logging.port is None
    assert context.server.certfile == PROJECT_ROOT / "keys" / "server.crt"


def test_cli_beats_env_beats_yaml_beats_default(tmp_path: Path) -> None:
    config = tmp_path / "settings.yaml"
    config.write_text("port: 7000\ndb_name: from_yaml\nproc: 3\n")
    context = parse(["--config", str(config), "--port", "9000"], {"TB_PORT": "8000", "TB_DB_NAME": "from_env"})
    assert context.server.port == 9000
    assert context.database.name == "from_env"
    assert context.server.proc == 3
    assert context.server.shutdown_grace == 10.0
    assert context.config_path == config.resolve()


def test_heroku_port_variable_is_honoured_and_tb_port_wins() -> None:
    assert parse([], {"PORT": "6123"}).server.port == 6123
    assert parse([], {"PORT": "6123", "TB_PORT": "6124"}).server.port == 6124


def test_empty_environment_variables_count_as_unset() -> None:
    context = parse([], {"MONGODB_HOST": "", "PORT": " "})
    assert context.database.host is None
    assert context.server.port == 5000


def test_hyphen_aliases_and_the_specs_lock_server_spelling() -> None:
    context = parse(["--lock-server", "--lock-server-host", "etcd.internal", "--lock-server-port", "2380",
                     "--db-host", "mongo.internal"])
    assert context.lock_server.enabled is True
    assert (context.lock_server.host, context.lock_server.port) == ("etcd.internal", 2380)
    assert context.database.host == "mongo.internal" and context.database.uses_mongo


def test_lock_server_switch_from_env_and_cli_override() -> None:
    assert parse([], {"TB_LOCK_SERVER": "true"}).lock_server.enabled is True
    assert parse(["--no-lock_server"], {"TB_LOCK_SERVER": "true"}).lock_server.enabled is False


def test_mongodb_uri_variables() -> None:
    assert parse([], {"MONGODB_URI": "mongodb://db.example:27017/app"}).database.mongo_uri() == \
        "mongodb://db.example:27017/app"
    assert parse([], {"MONGO_URI": "mongodb://other/app"}).database.uses_mongo


def test_credentials_are_escaped_in_the_uri_and_hidden_from_repr() -> None:
    context = parse(["--db_host", "db", "--db_user", "app@corp", "--db_password", "p:ss/w@rd"])
    assert context.database.mongo_uri() == "mongodb://app%40corp:p%3Ass%2Fw%40rd@db:27017/tornado_boilerplate"
    assert "p:ss/w@rd" not in repr(context)


def test_cors_origins_list_from_yaml(tmp_path: Path) -> None:
    config = tmp_path / "settings.yaml"
    config.write_text("cors_origins:\n  - https://app.example\n  - http://localhost:3000/\n")
    assert parse(["--config", str(config)]).server.cors_origins == ("https://app.example", "http://localhost:3000")


def test_prod_never_sends_tracebacks() -> None:
    assert parse(["--debug"]).server.traces_to_client is True
    assert parse(["--env", "prod"]).server.traces_to_client is False
    with pytest.raises(SettingsError, match="debug"):
        parse(["--env", "prod", "--debug"])


@pytest.mark.parametrize(("argv", "env", "names"), [
    (["--port", "70000"], {}, "port"),
    (["--port", "http"], {}, "port"),
    (["--proc", "-1"], {}, "proc"),
    (["--env", "staging"], {}, "env"),
    ([], {"TB_SHUTDOWN_GRACE": "soon"}, "shutdown_grace"),
    (["--log_host", "logs.internal"], {}, "log_host/log_port"),
    (["--cors_origins", "example.com"], {}, "cors_origins"),
    (["--max_body_size", "0"], {}, "max_body_size"),
    ([], {"TB_LOCK_SERVER": "maybe"}, "lock_server"),
])
def test_invalid_values_name_the_setting(argv: list[str], env: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError, match=re.escape(f"invalid setting {names}")):
        parse(argv, env)


def test_environment_errors_name_the_variable() -> None:
    with pytest.raises(SettingsError, match=r"from \$PORT"):
        parse([], {"PORT": "0"})


def test_config_file_errors(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="cannot read"):
        parse(["--config", str(tmp_path / "missing.yaml")])
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("port: 5000\nprot: 5001\n")
    with pytest.raises(SettingsError, match=r"unknown key.*prot"):
        parse(["--config", str(unknown)])
    broken = tmp_path / "broken.yaml"
    broken.write_text("port: [5000\n")
    with pytest.raises(SettingsError, match="not valid YAML"):
        parse(["--config", str(broken)])
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("just a string\n")
    with pytest.raises(SettingsError, match="mapping"):
        parse(["--config", str(scalar)])


def test_yaml_logging_section_is_kept_as_dict_config(tmp_path: Path) -> None:
    config = tmp_path / "settings.yaml"
    config.write_text("logging:\n  version: 1\n  root:\n    level: INFO\n")
    assert parse(["--config", str(config)]).logging.dict_config == {"version": 1, "root": {"level": "INFO"}}


def test_service_name_from_flag_environment_yaml_section_or_default(tmp_path: Path) -> None:
    assert parse().server.service_name == "tornado-boilerplate"
    config = tmp_path / "settings.yaml"
    config.write_text("service:\n  name: Todo List Test\n  port: 8080\n")
    context = parse(["--config", str(config)])
    assert (context.server.service_name, context.server.port) == ("Todo List Test", 8080)
    assert parse(["--config", str(config)], {"TB_SERVICE_NAME": "from-env"}).server.service_name == "from-env"
    assert parse(["--config", str(config), "--service_name", "TodoList"]).server.service_name == "TodoList"


@pytest.mark.parametrize(("text", "message"), [
    ("service:\n  name: x\n  colour: blue\n", r"unknown key\(s\) service\.colour in .*\(`service` takes: name, "),
    ("service:\n  db_name: x\n", r"unknown key\(s\) service\.db_name"),
    ("service: TodoList\n", r"`service` in .* must be a mapping"),
    ("port: 5000\nservice:\n  port: 8080\n", r"port given both at the top level and in `service`"),
    ("service:\n  port: eighty\n", r"invalid setting port \(from config file\)"),
])
def test_service_section_errors_are_one_line(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "settings.yaml"
    config.write_text(text)
    with pytest.raises(SettingsError, match=message) as raised:
        parse(["--config", str(config)])
    assert "\n" not in str(raised.value)


def run_server(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "server.py", *argv], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=30, check=False)


def test_help_documents_every_flag_and_its_environment_variable() -> None:
    result = run_server("-h")
    assert result.returncode == 0
    help_text = " ".join(result.stdout.split())
    for setting in SETTINGS:
        assert f"--{setting.name}" in help_text
        for variable in setting.env:
            assert variable in help_text


@pytest.mark.parametrize("argv", [["--port", "70000"], ["--proc", "-1"], ["--config", "/nonexistent.yaml"],
                                  ["--no-such-flag"]])
def test_bad_start_exits_non_zero_with_one_line(argv: list[str]) -> None:
    result = run_server(*argv)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("server.py: error:")
    assert result.stdout == ""


def test_a_switch_takes_a_boolean_word_or_its_no_form() -> None:
    assert ArgumentParsingUtils.parse(["--example_jobs", "off"], environ={}).server.example_jobs is False
    assert ArgumentParsingUtils.parse(["--example-jobs", "on"], environ={}).server.example_jobs is True
    assert ArgumentParsingUtils.parse(["--no-example_jobs"], environ={}).server.example_jobs is False
    assert ArgumentParsingUtils.parse(["--ssl", "--port", "8443"], environ={}).server.ssl is True
    with pytest.raises(SettingsError, match=r"example_jobs .*'maybe' is not a boolean"):
        ArgumentParsingUtils.parse(["--example_jobs", "maybe"], environ={})


@pytest.mark.parametrize("columns", ["100", "57", "", "wide", "-3", "0"])
def test_help_is_as_wide_as_shutil_says_the_terminal_is(columns: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    assert _terminal_columns() == shutil.get_terminal_size().columns
