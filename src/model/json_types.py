"""The JSON name of a decoded value's type, for messages such as "field 'title' must be a string, not a number"."""

from __future__ import annotations

from collections.abc import Mapping

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
