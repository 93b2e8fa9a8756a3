"""`configure_logging`: default handlers, one file per process, syslog, YAML dictConfig and its errors."""

from __future__ import annotations

import logging
import logging.handlers
import socket
from pathlib import Path

import pytest
import yaml

from src.settings import PROJECT_ROOT, SettingsError
from src.utils.command_line.argument_parsing_utils import ArgumentParsingUtils
from src.utils.logging import logfmt
from src.utils.logging.buffered_handlers import BufferedRotatingFileHandler, BufferedStreamHandler
from src.utils.logging.formatter import LogfmtFormatter
from src.utils.logging.logger import Logger
from src.utils.logging.logging_setup import configure_logging, flush_logging, log_file_path
from tests.unit.utils.logging.helpers import settings

pytestmark = pytest.mark.usefixtures("clean_logging")


def root_handlers() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if not type(h).__module__.startswith("_pytest")]


def test_default_handlers_are_console_and_the_rotating_file(tmp_path: Path) -> None:
    context = settings(tmp_path, "--log_max_bytes", "4096", "--log_backup_count", "7")
    configure_logging(context)
    console, file = root_handlers()
    assert isinstance(console, BufferedStreamHandler)
    assert isinstance(file, BufferedRotatingFileHandler)
    assert file.path == tmp_path / "logs" / "server.log"
    assert (file.max_bytes, file.backup_count) == (4096, 7)
    assert isinstance(console.formatter, LogfmtFormatter)
    assert logging.getLogger().level == logging.INFO

    Logger("tornado_boilerplate.test").info("hello file")
    Logger("tornado_boilerplate.test").debug("below the level")
    flush_logging()
    lines = (tmp_path / "logs" / "server.log").read_text().splitlines()
    assert [logfmt.parse_line(line)["msg"] for line in lines] == ["hello file"]
    assert logfmt.parse_line(lines[0])["worker"] == "0"


def test_the_level_setting_applies(tmp_path: Path) -> None:
    configure_logging(settings(tmp_path, "--log_level", "DEBUG"))
    assert logging.getLogger().level == logging.DEBUG


def test_logger_class_attributes_are_the_defaults_settings_override(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Logger, "MAX_BYTE", 2048)
    monkeypatch.setattr(Logger, "LOGGING_FILE_NAME", "app.log")
    monkeypatch.setattr(Logger, "LOGGING_LEVEL", "WARNING")
    configure_logging(settings(tmp_path, "--log_backup_count", "2"))
    file = root_handlers()[1]
    assert isinstance(file, BufferedRotatingFileHandler)
    assert (file.path.name, file.max_bytes, file.backup_count) == ("app.log", 2048, 2)
    assert logging.getLogger().level == logging.WARNING


@pytest.mark.parametrize(("worker_id", "supervisor", "name", "label"), [
    (None, False, "server.log", "0"),
    (0, False, "server.log", "0"),
    (1, False, "server-1.log", "1"),
    (7, False, "server-7.log", "7"),
    (None, True, "server-supervisor.log", "supervisor"),
])
def test_each_process_has_its_own_file(tmp_path: Path, worker_id: int | None, supervisor: bool, name: str,
                                       label: str) -> None:
    context = settings(tmp_path)
    configure_logging(context, worker_id=worker_id, supervisor=supervisor)
    file = root_handlers()[1]
    assert isinstance(file, BufferedRotatingFileHandler)
    assert file.path == tmp_path / "logs" / name == log_file_path(context.logging, worker_id, supervisor)
    logging.getLogger("tornado_boilerplate.test").warning("who")
    flush_logging()
    assert logfmt.parse_line(file.path.read_text())["worker"] == label


def test_a_file_name_without_extension_gets_the_suffix_at_the_end(tmp_path: Path) -> None:
    context = settings(tmp_path, "--log_file", "server")
    assert log_file_path(context.logging, 2).name == "server-2"


def test_reconfiguring_replaces_the_previous_handlers(tmp_path: Path) -> None:
    configure_logging(settings(tmp_path), supervisor=True)
    first = root_handlers()
    configure_logging(settings(tmp_path), worker_id=1)
    second = root_handlers()
    assert len(second) == 2 and not set(map(id, first)) & set(map(id, second))


