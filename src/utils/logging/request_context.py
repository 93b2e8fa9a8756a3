"""The current request's id and log fields, carried by `contextvars` into every coroutine the request awaits.

Tornado runs each request's handler in its own asyncio task, and a task copies the context it was created in,
so values set in `CustomRequestHandler.prepare()` are visible to the services, DAOs and connectors the handler
awaits, and to tasks they spawn, without being passed around. Outside a request both are empty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from src.utils.random_digits import random_hex

if TYPE_CHECKING:
    from src.utils.logging.trace_context import TraceContext

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_fields: ContextVar[dict[str, Any] | None] = ContextVar("request_fields", default=None)
_trace: ContextVar[TraceContext | None] = ContextVar("trace_context", default=None)

# An incoming X-Request-ID is reused only when it is short and made of safe characters; it goes into logs and
# response headers, so anything else is replaced by a fresh id.
REQUEST_ID_PATTERN = r"[A-Za-z0-9._:-]{1,128}"
_WELL_FORMED = re.compile(REQUEST_ID_PATTERN)


def well_formed_request_id(candidate: str | None) -> bool:
    return candidate is not None and _WELL_FORMED.fullmatch(candidate) is not None


def new_request_id() -> str:
    # 32 random hex digits, like uuid4().hex, at a fraction of its cost (no UUID object per request).
    return random_hex(32)


def new_request_and_trace_ids() -> tuple[str, str]:
    """A new request id and a new trace id (32 random hex digits each): a request without either header needs
    both."""
    digits = random_hex(64)
    return digits[:32], digits[32:]


def bind(request_id: str, fields: dict[str, Any], trace: TraceContext | None = None) -> None:
    """Make `request_id`, the handler's own (mutable) `fields` dict and its W3C trace the current request's
    context."""
    _request_id.set(request_id)
    _fields.set(fields)
    _trace.set(trace)


def trace() -> TraceContext | None:
    """The current request's trace context (None outside a request)."""
    return _trace.get()


def request_id() -> str | None:
    return _request_id.get()


def add_fields(**values: Any) -> None:
    """Attach key/values to the current request's canonical log line (no-op outside a request)."""
    fields = _fields.get()
    if fields is not None:
        fields.update(values)


def fields() -> dict[str, Any]:
    """The current request's fields (a copy), empty outside a request."""
    current = _fields.get()
    return dict(current) if current else {}


_LOGGED_ID_LENGTH = 64


def add_path_ids(path_kwargs: Mapping[str, object]) -> None:
    """The ids a route captured (`task_id`, `resource_id`...) on the log line, cut short: a path can be long."""
    add_fields(**{name: value[:_LOGGED_ID_LENGTH] for name, value in path_kwargs.items()
                  if name.endswith("_id") and isinstance(value, str)})
