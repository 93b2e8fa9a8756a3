"""`DirectRoute`: pre-formatted lines written straight into the buffered handlers are the lines the standard
path writes, reach the same handlers at the same levels, and the route steps aside (the standard path then
writes) whenever the set-up is one it cannot reproduce."""

from __future__ import annotations

import io
import itertools
import logging
import os
import threading
import time
from collections.abc import Iterator

import pytest

from src.utils.logging.access_log import _CONSTANT_ATTRIBUTES, CanonicalRecord
from src.utils.logging.buffered_handlers import BufferedStreamHandler
from src.utils.logging.direct_route import DirectRoute
from src.utils.logging.formatter import LogfmtFormatter
from src.utils.logging.logger import Logger
from src.utils.logging.record_attributes import set_worker_label

MESSAGE = 'req_id=ab12 method=GET uri=/ping message=RESPONSE status=200 service_name=tornado-boilerplate'
NOW = 1764600000.0475  # .047 s after the second, not a float step below it


class Tree:
    """`route-test.access` below `route-test`, which holds the handlers and does not propagate to the root;
    outside logging's registry, so pytest's capture handlers stay out of them."""

    def __init__(self) -> None:
        self.top = logging.Logger("route-test")
        self.top.propagate = False
        self.top.parent = logging.getLogger()
        self.logger = logging.Logger("route-test.access")
        self.logger.parent = self.top
        self.streams: list[io.StringIO] = []

    def add(self, formatter: logging.Formatter, level: int = logging.NOTSET) -> BufferedStreamHandler:
        stream = io.StringIO()
        handler = BufferedStreamHandler(stream, level=level)
        handler.setFormatter(formatter)
        self.top.addHandler(handler)
        self.streams.append(stream)
        return handler

    def written(self) -> list[str]:
        for handler in self.top.handlers:
            handler.flush()
        texts = [stream.getvalue() for stream in self.streams]
        for stream in self.streams:
            stream.seek(0)
            stream.truncate()
        return texts

    def standard(self, level: int, message: str) -> list[str]:
        """What the logging module writes for the canonical record."""
        self.logger.handle(CanonicalRecord(level, message, None, "ab12"))
        return self.written()


@pytest.fixture
def tree(monkeypatch: pytest.MonkeyPatch) -> Iterator[Tree]:
    monkeypatch.setattr(time, "time", lambda: NOW)
    made = Tree()
    yield made
    for handler in list(made.top.handlers):
        made.top.removeHandler(handler)
        handler.close()
    made.top.propagate = True
    made.logger.disabled = False


def test_the_lines_are_those_of_the_standard_path(tree: Tree) -> None:
    tree.add(LogfmtFormatter())
    tree.add(LogfmtFormatter("%(asctime)s %(levelname)-8s %(name)s[%(process)d] %(funcName)s: %(message)s {x}"))
    tree.add(LogfmtFormatter("%(message)s at %(asctime)s", datefmt="%H:%M:%S"))
    route = DirectRoute(tree.logger, _CONSTANT_ATTRIBUTES)
    for level in (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR):
        assert route.write(level, MESSAGE)
        direct = tree.written()
        assert direct == tree.standard(level, MESSAGE)
    pid = os.getpid()
    assert direct[0].startswith("time=") and ".047" in direct[0]
    assert direct[0].endswith(f" level=ERROR logger=tornado.access pid={pid} worker=0 {MESSAGE}\n")
    assert direct[1].endswith(f" ERROR    tornado.access[{pid}] log_request: {MESSAGE} {{x}}\n")


def test_handler_levels_are_kept_and_a_shared_formatter_formats_once(tree: Tree) -> None:
    shared = LogfmtFormatter()
    tree.add(shared)
    tree.add(shared, level=logging.WARNING)
    route = DirectRoute(tree.logger, _CONSTANT_ATTRIBUTES)
    assert route.write(logging.INFO, MESSAGE)
    info_lines = tree.written()
    assert info_lines[0] and info_lines[1] == ""
    assert route.write(logging.WARNING, MESSAGE)
    assert tree.written() == tree.standard(logging.WARNING, MESSAGE)


