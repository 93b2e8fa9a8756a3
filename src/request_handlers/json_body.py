"""JSON in and out of the API: request bodies parsed strictly (each problem a precise `BadRequestError`), and the
one response encoder.

JSON has no NaN or Infinity, so neither is accepted (`NaN`, `1e400`) nor ever written: the encoder refuses them
instead of emitting text no JSON parser reads. Nesting is limited to `MAX_JSON_DEPTH` levels, well below the
depth at which Python's parser raises `RecursionError` and the depth MongoDB accepts in a document.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from src.model.errors import BadRequestError
from src.model.json_types import encode_json, json_type_name

MAX_JSON_DEPTH = 32
__all__ = ["MAX_JSON_DEPTH", "encode_json", "parse_json_object"]



def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"the number {text[:40]} is too large")
    return value


_decode_json = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float).decode
_ASCII_SPACE = " \t\n\r\x0b\x0c"
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def parse_json_object(raw: bytes) -> dict[str, object]:
    """`raw` as a JSON object; a 400 says exactly what is wrong with it otherwise."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequestError(f"request body is not valid UTF-8 (byte {error.start})") from None
    # Fewer brackets than the limit cannot nest deeper than it: the common case skips the walk.
    may_be_deep = text.count("[") + text.count("{") > MAX_JSON_DEPTH
    try:
        document = _decode_json(text)
    except json.JSONDecodeError as error:
        if not text.strip(_ASCII_SPACE):  # what bytes.strip() takes away
            raise BadRequestError("request body is empty; a JSON object is required") from None
        raise BadRequestError(
            f"request body is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except ValueError as error:  # NaN/Infinity or a number too large, which JSON does not have
        raise BadRequestError(f"request body is not valid JSON: {error}") from None
    except RecursionError:
        raise _too_deep() from None
    if may_be_deep and _depth(document) > MAX_JSON_DEPTH:
        raise _too_deep()
    # A lone \uD800-\uDFFF escape decodes to a string no UTF-8 encoder (SQLite, MongoDB, the response) accepts.
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(document):
        raise BadRequestError("request body is not valid JSON: a \\u escape is an unpaired UTF-16 surrogate")
    if not isinstance(document, dict):
        raise BadRequestError(f"request body must be a JSON object, not {json_type_name(document)}")
    return document


def _too_deep() -> BadRequestError:
    return BadRequestError(f"request body is nested more than {MAX_JSON_DEPTH} levels deep")


def _depth(document: Any) -> int:
    """Nesting depth of arrays and objects, walked without recursion."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, depth)
            pending.extend((item, depth + 1) for item in value if isinstance(item, dict | list))
    return deepest


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= char <= "\udfff" for char in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(key) or _has_lone_surrogate(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    return False

