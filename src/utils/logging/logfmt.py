"""logfmt: `key=value` pairs on one line, values quoted and escaped only when they need it.

A value made only of printable ASCII other than space, `"`, `=` and `\\` is written bare (`status=200`,
`uri=/tasks`); anything else is written as a JSON string (`uri="/a b"`, `reason="say \\"hi\\"\\n"`), with the
Unicode line separators escaped too. So a hostile value can neither end the line nor fake another key, and
`parse_pairs` reads every value back exactly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

# Bare values: printable ASCII other than space, `"`, `=`, `\`; one search for anything else is the fast test.
_NOT_BARE = re.compile(r"[^!#-<>-\[\]-~]")
_KEY = re.compile(r"[A-Za-z0-9_.\-]+")
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]")
# JSON escapes `"`, `\` and C0 controls; these also break lines for some readers (str.splitlines, editors).
_EXTRA_BREAKS = re.compile("[\x7f-\x9f\u2028\u2029]")
_encode_json_string: Any = getattr(json.encoder, "c_encode_basestring", None) or json.encoder.encode_basestring
_PAIR = re.compile(r'\s*([^\s="]+)=("(?:[^"\\]|\\.)*"|[^\s"]*)(?=\s|$)')


def quote(text: str) -> str:
    """`text` as a double-quoted, escaped logfmt value (always quoted)."""
    quoted: str = _encode_json_string(text)
    if _EXTRA_BREAKS.search(quoted):
        quoted = _EXTRA_BREAKS.sub(lambda match: f"\\u{ord(match.group()):04x}", quoted)
    return quoted


def format_value(value: Any) -> str:
    """One value: bare when safe, quoted otherwise. None and "" are `""`; booleans are true/false."""
    if isinstance(value, str):
        return value if value and _NOT_BARE.search(value) is None else quote(value)
    if value is None:
        return '""'
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return str(value)
    return format_value(str(value))


def format_key(key: Any) -> str:
    """A key made safe: characters other than letters, digits, `_`, `.`, `-` become `_`."""
    text = str(key)
    if _KEY.fullmatch(text):
        return text
    return _KEY_UNSAFE.sub("_", text) or "_"


def format_pairs(pairs: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> str:
    """`key=value key=value` for a mapping or an iterable of pairs."""
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    return " ".join(f"{format_key(key)}={format_value(value)}" for key, value in items)


def parse_pairs(line: str) -> list[tuple[str, str]]:
    """The `(key, value)` pairs of one logfmt line, values unescaped; ValueError if the line is not logfmt."""
    pairs: list[tuple[str, str]] = []
    position = 0
    text = line.rstrip("\n")
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _PAIR.match(text, position)
        if match is None:
            raise ValueError(f"not logfmt at column {position}: {text[position:position + 40]!r}")
        key, raw = match.group(1), match.group(2)
        pairs.append((key, json.loads(raw) if raw.startswith('"') else raw))
        position = match.end()
    return pairs


def parse_line(line: str) -> dict[str, str]:
    """One logfmt line as a dict; ValueError if it is not logfmt or repeats a key."""
    pairs = parse_pairs(line)
    result = dict(pairs)
    if len(result) != len(pairs):
        keys = [key for key, _ in pairs]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        raise ValueError(f"repeated key(s) {', '.join(repeated)}")
    return result