def test_an_error_line_is_written_at_once(tree: Tree) -> None:
    tree.add(LogfmtFormatter())
    route = DirectRoute(tree.logger, _CONSTANT_ATTRIBUTES)
    assert route.write(logging.ERROR, MESSAGE)
    assert MESSAGE in tree.streams[0].getvalue()  # before any flush


def test_the_route_steps_aside_when_the_set_up_is_not_its_kind(tree: Tree) -> None:
    handler = tree.add(LogfmtFormatter())
    route = DirectRoute(tree.logger, _CONSTANT_ATTRIBUTES)
    assert route.write(logging.INFO, MESSAGE)

    handler.addFilter(lambda record: True)
    assert not route.write(logging.INFO, MESSAGE)
    handler.filters.clear()
    assert route.write(logging.INFO, MESSAGE)

    other = logging.StreamHandler(io.StringIO())
    tree.top.addHandler(other)
    assert not route.write(logging.INFO, MESSAGE)
    tree.top.removeHandler(other)
    assert route.write(logging.INFO, MESSAGE)

    handler.setFormatter(logging.Formatter("%(message)s"))
    assert not route.write(logging.INFO, MESSAGE)
    handler.setFormatter(LogfmtFormatter("%(thread)d %(message)s"))  # changes from one record to the next
    assert not route.write(logging.INFO, MESSAGE)
    handler.setFormatter(LogfmtFormatter())

    tree.logger.disabled = True
    assert not route.write(logging.INFO, MESSAGE)
    tree.logger.disabled = False
    tree.top.propagate = True  # now the root's handlers (pytest's) are reached too
    assert not route.write(logging.INFO, MESSAGE)
    tree.top.propagate = False
    tree.written()
    assert route.write(logging.INFO, MESSAGE)
    assert tree.written() == tree.standard(logging.INFO, MESSAGE)


def test_no_handler_is_left_to_the_last_resort(tree: Tree) -> None:
    assert not DirectRoute(tree.logger, _CONSTANT_ATTRIBUTES).write(logging.INFO, MESSAGE)


def test_a_new_worker_label_and_a_new_second_are_in_the_next_line(tree: Tree,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    tree.add(LogfmtFormatter())
    route = DirectRoute(tree.logger, _CONSTANT_ATTRIBUTES)
    assert route.write(logging.INFO, MESSAGE)
    tree.written()
    try:
        set_worker_label("3")
        monkeypatch.setattr(time, "time", lambda: NOW + 61.5)  # 14:41:01.547
        assert route.write(logging.INFO, MESSAGE)
        line = tree.written()[0]
        assert " worker=3 " in line and ":41:01.547" in line
        assert [line] == tree.standard(logging.INFO, MESSAGE)
    finally:
        set_worker_label("0")


def test_the_formatter_template_marks_where_time_and_message_go() -> None:
    formatter = LogfmtFormatter(Logger.FORMATTING_STRING)
    template = formatter.line_template({"levelname": "INFO", "name": "n", "process": 7, "worker": "0"})
    assert template == "time=\0time\0 level=INFO logger=n pid=7 worker=0 \0message\0"
    assert LogfmtFormatter("%(asctime)20s %(message)s").line_template({}) is None
    assert LogfmtFormatter("%(created)f %(message)s").line_template({}) is None


def test_lines_from_several_threads_across_seconds_are_all_written(tree: Tree,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    tree.add(LogfmtFormatter())
    route = DirectRoute(tree.logger, _CONSTANT_ATTRIBUTES)
    ticks = itertools.count()
    monkeypatch.setattr(time, "time", lambda: NOW + next(ticks) * 0.25)  # a new second every fourth line
    results: list[bool] = []

    def write_lines(thread: int) -> None:
        results.extend(route.write(logging.INFO, f"{MESSAGE} n={thread}-{line}") for line in range(300))

    threads = [threading.Thread(target=write_lines, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    lines = tree.written()[0].splitlines()
    assert results == [True] * 1200 and len(lines) == 1200
    assert {line.rsplit(" n=", 1)[1] for line in lines} == {f"{t}-{n}" for t in range(4) for n in range(300)}
