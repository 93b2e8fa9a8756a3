"""Checks every model applies to a request body (unknown fields, text fields), with messages that name the field:
one place, so every resource answers bad input the same way."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from src.model.errors import BadRequestError
from src.model.json_types import json_type_name


def reject_unknown_fields(body: Mapping[str, Any], allowed: Collection[str]) -> None:
    """A 400 listing the fields of `body` that are not in `allowed` (and what is allowed)."""
    unknown = [name for name in body if name not in allowed]
    if unknown:
        unknown = sorted(map(str, unknown))
        raise BadRequestError(f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
                              f"allowed: {', '.join(allowed)}")


def optional_text(field: str, value: Any, max_length: int) -> str | None:
    """`value` if it is None or a string of at most `max_length` characters, else a 400 naming `field`."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequestError(f"field '{field}' must be a string, not {json_type_name(value)}")
    if len(value) > max_length:
        raise BadRequestError(f"field '{field}' must be at most {max_length} characters (got {len(value)})")
    return value


def required_text(field: str, value: Any, max_length: int) -> str:
    """Like `optional_text`, but the field must be there and hold more than white space."""
    if value is None:
        raise BadRequestError(f"field '{field}' is required")
    text = optional_text(field, value, max_length)
    if text is None or not text.strip():
        raise BadRequestError(f"field '{field}' must not be empty")
    return text
