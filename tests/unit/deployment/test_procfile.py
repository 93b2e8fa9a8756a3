"""Procfile: one `web:` process bound to Heroku's `$PORT`, MongoDB from `MONGODB_URI` or the spec's
`MONGODB_HOST/PORT/USER/PASSWORD/NAME`, and optional variables that are unset or empty change nothing."""

from __future__ import annotations

import pytest

from src.settings import PROJECT_ROOT, SettingsError
from src.utils.command_line.argument_parsing_utils import ArgumentParsingUtils
from tests.support.deployment_files import procfile_processes, procfile_web_argv

CONNECTION_FLAGS = ("--db", "--lock_server_host", "--address")


def test_declares_one_web_process_running_the_server_on_port() -> None:
    processes = procfile_processes()
    assert list(processes) == ["web"]
    command = processes["web"]
    assert command.startswith("python server.py ")
    assert "--port $PORT" in command
    assert not any(flag in command for flag in CONNECTION_FLAGS), "connections come from config vars"


def test_port_and_mongodb_uri_come_from_the_dynos_environment() -> None:
    environ = {"PORT": "31337", "MONGODB_URI": "mongodb+srv://app:p%40ss@cluster0.example.mongodb.net/todo"}
    context = ArgumentParsingUtils.parse(procfile_web_argv(environ)[2:], environ)
    assert context.server.port == 31337
    assert context.server.env == "prod"
    assert context.database.uses_mongo and context.database.mongo_uri() == environ["MONGODB_URI"]


def test_the_specs_separate_mongodb_variables_build_an_escaped_uri() -> None:
    environ = {"PORT": "5001", "MONGODB_HOST": "db.example.com", "MONGODB_PORT": "27018", "MONGODB_USER": "app",
               "MONGODB_PASSWORD": "p@ss:w/rd", "MONGODB_NAME": "todo"}
    context = ArgumentParsingUtils.parse(procfile_web_argv(environ)[2:], environ)
    assert context.database.mongo_uri() == "mongodb://app:p%40ss%3Aw%2Frd@db.example.com:27018/todo"


def test_optional_variables_unset_or_empty_fall_back_to_defaults() -> None:
    for environ in ({"PORT": "5002"},
                    {"PORT": "5002", "MONGODB_URI": "", "MONGODB_HOST": "", "MONGODB_USER": "",
                     "MONGODB_PASSWORD": "", "TB_LOCK_SERVER": "", "TB_LOCK_SERVER_HOST": "", "TB_LOG_HOST": ""}):
        context = ArgumentParsingUtils.parse(procfile_web_argv(environ)[2:], environ)
        assert context.server.port == 5002
        assert not context.database.uses_mongo, "no MongoDB configured: the embedded store"
        assert not context.lock_server.enabled
        assert not context.logging.syslog_enabled


def test_lock_server_is_enabled_by_config_vars() -> None:
    environ = {"PORT": "5003", "TB_LOCK_SERVER": "true", "TB_LOCK_SERVER_HOST": "etcd.example.com"}
    context = ArgumentParsingUtils.parse(procfile_web_argv(environ)[2:], environ)
    assert (context.lock_server.enabled, context.lock_server.host, context.lock_server.port) == \
        (True, "etcd.example.com", 2379)


def test_a_missing_port_is_reported_not_guessed() -> None:
    # Heroku always sets PORT; if it were empty the command would have a dangling `--port`.
    with pytest.raises(SystemExit):
        ArgumentParsingUtils.parse(procfile_web_argv({"PORT": ""})[2:], {})


def test_heroku_reads_the_python_version_file_not_the_deprecated_runtime_txt() -> None:
    assert (PROJECT_ROOT / ".python-version").read_text().strip() == "3.11"
    assert not (PROJECT_ROOT / "runtime.txt").exists()
    assert (PROJECT_ROOT / "requirements.txt").exists(), "Heroku's Python buildpack installs from it"


def test_settings_errors_stay_one_line() -> None:
    with pytest.raises(SettingsError, match="invalid setting port"):
        ArgumentParsingUtils.parse(procfile_web_argv({"PORT": "http"})[2:], {})
