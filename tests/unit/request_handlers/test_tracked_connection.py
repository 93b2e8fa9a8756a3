"""`TrackedConnection` as the body's deadline and `TrackedRequest`'s choice of when a body may be read: at once
when there is none or a small one within the limit, after the handler's `prepare()` otherwise."""

from __future__ import annotations

import asyncio
from typing import Any

from tornado import httputil
from tornado.concurrent import Future
from tornado.http1connection import HTTP1ConnectionParameters

from src.request_handlers.tracked_connection import TrackedConnection, TrackedRequest

WAIT_SECONDS = 10.0  # only a hang reaches it


class Stream:
    def __init__(self) -> None:
        self.was_closed = False

    def closed(self) -> bool:
        return self.was_closed

    def close(self) -> None:
        self.was_closed = True


class Inner(httputil.HTTPConnection):
    """The HTTP/1 connection under the tracked one: only what these tests look at."""

    def __init__(self) -> None:
        self.stream = Stream()
        self.finished = False

    def finish(self) -> None:
        self.finished = True


class Server:
    draining = False

    def __init__(self, body_timeout: float = 30.0, max_body_size: int = 1024 * 1024) -> None:
        self.body_timeout = body_timeout
        self.conn_params = HTTP1ConnectionParameters(max_body_size=max_body_size)


class Delegate(httputil.HTTPMessageDelegate):
    """A streaming handler's delegate: its future resolves once `prepare()` has run."""

    def __init__(self) -> None:
        self.prepared: Future[None] = Future()

    def headers_received(self, start_line: Any, headers: httputil.HTTPHeaders) -> Future[None]:
        return self.prepared


def tracked(server: Server | None = None) -> tuple[TrackedConnection, Inner]:
    inner = Inner()
    return TrackedConnection(inner, server or Server(), lambda: None), inner


async def test_a_stalled_body_with_no_handler_to_answer_it_closes_the_connection() -> None:
    connection, inner = tracked(Server(body_timeout=0.05))
    connection.headers_arrived(httputil.HTTPHeaders({"Content-Length": "10"}))
    for _ in range(int(WAIT_SECONDS / 0.01)):
        if inner.stream.was_closed:
            break
        await asyncio.sleep(0.01)
    assert inner.stream.was_closed


async def test_a_stalled_body_is_the_handlers_to_answer_when_it_can() -> None:
    connection, inner = tracked(Server(body_timeout=0.05))
    answered = asyncio.Event()
    connection.on_body_stalled(answered.set)
    connection.headers_arrived(httputil.HTTPHeaders({"Content-Length": "10"}))
    await asyncio.wait_for(answered.wait(), WAIT_SECONDS)
    assert not inner.stream.was_closed


async def test_a_body_that_arrives_in_time_is_not_timed_out() -> None:
    connection, inner = tracked(Server(body_timeout=0.05))
    connection.on_body_stalled(inner.stream.close)
    connection.headers_arrived(httputil.HTTPHeaders({"Content-Length": "10"}))
    connection.body_arrived()
    await asyncio.sleep(0.2)
    assert not inner.stream.was_closed


async def test_no_body_or_a_small_one_is_read_before_prepare_and_others_wait_for_it() -> None:
    cases = [
        ({}, True),
        ({"Content-Length": "0"}, True),
        ({"Content-Length": "80"}, True),
        ({"Content-Length": "2000"}, False),  # over this server's limit: prepare answers the JSON 413 first
        ({"Content-Length": str(64 * 1024 + 1)}, False),  # too large to read and discard after an early answer
        ({"Content-Length": "2, 2"}, False),  # prepare answers the malformed length with a JSON 400
        ({"Transfer-Encoding": "chunked"}, False),  # prepare lifts the limit, data_received counts it
        ({"Content-Length": "80", "Expect": "100-continue"}, False),  # no 100 Continue before prepare ran
    ]
    for headers, at_once in cases:
        connection, _ = tracked(Server(max_body_size=1000))
        delegate = Delegate()
        request = TrackedRequest(delegate, connection)
        start_line = httputil.RequestStartLine("PUT", "/tasks/1", "HTTP/1.1")
        waits_for = request.headers_received(start_line, httputil.HTTPHeaders(headers))
        assert (waits_for is None) == at_once, headers
        connection.closed()  # cancels the body's deadline
