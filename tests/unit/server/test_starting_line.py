"""The start-up line: the tutorial's `message=STARTING service_name=... port=...`, with where and which store."""

from __future__ import annotations

import logging

import pytest

from src.server.starting_line import log_starting, starting_message
from src.utils.command_line.argument_parsing_utils import ArgumentParsingUtils
from src.utils.logging import logfmt


def fields(*argv: str, processes: int = 1) -> dict[str, str]:
    return logfmt.parse_line(starting_message(ArgumentParsingUtils.parse(list(argv), {}), processes))


def test_the_default_line_points_a_browser_at_localhost_and_names_the_embedded_store() -> None:
    line = fields()
    assert list(line)[:3] == ["message", "service_name", "port"]  # the tutorial's order
    assert (line["message"], line["service_name"], line["port"], line["url"], line["store"], line["proc"]) == (
        "STARTING", "tornado-boilerplate", "5000", "http://localhost:5000", "embedded", "1")
    assert line["db"].endswith("data/tornado_boilerplate.sqlite3")


@pytest.mark.parametrize(("argv", "url"), [
    (["--address", "127.0.0.1", "--port", "8080"], "http://127.0.0.1:8080"),
    (["--address", "::1"], "http://[::1]:5000"),
    (["--address", "::"], "http://localhost:5000"),
])
def test_the_url_is_where_the_server_listens(argv: list[str], url: str) -> None:
    assert fields(*argv)["url"] == url


def test_mongodb_is_named_without_its_credentials() -> None:
    line = fields("--db_uri", "mongodb://app:s3cret@db.example:27017/shop?authSource=admin", "--service_name",
                  "Todo List", processes=4)
    assert (line["store"], line["db"], line["service_name"], line["proc"]) == (
        "mongodb", "mongodb://db.example:27017/shop", "Todo List", "4")
    assert "s3cret" not in starting_message(ArgumentParsingUtils.parse(
        ["--db_uri", "mongodb://app:s3cret@db.example:27017/shop"], {}), 1)


def test_it_is_one_pre_formatted_info_record(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="tornado_boilerplate.server"):
        log_starting(ArgumentParsingUtils.parse([], {}), 1)
    (record,) = caplog.records
    assert record.levelno == logging.INFO and record.__dict__["logfmt"] is True
    assert record.getMessage().startswith("message=STARTING service_name=tornado-boilerplate port=5000 ")
