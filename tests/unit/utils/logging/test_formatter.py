"""`LogfmtFormatter`: one parseable line per record, with the worker, pid and the current request's context."""

from __future__ import annotations

import contextvars
import logging
import os
import re

from src.utils.logging import logfmt, request_context
from src.utils.logging.formatter import LogfmtFormatter
from src.utils.logging.record_attributes import set_service_name, set_worker_label
from tests.unit.utils.logging.helpers import LineCollector


def test_a_plain_record_is_one_logfmt_line(collector: LineCollector) -> None:
    set_worker_label("3")
    logging.getLogger("tornado_boilerplate.test").info("listening on %s", "http://0.0.0.0:5000")
    fields = logfmt.parse_line(collector.lines[0])
    assert fields == {
        "time": fields["time"],
        "level": "INFO",
        "logger": "tornado_boilerplate.test",
        "pid": str(os.getpid()),
        "worker": "3",
        "msg": "listening on http://0.0.0.0:5000",
        "service_name": "tornado-boilerplate",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}", fields["time"])


def test_lines_logged_during_a_request_carry_its_id_and_fields(collector: LineCollector) -> None:
    def handle_request() -> None:
        request_context.bind("req-123", {})
        request_context.add_fields(task_id="t1", user="a b")
        logging.getLogger("tasks").warning("slow query")

    contextvars.copy_context().run(handle_request)
    fields = logfmt.parse_line(collector.lines[0])
    assert fields["msg"] == "slow query"
    assert fields["req_id"] == "req-123"
    assert fields["task_id"] == "t1"
    assert fields["user"] == "a b"
    logging.getLogger("tasks").warning("outside")
    assert "req_id" not in logfmt.parse_line(collector.lines[1])


def test_a_traceback_stays_on_the_same_line(collector: LineCollector) -> None:
    try:
        raise RuntimeError('bad\nlevel=INFO forged="yes"')
    except RuntimeError:
        logging.getLogger("tasks").exception("it broke")
    line = collector.lines[0]
    assert len(line.splitlines()) == 1
    fields = logfmt.parse_line(line)
    assert fields["level"] == "ERROR"
    assert "forged" not in fields
    assert fields["exc"].startswith("Traceback (most recent call last):")
    assert 'RuntimeError: bad\nlevel=INFO forged="yes"' in fields["exc"]


def test_a_stack_is_one_quoted_value(collector: LineCollector) -> None:
    logging.getLogger("tasks").info("here", stack_info=True)
    fields = logfmt.parse_line(collector.lines[0])
    assert fields["stack"].startswith("Stack (most recent call last):")


def test_a_record_with_a_logfmt_message_is_used_as_is() -> None:
    record = logging.LogRecord("tornado.access", logging.INFO, __file__, 1, "req_id=r1 status=200", None, None)
    record.logfmt = True
    line = LogfmtFormatter("level=%(levelname)s worker=%(worker)s %(message)s").format(record)
    assert line == "level=INFO worker=0 req_id=r1 status=200"


def test_each_formatter_formats_a_record_once() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    first, second = LogfmtFormatter("a %(message)s"), LogfmtFormatter("b %(message)s")
    suffix = " service_name=tornado-boilerplate"
    assert first.format(record) == "a msg=m" + suffix
    record.msg = "changed"
    assert first.format(record) == "a msg=m" + suffix  # cached for this formatter
    assert second.format(record) == "b msg=changed" + suffix


def test_every_line_names_the_service_set_up_for_the_process(collector: LineCollector) -> None:
    set_service_name("Todo List Test")
    try:
        logging.getLogger("tasks").info("plain")
    finally:
        set_service_name("tornado-boilerplate")
    assert logfmt.parse_line(collector.lines[0])["service_name"] == "Todo List Test"
    assert collector.records[0].__dict__["service_name"] == "Todo List Test"  # for any format: %(service_name)s


def test_time_has_milliseconds_and_a_custom_format() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    record.created, record.msecs = 1_700_000_000.25, 250.0
    formatter = LogfmtFormatter("%(asctime)s")
    assert re.fullmatch(r"2023-11-1\dT\d\d:\d\d:20\.250[+-]\d{4}", formatter.format(record))
    other = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    other.created, other.msecs = 1_700_000_000.75, 750.0
    assert formatter.format(other).endswith(":20.750" + formatter.format(record)[-5:])
    assert LogfmtFormatter("%(asctime)s", datefmt="%Y").format(other) == "2023"
