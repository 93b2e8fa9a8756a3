"""JSON values: the name of a decoded value's type (for messages such as "field 'title' must be a string, not a
number"), the one encoding of the API's JSON, and `JSONText`, JSON already encoded in it."""

from __future__ import annotations

import json
from collections.abc import Mapping

# The one encoding of the API's JSON (compact, UTF-8 text as it is, no NaN), built once: json.dumps() with
# options builds a new JSONEncoder on each call.
encode_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


class JSONText(str):
    """Text that is JSON in `encode_json`'s form already: a response sends it as it is, not encoded again."""

    __slots__ = ()

# bool before int: True is an int in Python, a boolean in JSON.
_NAMES: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "a boolean"), ((int, float), "a number"), (str, "a string"), (list, "an array"), (Mapping, "an object"))


def json_type_name(value: object) -> str:
    """`null`, `a boolean`, `a number`, `a string`, `an array` or `an object`; another Python type by its name."""
    if value is None:
        return "null"
    for kind, name in _NAMES:
        if isinstance(value, kind):
            return name
    return type(value).__name__