def test_syslog_handler_when_host_and_port_are_set(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver:
        receiver.bind(("127.0.0.1", 0))
        port = receiver.getsockname()[1]
        configure_logging(settings(tmp_path, "--log_host", "localhost", "--log_port", str(port)))
        syslog = [h for h in root_handlers() if isinstance(h, logging.handlers.SysLogHandler)]
        assert len(syslog) == 1
        assert syslog[0].address[1] == port
        assert syslog[0].address[0] in ("127.0.0.1", "::1")  # resolved once, at start-up


@pytest.mark.slow  # waits out the resolver's timeout
def test_an_unresolvable_syslog_host_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="invalid setting log_host"):
        configure_logging(settings(tmp_path, "--log_host", "no-such-host.invalid", "--log_port", "514"))


def test_an_unwritable_log_folder_is_a_settings_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SettingsError, match="invalid setting log_dir"):
        configure_logging(ArgumentParsingUtils.parse(["--log_dir", str(blocker / "logs")], {}))


def write_config(tmp_path: Path, logging_section: object, **others: object) -> Path:
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump({**others, "logging": logging_section}))
    return path


def test_a_dict_config_replaces_the_default_handlers(tmp_path: Path) -> None:
    config = write_config(tmp_path, {
        "version": 1,
        "formatters": {"plain": {"format": "%(levelname)s %(name)s %(message)s"}},
        "handlers": {"file": {"class": "logging.FileHandler", "formatter": "plain", "filename": "custom.log"}},
        "loggers": {"tornado.access": {"level": "WARNING"}},
        "root": {"level": "DEBUG", "handlers": ["file"]},
    })
    configure_logging(settings(tmp_path, "--config", str(config)), worker_id=2)
    (file,) = root_handlers()
    assert isinstance(file, logging.FileHandler)
    assert Path(file.baseFilename) == tmp_path / "logs" / "custom-2.log"  # relative: in --log_dir, per worker
    assert logging.getLogger("tornado.access").level == logging.WARNING
    logging.getLogger("anything").debug("debug reaches the file")
    flush_logging()
    assert (tmp_path / "logs" / "custom-2.log").read_text() == "DEBUG anything debug reaches the file\n"
    assert not (tmp_path / "logs" / "server.log").exists()


def test_loggers_created_before_a_dict_config_keep_working(tmp_path: Path) -> None:
    early = Logger("tornado_boilerplate.early")
    config = write_config(tmp_path, {
        "handlers": {"file": {"class": "logging.FileHandler", "filename": "custom.log"}},
        "root": {"level": "INFO", "handlers": ["file"]},
    })
    configure_logging(settings(tmp_path, "--config", str(config)))
    early.info("still here")
    flush_logging()
    assert "still here" in (tmp_path / "logs" / "custom.log").read_text()


def test_the_syslog_flags_add_to_a_dict_config(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"root": {"level": "INFO", "handlers": []}})
    configure_logging(settings(tmp_path, "--config", str(config), "--log_host", "127.0.0.1", "--log_port", "5514"))
    assert [type(h) for h in root_handlers()] == [logging.handlers.SysLogHandler]


@pytest.mark.parametrize(("section", "reason"), [
    ({"version": 1, "handlers": {"bad": {"class": "logging.NoSuchHandler"}}}, "Unable to configure handler 'bad'"),
    ({"version": 1, "handlers": {"file": {"class": "logging.FileHandler", "nonsense": 1}}}, "nonsense"),
    ({"version": 1, "root": {"level": "LOUD"}}, "LOUD"),
    ({"version": 2}, "version"),
    ({"version": 1, "formatters": {"f": {"()": "no.such.module.Formatter"}}}, "formatter 'f'"),
])
def test_an_invalid_dict_config_is_one_line_naming_the_problem(tmp_path: Path, section: object, reason: str) -> None:
    config = write_config(tmp_path, section)
    with pytest.raises(SettingsError) as raised:
        configure_logging(settings(tmp_path, "--config", str(config)))
    message = str(raised.value)
    assert message.startswith(f"invalid setting logging (from {config}): ")
    assert reason in message
    assert "\n" not in message


def test_the_shipped_local_config_loads_with_its_own_handlers(tmp_path: Path) -> None:
    context = settings(tmp_path, "--config", str(PROJECT_ROOT / "configs" / "local.yaml"))
    assert context.logging.dict_config is not None
    configure_logging(context, worker_id=1)
    handlers = {type(h) for h in root_handlers()}
    assert handlers == {BufferedStreamHandler, BufferedRotatingFileHandler}
    logging.getLogger("tornado_boilerplate.test").info("from the yaml set-up")
    flush_logging()
    line = (tmp_path / "logs" / "server-1.log").read_text().splitlines()[-1]
    fields = logfmt.parse_line(line)
    assert (fields["msg"], fields["worker"]) == ("from the yaml set-up", "1")
