"""`Logger('aName')`: the spec's API over the standard logging tree, adding no handlers."""

from __future__ import annotations

import logging

from src.utils.logging import logfmt
from src.utils.logging.logger import Logger
from tests.unit.utils.logging.helpers import LineCollector


def test_class_attributes_are_the_logging_defaults() -> None:
    assert "%(message)s" in Logger.FORMATTING_STRING
    assert "%(process)d" in Logger.FORMATTING_STRING and "%(worker)s" in Logger.FORMATTING_STRING
    assert Logger.LOGGING_LEVEL == "INFO"
    assert Logger.LOGGING_FILE_NAME == "server.log"
    assert Logger.MAX_BYTE == 10 * 1024 * 1024
    assert Logger.BACKUP_COUNT == 5


def test_levels_reach_the_named_logger(collector: LineCollector) -> None:
    logger = Logger("aName")
    logger.debug("d")
    logger.info("i %s", "arg")
    logger.warning("w")
    logger.error("e")
    logger.critical("c")
    assert [(r.name, r.levelname, r.getMessage()) for r in collector.records] == [
        ("aName", "DEBUG", "d"), ("aName", "INFO", "i arg"), ("aName", "WARNING", "w"),
        ("aName", "ERROR", "e"), ("aName", "CRITICAL", "c"),
    ]


def test_records_name_the_calling_code_not_the_wrapper(collector: LineCollector) -> None:
    Logger("aName").info("where")
    record = collector.records[0]
    assert record.filename == "test_logger.py"
    assert record.funcName == "test_records_name_the_calling_code_not_the_wrapper"


def test_keyword_arguments_become_logfmt_fields(collector: LineCollector) -> None:
    Logger("aName").info("retrying", attempt=2, url="http://x/a b")
    fields = logfmt.parse_line(collector.lines[0])
    assert fields["msg"] == "retrying"
    assert fields["attempt"] == "2"
    assert fields["url"] == "http://x/a b"


def test_standard_keywords_keep_their_meaning(collector: LineCollector) -> None:
    Logger("aName").warning("with stack", stack_info=True, extra={"custom": "attribute"}, code=7)
    record = collector.records[0]
    assert record.stack_info is not None and record.stack_info.startswith("Stack (most recent call last):")
    assert record.__dict__["custom"] == "attribute"
    fields = logfmt.parse_line(collector.lines[0])
    assert fields["code"] == "7" and "extra" not in fields and "stack_info" not in fields


def test_exception_carries_the_traceback(collector: LineCollector) -> None:
    try:
        raise ValueError("broken")
    except ValueError:
        Logger("aName").exception("failed")
    fields = logfmt.parse_line(collector.lines[0])
    assert fields["level"] == "ERROR"
    assert "ValueError: broken" in fields["exc"]


def test_disabled_levels_make_no_record(collector: LineCollector) -> None:
    logging.getLogger("quiet").setLevel(logging.WARNING)
    try:
        Logger("quiet").info("dropped")
        Logger("quiet").debug("dropped")
    finally:
        logging.getLogger("quiet").setLevel(logging.NOTSET)
    assert collector.records == []


def test_creating_many_loggers_adds_no_handlers() -> None:
    root = logging.getLogger()
    before = (list(root.handlers), list(logging.getLogger("aName").handlers))
    loggers = [Logger("aName") for _ in range(1000)]
    assert (list(root.handlers), list(logging.getLogger("aName").handlers)) == before
    assert all(logger.logger is logging.getLogger("aName") for logger in loggers)
    assert not hasattr(loggers[0], "__dict__")  # slots only: nothing per instance but the name and the logger
    assert repr(loggers[0]) == "Logger('aName')"
