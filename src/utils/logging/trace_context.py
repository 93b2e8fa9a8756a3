"""W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` and `tracestate` headers that
proxies, meshes and tracing systems send, so this server's log lines and outbound calls join their traces.

A valid incoming `traceparent` gives the request its trace id (on the canonical log line as `trace_id=`) and
its sampled flag; `tracestate` rides along unchanged. Without one (or with a malformed one, which the spec says
to ignore) the request starts a new trace: 16 random bytes, nothing else. Outbound calls send a `traceparent`
with the same trace id and a new parent id, beside `X-Request-ID`. No spans are recorded or exported here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from src.utils.random_digits import random_hex

# version-trace_id-parent_id-flags, lowercase hex; a later version may append fields after another "-".
_TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?")
_INVALID_TRACE_ID = "0" * 32
_INVALID_PARENT_ID = "0" * 16
MAX_TRACESTATE_LENGTH = 512  # the spec's limit on what a vendor must propagate


class TraceContext(NamedTuple):
    """A request's W3C trace: its trace id, sampled flag and the `tracestate` passed along."""

    trace_id: str
    flags: str = "00"  # a new trace is not sampled: nothing here records it
    state: str | None = None

    def outbound_headers(self) -> dict[str, str]:
        """The headers of an outbound call: this trace, with a new parent id for the call."""
        headers = {"traceparent": f"00-{self.trace_id}-{random_hex(16)}-{self.flags}"}
        if self.state:
            headers["tracestate"] = self.state
        return headers


def parse_traceparent(value: str | None, tracestate: str | None = None) -> TraceContext | None:
    """The trace context of a valid `traceparent`; None for a missing or malformed one."""
    if value is None:
        return None
    match = _TRACEPARENT.fullmatch(value.strip())
    if match is None:
        return None
    version, trace_id, parent_id, flags, rest = match.groups()
    if version == "ff" or (version == "00" and rest) or trace_id == _INVALID_TRACE_ID \
            or parent_id == _INVALID_PARENT_ID:
        return None
    state = tracestate.strip() if tracestate else None
    if state and (len(state) > MAX_TRACESTATE_LENGTH or not state.isprintable()):
        state = None  # not propagated rather than cut in the middle of a member
    # Only the sampled bit is defined for version 00; the others are passed on as zero.
    return TraceContext(trace_id, "01" if int(flags, 16) & 1 else "00", state)


def incoming_trace(headers: Mapping[str, str], new_trace_id: str | None = None) -> TraceContext:
    """The request's trace: the caller's when its `traceparent` is valid, else a new one (`new_trace_id`, 32
    random hex digits, when given)."""
    # `in` first: a missing header is the common case, and `HTTPHeaders.get` answers it by raising KeyError.
    if "traceparent" in headers:
        parsed = parse_traceparent(headers["traceparent"], headers.get("tracestate"))
        if parsed is not None:
            return parsed
    return TraceContext(new_trace_id or random_hex(32))
