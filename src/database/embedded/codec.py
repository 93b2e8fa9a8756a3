"""Documents <-> JSON text, and `_id` values <-> sortable primary-key text.

JSON cannot hold every BSON type the store accepts, so a few values travel as one-key marker objects:
`{"$oid": hex}` (ObjectId), `{"$date": ms}` (datetime, millisecond precision like BSON, returned naive UTC like
Motor's default), `{"$float": "nan"|"inf"|"-inf"}` (SQLite's JSON functions reject NaN and infinities) and
`{"$esc": [key, value]}` for a stored object whose only key happens to be one of those markers (a list, so
the decoder's object hook, which runs innermost first, cannot mistake it for a marker).
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from bson.errors import InvalidDocument
from bson.objectid import ObjectId

from src.database.embedded import mongo_errors
from src.database.embedded.errors import UnsupportedOperationError
from src.database.store import DocumentEncoder

Document = dict[str, Any]

_MARKERS = frozenset({"$oid", "$date", "$float", "$esc"})
_EPOCH = datetime(1970, 1, 1)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_SPECIAL_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def encode(document: Mapping[str, Any]) -> str:
    """The document as compact JSON text; raises `InvalidDocument` for values BSON could not hold either."""
    flat = _flat_json(document)
    return _dumps(flat if flat is not None else _to_json(document, _special_to_json))


def encode_with(encoder: DocumentEncoder | None, document: Document) -> str:
    """`encode(document)`, written by `encoder` when it knows the document (a DAO that writes one shape of document
    builds its text from the fields at a fraction of the general encoder's cost; it must give the same text)."""
    text = None if encoder is None else encoder(document)
    return encode(document) if text is None else text


def _flat_json(document: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """What `_to_json` gives for a document of text keys and values that are text, booleans, null, int64s,
    finite floats, ObjectIds or datetimes (most documents an API writes), in one pass that copies the document
    only to mark an ObjectId or a datetime; None for anything else (nested values, a marker-shaped document, a
    value to refuse), which takes the walk."""
    if not isinstance(document, dict) or (len(document) == 1 and next(iter(document)) in _MARKERS):
        return None
    marked = None
    for key, value in document.items():
        kind = type(value)
        if type(key) is not str:
            return None
        if kind is ObjectId or kind is datetime:
            if marked is None:
                marked = dict(document)
            marked[key] = _special_to_json(value)
        elif not (kind is str or kind is bool or value is None or (kind is int and _INT64_MIN <= value <= _INT64_MAX)
                  or (kind is float and math.isfinite(value))):
            return None
    return document if marked is None else marked


def encode_lenient(document: Mapping[str, Any]) -> str:
    """`encode` for a document read from MongoDB, which may hold BSON types this codec has no form for
    (Decimal128, binary, regular expressions...): those are written as their text instead of raising."""
    return _dumps(_to_json(document, _special_to_text))


def decode(text: str) -> Document:
    document: Document = _loads(text)
    return document


def _to_json(value: Any, special: Callable[[Any], Any]) -> Any:
    # bool before int: bool is an int subclass, and BSON keeps them apart.
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return _number_to_json(value)
    if isinstance(value, Mapping):
        return _object_to_json(value, special)
    if isinstance(value, list | tuple):
        return [_to_json(item, special) for item in value]
    return special(value)


def _number_to_json(value: float) -> Any:
    if isinstance(value, int):
        if not _INT64_MIN <= value <= _INT64_MAX:
            raise OverflowError("MongoDB can only handle up to 8-byte ints")
        return value
    if math.isfinite(value):
        return value
    return {"$float": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}


def _object_to_json(value: Mapping[Any, Any], special: Callable[[Any], Any]) -> dict[str, Any]:
    encoded = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise InvalidDocument(f"documents must have only string keys, key was {key!r}")
        encoded[key] = _to_json(item, special)
    if len(encoded) == 1 and next(iter(encoded)) in _MARKERS:
        key = next(iter(encoded))
        return {"$esc": [key, encoded[key]]}
    return encoded


def _special_to_json(value: Any) -> dict[str, Any]:
    if isinstance(value, ObjectId):
        return {"$oid": str(value)}
    if isinstance(value, datetime):
        return {"$date": _datetime_to_millis(value)}
    raise InvalidDocument(f"cannot encode object: {value!r}, of type: {type(value)}")


def tagged_json(value: ObjectId | datetime) -> str:
    """The stored JSON text of an ObjectId or a datetime (`{"$oid":hex}`, `{"$date":ms}`), as SQLite's JSON
    functions give it back."""
    return _dumps(_special_to_json(value))


def _special_to_text(value: Any) -> Any:
    return _special_to_json(value) if isinstance(value, ObjectId | datetime) else str(value)


def _from_json(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        key = next(iter(obj))
        if key == "$oid":
            return ObjectId(obj[key])
        if key == "$date":
            return _EPOCH + timedelta(milliseconds=obj[key])
        if key == "$float":
            return _SPECIAL_FLOATS[obj[key]]
        if key == "$esc":
            escaped_key, escaped_value = obj[key]
            return {escaped_key: escaped_value}
    return obj


# One decoder for every document: json.loads() with an object_hook builds a new JSONDecoder on each call, which
# was measured to cost more than decoding a small document.
_loads = json.JSONDecoder(object_hook=_from_json).decode


def _datetime_to_millis(value: datetime) -> int:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def normalise_datetime(value: datetime) -> datetime:
    """What a datetime reads back as: naive UTC, truncated to milliseconds."""
    return _EPOCH + timedelta(milliseconds=_datetime_to_millis(value))


# ---- primary keys -------------------------------------------------------------------------------------------
# The `_id` column holds a text key whose binary order is MongoDB's order for `_id` values: a type rank first
# (null < numbers < strings < ObjectId < booleans < dates, as in BSON comparison order), then an order-preserving
# encoding of the value. So `sort("_id")` and `_id` range filters run in SQL on the primary key index.

_MAX_EXACT_INT = 2**53


def id_key(value: object) -> str:
    """The primary-key text of an `_id` value; numerically equal numbers (1 and 1.0) share a key, as in MongoDB."""
    kind = type(value)  # the two types of every id the API makes, without the isinstance chain of the others
    if kind is ObjectId:
        return "7" + str(value)
    if kind is str:
        return "3" + str(value)
    return _other_id_key(value)


def _other_id_key(value: Any) -> str:
    if value is None:
        return "1"
    if isinstance(value, bool):
        return "8" + ("1" if value else "0")
    if isinstance(value, int | float):
        if isinstance(value, int) and abs(value) > _MAX_EXACT_INT:
            raise UnsupportedOperationError("the embedded store supports integer _id values up to 2**53 only")
        if isinstance(value, float) and math.isnan(value):
            raise UnsupportedOperationError("the embedded store does not support NaN as an _id")
        return "2" + _sortable_float(float(value))
    if isinstance(value, str):
        return "3" + value
    if isinstance(value, ObjectId):
        return "7" + str(value)
    if isinstance(value, datetime):
        return "9" + _sortable_float(float(_datetime_to_millis(value)))
    if isinstance(value, list | tuple):
        raise mongo_errors.WriteError("can't use an array for _id", code=53)
    raise UnsupportedOperationError(
        f"the embedded store does not support _id values of type {type(value).__name__} "
        "(supported: ObjectId, str, int, float, bool, datetime, None)")


def _sortable_float(number: float) -> str:
    if number == 0:
        number = 0.0  # -0.0 and 0.0 are the same key
    (bits,) = struct.unpack(">Q", struct.pack(">d", number))
    bits = bits ^ 0xFFFFFFFFFFFFFFFF if bits >> 63 else bits | (1 << 63)
    return f"{bits:016x}"
