"""Filter conditions that SQL decides exactly, with MongoDB's semantics, so the rows need no decoding in Python.

A condition on a top-level field compared with a JSON scalar (null, a boolean, a finite number, text), or equal to
an ObjectId or a date (their stored tagged objects compared as text), becomes SQL on the stored JSON: the field's
value and, when it is an array, each of its elements (MongoDB matches arrays element-wise; an array inside an array
is one value); a missing field equals null; ranges stay within one type; ±inf and NaN, stored as `{"$float": ...}`
objects (`codec`), count as numbers (NaN below every number). Anything else (dotted paths, ranges of ObjectIds or
dates, documents or arrays as values, field names other than plain top-level ones) has no form here:
`exact_condition` gives None and the query's Python predicate decides it (`query`).

Every expression is 0 or 1, never NULL, so the negations (`$ne`, `$nin`) are exact too.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bson.objectid import ObjectId

from src.database.embedded.codec import tagged_json
from src.database.embedded.index_keys import Narrowing, json_path, top_level_name, type_expression, value_expression

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
# The types `type_expression` gives, arrays apart; the first three are one value each.
_SCALAR_TYPES = ("null", "true", "false", "integer", "text", "object")
_VALUE_TYPES = _SCALAR_TYPES[:3]
_RANGES = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
# What json_extract gives for the stored forms of inf and NaN (compact JSON, as `codec` writes it): above every
# finite number, and below (NaN sorts below every number).
_MARKERS_ABOVE = ('{"$float":"inf"}',)
_MARKERS_BELOW = ('{"$float":"-inf"}', '{"$float":"nan"}')
# Range bounds by the type family they compare within, and the type test of each family.
_FAMILIES = {"integer": "number", "text": "text", "true": "boolean", "false": "boolean"}
_FAMILY_TYPES = {"number": "{} = 'integer'", "text": "{} = 'text'", "boolean": "{} IN ('true', 'false')"}


def exact_condition(key: str, condition: Any) -> Narrowing | None:
    """SQL true for exactly the documents `{key: condition}` matches, or None when SQL cannot decide it.

    Call it with a condition the Python compiler accepted: invalid filters are reported there."""
    if key in ("$and", "$or"):
        return _logical(key, condition)
    if key.startswith("$") or not top_level_name(key):
        return None
    if isinstance(condition, Mapping) and condition and all(str(name).startswith("$") for name in condition):
        bounds = [(_RANGES[name], bound) for name, bound in condition.items() if name in _RANGES]
        together = _ranges(key, bounds) if len(bounds) > 1 else None
        return _all([_operator(key, name, argument) for name, argument in condition.items()
                     if together is None or name not in _RANGES] + ([together] if together else []))
    return _equal(key, condition)


def _logical(key: str, branches: Any) -> Narrowing | None:
    if not isinstance(branches, list | tuple) or not branches:
        return None
    parts = []
    for branch in branches:
        if not isinstance(branch, Mapping):
            return None
        parts.append(_all([exact_condition(name, condition) if isinstance(name, str) else None
                           for name, condition in branch.items()]))
    return _all(parts) if key == "$and" else _any(parts)


def _operator(field: str, name: str, argument: Any) -> Narrowing | None:  # noqa: PLR0911 (one return per operator)
    if name == "$eq":
        return _equal(field, argument)
    if name == "$ne":
        kind = _scalar_kind(argument)
        return _none_of_types(field, [kind]) if kind in _VALUE_TYPES else _not(_equal(field, argument))
    if name in ("$in", "$nin"):
        if not isinstance(argument, list | tuple):
            return None
        kinds = [_scalar_kind(option) for option in argument]
        if name == "$nin" and kinds and all(kind in _VALUE_TYPES for kind in kinds):
            return _none_of_types(field, kinds)
        options = _any([_equal(field, option) for option in argument])
        return options if name == "$in" else _not(options)
    if name in _RANGES:
        return _compare(field, _RANGES[name], argument)
    if name == "$exists":
        return Narrowing(f"json_type(doc, '{json_path(field)}') IS {'NOT ' if argument else ''}NULL")
    return None


def _equal(field: str, wanted: Any) -> Narrowing | None:
    if isinstance(wanted, ObjectId | datetime):  # stored as one-key tagged objects: equal exactly when the texts are
        text = tagged_json(wanted)
        return _value_or_element(field, Narrowing(f"({type_expression(field)} = 'object' AND "
                                                  f"{value_expression(field)} = ?)", [text]),
                                 Narrowing("type = 'object' AND value = ?", [text]))
    kind = _scalar_kind(wanted)
    if kind is None:
        return None
    type_sql = type_expression(field)
    if kind in ("null", "true", "false"):
        return _value_or_element(field, Narrowing(f"{type_sql} = ?", [kind]), Narrowing("type = ?", [kind]))
    if kind == "text":
        return _value_or_element(field, _text(field, "=", wanted), _element_text("=", wanted))
    return _value_or_element(field, Narrowing(f"({type_sql} = ? AND {value_expression(field)} = ?)", [kind, wanted]),
                             Narrowing("type IN ('integer', 'real') AND atom = ?", [wanted]))


def _compare(field: str, operator: str, bound: Any) -> Narrowing | None:
    if _scalar_kind(bound) == "null":  # only null (or missing) is in null's range, and only with the bound included
        return _equal(field, None) if operator in (">=", "<=") else Narrowing("0")
    return _ranges(field, [(operator, bound)])


def _ranges(field: str, bounds: list[tuple[str, Any]]) -> Narrowing | None:
    """The range operators of one operator document, with bounds of one type: one test of the field's value
    against all of them (so an index on the field answers the whole range), or, for an array, each by some
    element. None for bounds of mixed or other types."""
    families = {_FAMILIES.get(_scalar_kind(bound) or "", "") for _, bound in bounds}
    if len(families) != 1 or "" in families:
        return None
    (family,) = families
    type_sql, value_sql, path = type_expression(field), value_expression(field), json_path(field)
    tests, elements = [], []
    for operator, bound in bounds:
        if family == "number":
            tests.append(Narrowing(f"{value_sql} {operator} ?", [bound]))
            beyond = _MARKERS_ABOVE if operator in (">", ">=") else _MARKERS_BELOW
            elements.append(Narrowing(f"(type IN ('integer', 'real') AND atom {operator} ?) OR (type = 'object' AND "
                                      f"value IN ({', '.join('?' * len(beyond))}))", [bound, *beyond]))
        elif family == "text":
            tests.append(Narrowing(_TEXT_TESTS[operator].format(read=value_sql, token=f"(doc -> '{path}')"),
                                   _text_params(operator, bound)))
            elements.append(_element_text(operator, bound))
        else:
            tests.append(Narrowing(f"({type_sql} = 'true') {operator} ?", [bound]))
            elements.append(Narrowing(f"type IN ('true', 'false') AND (type = 'true') {operator} ?", [bound]))
    value = Narrowing(f"({_FAMILY_TYPES[family].format(type_sql)} AND {' AND '.join(test.sql for test in tests)})",
                      [param for test in tests for param in test.params])
    if family == "number":  # inf and NaN are numbers too, stored as tagged objects
        markers = [marker for marker in (*_MARKERS_ABOVE, *_MARKERS_BELOW)
                   if all(marker in (_MARKERS_ABOVE if operator in (">", ">=") else _MARKERS_BELOW)
                          for operator, _ in bounds)]
        if markers:
            value = Narrowing(f"({value.sql} OR ({type_sql} = 'object' AND {value_sql} IN "
                              f"({', '.join('?' * len(markers))})))", [*value.params, *markers])
    exists = [f"EXISTS (SELECT 1 FROM json_each(doc, '{path}') WHERE {element.sql})" for element in elements]  # noqa: S608
    return Narrowing(f"({value.sql} OR ({type_sql} = 'array' AND {' AND '.join(exists)}))",
                     [*value.params, *(param for element in elements for param in element.params)])


# SQLite's JSON functions read text only up to a NUL, so "a\0b" reads as "a". Where the text read equals the bound,
# the stored JSON token (`->`, as the codec wrote it) tells the two apart: equal tokens, equal texts; else the
# stored text is the longer one. The other comparisons come out the same on the text read.
_TEXT_TESTS = {"=": "{read} = ? AND {token} = ?", "<=": "({read} < ? OR ({read} = ? AND {token} = ?))",
               ">": "({read} > ? OR ({read} = ? AND {token} != ?))", "<": "{read} < ?", ">=": "{read} >= ?"}


def _text(field: str, operator: str, bound: str) -> Narrowing:
    test = _TEXT_TESTS[operator].format(read=value_expression(field), token=f"(doc -> '{json_path(field)}')")
    return Narrowing(f"({type_expression(field)} = 'text' AND {test})", _text_params(operator, bound))


def _element_text(operator: str, bound: str) -> Narrowing:
    test = _TEXT_TESTS[operator].format(read="atom", token="(doc -> fullkey)")  # noqa: S106 (a JSON token)
    return Narrowing(f"type = 'text' AND {test}", _text_params(operator, bound))


def _text_params(operator: str, bound: str) -> list[Any]:
    token = json.dumps(bound, ensure_ascii=False)  # the codec's form of a string
    return {"=": [bound, token], "<=": [bound, bound, token], ">": [bound, bound, token]}.get(operator, [bound])


def _none_of_types(field: str, kinds: list[str | None]) -> Narrowing:
    """Equal to none of null, true or false (`kinds`), in terms an index on the field answers: the other types,
    and arrays holding none of them (SQL's NOT would make SQLite scan)."""
    others = [kind for kind in _SCALAR_TYPES if kind not in kinds]
    type_sql, marks = type_expression(field), ", ".join("?" * len(kinds))
    elements = f"EXISTS (SELECT 1 FROM json_each(doc, '{json_path(field)}') WHERE type IN ({marks}))"  # noqa: S608
    return Narrowing(f"({type_sql} IN ({', '.join('?' * len(others))}) OR ({type_sql} = 'array' AND NOT {elements}))",
                     [*others, *kinds])


def _value_or_element(field: str, value: Narrowing, element: Narrowing) -> Narrowing:
    """`value` holds for the field's value, or `element` for one element (json_each's `type`/`atom`/`value`)
    when the value is an array."""
    elements = f"EXISTS (SELECT 1 FROM json_each(doc, '{json_path(field)}') WHERE {element.sql})"  # noqa: S608
    return Narrowing(f"({value.sql} OR ({type_expression(field)} = 'array' AND {elements}))",
                     [*value.params, *element.params])


def _scalar_kind(value: Any) -> str | None:
    """The JSON type `type_expression` gives for `value` ('integer' for every finite number), or None when SQL
    cannot compare it exactly (including text SQLite cannot bind as it is)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return "integer" if _INT64_MIN <= value <= _INT64_MAX else None
    if isinstance(value, float):
        return "integer" if math.isfinite(value) else None
    if isinstance(value, str):
        return "text" if "\x00" not in value and _encodable(value) else None
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no document can hold it either, the predicate says so
        return False
    return True


def _all(parts: list[Narrowing | None]) -> Narrowing | None:
    if any(part is None for part in parts):
        return None
    return _joined(" AND ", "1", parts)


def _any(parts: list[Narrowing | None]) -> Narrowing | None:
    if any(part is None for part in parts):
        return None
    return _joined(" OR ", "0", parts)


def _joined(separator: str, empty: str, parts: list[Narrowing | None]) -> Narrowing:
    present = [part for part in parts if part is not None]
    if not present:
        return Narrowing(empty)
    if len(present) == 1:
        return present[0]
    return Narrowing("(" + separator.join(part.sql for part in present) + ")",
                     [param for part in present for param in part.params])


def _not(part: Narrowing | None) -> Narrowing | None:
    return None if part is None else Narrowing(f"NOT ({part.sql})", part.params)
