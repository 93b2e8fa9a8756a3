"""Hostile requests against the real server over sockets: no 5xx, every error a JSON body in the one shape.

Hypothesis (seeded, so every run sends the same cases) builds requests that are well-framed HTTP/1.1 as far as
Tornado's own parser is concerned (its bare 400s for a malformed request line or header line are documented in
docs), with hostile contents: any method, percent-encoded arbitrary bytes in paths and queries, bad or
repeated Content-Length values, unsupported Transfer-Encodings, odd headers, JSON nested deeply or with numbers
out of range, arbitrary bytes as bodies. After the run the server must still answer `/ping`. The run is made
against each HTTP/1 transport (`--http_parser`), and a shorter one sends each case to both and compares: the
httptools transport answers as Tornado does, or refuses bad framing with a 400 where Tornado answers first.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.http_parsers import transport_params
from tests.support.raw_http import RawConnection, request
from tests.support.server_process import ServerProcess

CASES = 2000
ERROR_KEYS = {"code", "message", "method", "uri", "request_id"}
STATUSES: Counter[int] = Counter()

METHODS = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "GET", "POST", "PUT",
                           "BREW", "get", "PROPFIND", "CONNECT", "TRACE"])
# Weighted towards the routes that read bodies.
ROUTES = st.sampled_from(["", "ping", "health", "cors", "tasks", "tasks/{}", "static/{}", "static/css/{}",
                          "{}", "tasks/{}/{}", "metrics", "favicon.ico", "tasks", "tasks", "tasks/{}", "cors",
                          "tasks/", "cors"])

# 2,000 requests over sockets: longer than `make test-fast` allows (it still runs in `make test`). One test makes
# them all, so the suite's 120 s per test, a hang guard, would be a wall-clock bound on a loaded machine: 600 s.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def _percent_encoded(data: bytes) -> str:
    return "".join(f"%{byte:02X}" for byte in data)


SEGMENT = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-._~", min_size=1, max_size=30),
    st.binary(min_size=1, max_size=12).map(_percent_encoded),
    st.sampled_from(["..", "%2e%2e", "%00", "a%00.js", "%2F..%2Fetc%2Fpasswd", "%c0%ae", "%ff", "f" * 24,
                     "x" * 300]),
)
QUERY = st.one_of(st.just(""), st.lists(
    st.tuples(st.sampled_from(["limit", "offset", "q", "x"]),
              st.one_of(st.integers(-10**30, 10**30).map(str), SEGMENT)), max_size=4).map(
    lambda pairs: "?" + "&".join(f"{key}={value}" for key, value in pairs) if pairs else ""))

JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False),
                      st.text(max_size=20))
JSON_VALUE = st.recursive(JSON_LEAF, lambda children: st.lists(children, max_size=4)
                          | st.dictionaries(st.text(max_size=10), children, max_size=4), max_leaves=12)
TASKISH = st.fixed_dictionaries({}, optional={
    "title": st.one_of(st.text(max_size=250), JSON_LEAF), "description": JSON_VALUE,
    "priority": st.one_of(st.sampled_from(["low", "medium", "high"]), JSON_LEAF),
    "completed": JSON_LEAF, "due_date": st.one_of(st.integers(-(2**80), 2**80), JSON_LEAF)})
BODY = st.one_of(
    st.just(b""),
    TASKISH.map(lambda value: json.dumps(value).encode()),
    JSON_VALUE.map(lambda value: json.dumps(value).encode()),
    st.integers(33, 3000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(33, 3000).map(lambda depth: b'{"a":' * depth + b"1" + b"}" * depth),
    st.sampled_from([b'{"title": 1e400}', b'{"title": "x", "due_date": -1e999}', b'{"a": NaN}',
                     b'{"title": "\\ud800"}', b'{"title": "a\\u0000b"}', b"{" + b'"k":1,' * 1000 + b'"z":0}',
                     b'{"title": ' + b"9" * 5000 + b"}", b'{"\\u0000": 1}', b'{"title": "x"}']),
    st.binary(max_size=200),
)
HEADER_VALUE = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60).map(str.strip)
EXTRA_HEADERS = st.dictionaries(
    st.sampled_from(["Content-Type", "X-Request-ID", "If-Match", "If-None-Match", "Origin", "Accept-Encoding",
                     "Authorization", "Content-Encoding", "Expect", "Range", "Cookie", "X-Forwarded-For",
                     "Access-Control-Request-Method", "Accept"]),
    st.one_of(HEADER_VALUE, st.sampled_from(["application/json", "gzip", "*", "bytes=0-", "bytes=5-1",
                                             '"x"', "W/\"1\"", "100-continue", "x" * 9000])),
    max_size=4)
# How the body is framed: correctly (three ways Tornado accepts), or wrongly (sent without a body).
FRAMING = st.sampled_from(["length", "length", "length", "repeated", "duplicate", "chunked",
                           "bad:1e3", "bad:-1", "bad:+2", "bad:2, 3", "bad:0x10", "bad:abc", "te:gzip", "te+cl"])


def build(method: str, target: str, headers: dict[str, str], body: bytes, framing: str) -> bytes:
    head = [f"{method} {target} HTTP/1.1", "Host: fuzz", "Connection: close"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    payload = body
    if framing == "length":
        head.append(f"Content-Length: {len(body)}")
    elif framing == "repeated":
        head.append(f"Content-Length: {len(body)}, {len(body)}")
    elif framing == "duplicate":
        head += [f"Content-Length: {len(body)}"] * 2
    elif framing == "chunked":
        head.append("Transfer-Encoding: chunked")
        payload = (f"{len(body):x}\r\n".encode() + body + b"\r\n" if body else b"") + b"0\r\n\r\n"
    elif framing.startswith("bad:"):
        head.append(f"Content-Length: {framing[4:]}")
        payload = b""
    elif framing == "te:gzip":
        head.append("Transfer-Encoding: gzip")
        payload = b""
    else:
        head += ["Transfer-Encoding: chunked", f"Content-Length: {len(body)}"]
        payload = b""
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload


def hostile_requests(cases: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """The test runs with `cases` requests built from the strategies above, the same ones on every run."""
    seeded = settings(max_examples=cases, derandomize=True, database=None, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                             HealthCheck.data_too_large])
    built = given(method=METHODS, route=ROUTES, segments=st.lists(SEGMENT, min_size=2, max_size=2), query=QUERY,
                  headers=EXTRA_HEADERS, body=BODY, framing=FRAMING)
    return lambda test: seeded(built(test))


@pytest.fixture(scope="module", params=transport_params())
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def server(transport: str) -> Iterator[ServerProcess]:
    STATUSES.clear()
    with ServerProcess(["--body_timeout", "2"], http_parser=transport) as running:
        yield running
        with RawConnection(running.port) as connection:
            assert connection.exchange(request("GET", "/ping")).status == 200, "the server stopped serving"
        print(f"fuzz ({transport}): {sum(STATUSES.values())} cases, statuses {dict(sorted(STATUSES.items()))}")
        assert sum(STATUSES.values()) >= CASES


@hostile_requests(CASES)
def test_no_request_gets_a_5xx_or_an_error_outside_the_json_shape(
        server: ServerProcess, method: str, route: str, segments: list[str], query: str,
        headers: dict[str, str], body: bytes, framing: str) -> None:
    target = "/" + route.format(*segments) + query
    data = build(method, target, headers, body, framing)
    with RawConnection(server.port, timeout=30) as connection:
        connection.send(data)
        answer = connection.read(head=method == "HEAD")
    STATUSES[answer.status] += 1
    assert answer.status < 500, (data[:300], answer.status, answer.body[:300])
    if answer.status >= 400 and method != "HEAD":
        assert answer.headers.get("content-type", "").startswith("application/json"), (data[:300], answer.headers)
        error: Any = json.loads(answer.body)
        assert set(error) == ERROR_KEYS and error["code"] == answer.status, (data[:300], error)


DIFFERENTIAL_CASES = 300


@pytest.fixture(scope="module")
def servers_on_each_transport() -> Iterator[tuple[ServerProcess, ServerProcess]]:
    with ServerProcess(["--body_timeout", "2"], http_parser="tornado") as tornado, \
            ServerProcess(["--body_timeout", "2"], http_parser="httptools") as httptools:
        yield tornado, httptools


def _status(server: ServerProcess, data: bytes, head: bool) -> int | None:
    with RawConnection(server.port, timeout=30) as connection:
        connection.send(data)
        try:
            return connection.read(head=head).status
        except ConnectionError:
            return None  # closed without an answer


@hostile_requests(DIFFERENTIAL_CASES)
def test_httptools_answers_each_case_as_tornado_or_refuses_it_with_a_400(
        servers_on_each_transport: tuple[ServerProcess, ServerProcess], method: str, route: str,
        segments: list[str], query: str, headers: dict[str, str], body: bytes, framing: str) -> None:
    """The same cases sent to both transports: the same status, or a 400 where httptools refuses framing that
    Tornado lets a handler answer first (a 405 or a 200 before the bad Content-Length is looked at)."""
    data = build(method, "/" + route.format(*segments) + query, headers, body, framing)
    tornado, httptools = (_status(server, data, method == "HEAD") for server in servers_on_each_transport)
    assert httptools == tornado or (httptools == 400 and framing not in ("length", "chunked")), \
        (data[:300], tornado, httptools)
