"""logfmt encoding: safe values stay bare, anything else is quoted so it can neither end the line nor forge a key,
and every value parses back to itself."""

from __future__ import annotations

import pytest

from src.utils.logging import logfmt

HOSTILE = [
    "two words",
    'say "hi"',
    "a=b",
    "x=1 status=500",
    'value" injected=yes "',
    "first line\nstatus=200 forged=true",
    "carriage\rreturn",
    "tab\tseparated",
    "back\\slash",
    "unicode line\u2028separator\u2029paragraph",
    "next line\x85and delete\x7f",
    "nul\x00byte and bell\x07",
    "",
    " ",
    "é and 漢字",
    "\\",
    '"',
]


def test_safe_values_are_written_bare() -> None:
    assert logfmt.format_value("/tasks/42") == "/tasks/42"
    assert logfmt.format_value("127.0.0.1") == "127.0.0.1"
    assert logfmt.format_value(200) == "200"
    assert logfmt.format_value(1.5) == "1.5"
    assert logfmt.format_value(True) == "true"
    assert logfmt.format_value(False) == "false"
    assert logfmt.format_value(None) == '""'


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_quoted_and_parse_back(value: str) -> None:
    line = logfmt.format_pairs({"before": "ok", "value": value, "after": 1})
    assert len(line.splitlines()) == 1, line
    assert "\n" not in line and "\r" not in line
    assert logfmt.parse_line(line) == {"before": "ok", "value": value, "after": "1"}


def test_all_hostile_values_on_one_line_parse_back() -> None:
    pairs = {f"k{index}": value for index, value in enumerate(HOSTILE)}
    line = logfmt.format_pairs(pairs)
    assert len(line.splitlines()) == 1
    assert logfmt.parse_line(line) == pairs


def test_other_types_are_written_as_their_text() -> None:
    class Thing:
        def __str__(self) -> str:
            return "a thing"

    assert logfmt.format_value(Thing()) == '"a thing"'
    assert logfmt.parse_line("v=" + logfmt.format_value(Thing())) == {"v": "a thing"}


def test_keys_are_made_safe() -> None:
    assert logfmt.format_key("task_id") == "task_id"
    assert logfmt.format_key("http.status-code") == "http.status-code"
    assert logfmt.format_key("a b=c\nd") == "a_b_c_d"
    assert logfmt.format_key("") == "_"
    line = logfmt.format_pairs([("evil key=1", "v")])
    assert logfmt.parse_line(line) == {"evil_key_1": "v"}


def test_parse_rejects_what_is_not_logfmt() -> None:
    with pytest.raises(ValueError, match="not logfmt"):
        logfmt.parse_line('a=1 "dangling')
    with pytest.raises(ValueError, match="repeated key"):
        logfmt.parse_line("a=1 a=2")
    assert logfmt.parse_pairs("a=1 a=2") == [("a", "1"), ("a", "2")]
    assert logfmt.parse_line("empty= next=x\n") == {"empty": "", "next": "x"}
