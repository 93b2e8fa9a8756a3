"""W3C trace context: which `traceparent` values are taken, the trace id on the canonical line (the caller's, or a
new one per request), and `traceparent`/`tracestate` forwarded on outbound calls beside X-Request-ID."""

from __future__ import annotations

import re

import pytest
from tornado.httpclient import HTTPRequest

from src.utils.logging import request_context
from src.utils.logging.request_context import new_request_and_trace_ids
from src.utils.logging.trace_context import TraceContext, incoming_trace, parse_traceparent
from tests.unit.http_connectors.test_generic_http_connector import URL, connector, ok
from tests.unit.utils.logging.test_access_log import AccessLogTestCase

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
VALID = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


@pytest.mark.parametrize(("header", "expected"), [
    (VALID, TraceContext(TRACE_ID, "01")),
    (f"00-{TRACE_ID}-00f067aa0ba902b7-00", TraceContext(TRACE_ID, "00")),
    (f"00-{TRACE_ID}-00f067aa0ba902b7-03", TraceContext(TRACE_ID, "01")),  # unknown flag bits are not passed on
    (f" {VALID} ", TraceContext(TRACE_ID, "01")),
    (f"cc-{TRACE_ID}-00f067aa0ba902b7-01-future", TraceContext(TRACE_ID, "01")),  # a later version's extra field
])
def test_valid_traceparents_are_taken(header: str, expected: TraceContext) -> None:
    assert parse_traceparent(header) == expected


@pytest.mark.parametrize("header", [
    None, "", "garbage", VALID.upper(), f"ff-{TRACE_ID}-00f067aa0ba902b7-01",
    f"00-{'0' * 32}-00f067aa0ba902b7-01", f"00-{TRACE_ID}-{'0' * 16}-01", f"00-{TRACE_ID}-00f067aa0ba902b7-01-x",
    f"00-{TRACE_ID[:-1]}-00f067aa0ba902b7-01", f"0-{TRACE_ID}-00f067aa0ba902b7-01",
])
def test_malformed_traceparents_are_ignored(header: str | None) -> None:
    assert parse_traceparent(header) is None


def test_tracestate_rides_along_when_printable_and_within_the_limit() -> None:
    assert parse_traceparent(VALID, " rojo=00f067aa0ba902b7,congo=t61rcWkgMzE ") == TraceContext(
        TRACE_ID, "01", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
    assert parse_traceparent(VALID, "a=" + "b" * 600) == TraceContext(TRACE_ID, "01")
    assert parse_traceparent(VALID, "a=b\x00") == TraceContext(TRACE_ID, "01")


def test_without_a_valid_traceparent_each_request_starts_a_new_trace() -> None:
    first, second = incoming_trace({}), incoming_trace({"traceparent": "garbage"})
    assert re.fullmatch(r"[0-9a-f]{32}", first.trace_id) and first.trace_id != second.trace_id
    assert (first.flags, first.state) == ("00", None)


def test_a_new_trace_takes_the_id_it_is_given_and_ids_come_in_distinct_pairs() -> None:
    request_id, trace_id = new_request_and_trace_ids()
    assert re.fullmatch(r"[0-9a-f]{32}", request_id) and re.fullmatch(r"[0-9a-f]{32}", trace_id)
    assert request_id != trace_id and new_request_and_trace_ids() != (request_id, trace_id)
    assert incoming_trace({}, trace_id).trace_id == trace_id
    assert incoming_trace({"traceparent": VALID}, trace_id).trace_id == TRACE_ID


class TestCanonicalLine(AccessLogTestCase):
    def test_the_callers_trace_id_is_on_the_canonical_line(self) -> None:
        response = self.fetch("/probe/tasks/t-1", headers={"traceparent": VALID})
        assert self.only_canonical(response)["trace_id"] == TRACE_ID

    def test_a_request_without_one_gets_its_own(self) -> None:
        self.fetch("/probe/tasks/t-1")
        self.fetch("/probe/tasks/t-2")
        trace_ids = [line["trace_id"] for line in self.canonical()]
        assert len(set(trace_ids)) == 2 and all(re.fullmatch(r"[0-9a-f]{32}", value) for value in trace_ids)


async def test_outbound_calls_join_the_request_trace_beside_the_request_id() -> None:
    async def inside_a_request() -> list[HTTPRequest]:
        request_context.bind("req-42", {}, TraceContext(TRACE_ID, "01", "rojo=1"))
        http, client = connector(ok(), ok())
        await http.request("GET", URL)
        await http.request("GET", URL)
        return list(client.requests)

    first, second = await inside_a_request()
    assert first.headers["X-Request-ID"] == "req-42"
    assert first.headers["tracestate"] == "rojo=1"
    parents = []
    for request in (first, second):
        version, trace_id, parent_id, flags = request.headers["traceparent"].split("-")
        assert (version, trace_id, flags) == ("00", TRACE_ID, "01")
        parents.append(parent_id)
    assert parents[0] != parents[1] and all(re.fullmatch(r"[0-9a-f]{16}", parent) for parent in parents)


async def test_no_trace_headers_outside_a_request() -> None:
    http, client = connector(ok())
    await http.request("GET", URL)
    assert "traceparent" not in client.requests[0].headers
