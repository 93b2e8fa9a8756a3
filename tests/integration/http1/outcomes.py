"""What a server did with one request followed by a second on the same connection, and the rule that compares
it with Tornado's own answer: another transport must do the same, or something stricter.

The second request (`follow_up`) stores a task with a title of its own, so whether it was processed is read
back from the store, not guessed from the bytes on the wire.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from dataclasses import dataclass
from typing import Literal

from tests.support.raw_http import RawConnection, RawResponse, request

ERROR_KEYS = {"code", "message", "method", "uri", "request_id"}
Shape = Literal["json", "bare"]


def is_json_error(answer: RawResponse) -> bool:
    """The project's one error shape, with the status as its code."""
    if not answer.headers.get("content-type", "").startswith("application/json"):
        return False
    try:
        body = answer.json()
    except ValueError:
        return False
    return isinstance(body, dict) and set(body) == ERROR_KEYS and body["code"] == answer.status


@dataclass(frozen=True)
class Expected:
    """An answer: `status` (None: the connection closed without one), its `shape` for an error, and whether
    the request after it on the connection was processed."""

    status: int | None
    shape: Shape | None = None
    follow_up: bool = False


def dropped() -> Expected:
    return Expected(None)


def rejected(status: int, shape: Shape = "json") -> Expected:
    return Expected(status, shape)


def served(status: int = 200) -> Expected:
    return Expected(status, follow_up=True)


@dataclass(frozen=True)
class Outcome:
    status: int | None
    shape: Shape | None
    says_close: bool  # the answer carried `Connection: close`
    closed: bool  # the server closed the connection once it had answered what it would
    follow_up: bool

    def matches(self, expected: Expected) -> bool:
        return (self.status, self.shape, self.follow_up) == (expected.status, expected.shape, expected.follow_up)


def follow_up(marker: str) -> bytes:
    return request("POST", "/tasks", {"Content-Type": "application/json", "Connection": "close"},
                   json.dumps({"title": marker}).encode())


def stored(port: int, marker: str) -> bool:
    with RawConnection(port) as connection:
        page = connection.exchange(request("GET", "/tasks?limit=1000")).json()
    return any(task["title"] == marker for task in page.values())


def observe(port: int, data: bytes) -> Outcome:
    """Send `data` then a follow-up request in one write; read every answer until the server closes."""
    marker = f"follow-up-{uuid.uuid4().hex}"
    answers: list[RawResponse] = []
    closed = False
    with RawConnection(port, timeout=10) as connection:
        with contextlib.suppress(ConnectionError):  # closed while the rest was being sent: answers stay readable
            connection.send(data + follow_up(marker))
        try:
            while len(answers) < 3:
                answers.append(connection.read())
        except ConnectionError:
            closed = True
    first = answers[0] if answers else None
    shape: Shape | None = None
    if first is not None and first.status >= 400:
        shape = "json" if is_json_error(first) else "bare"
    return Outcome(status=first.status if first else None, shape=shape, says_close=bool(first and first.closes),
                   closed=closed, follow_up=stored(port, marker))


def assert_same_or_stricter(observed: Outcome, tornado: Expected, transport: str) -> None:
    """Tornado must give exactly its documented answer. Another transport may also refuse what Tornado
    serves (with a 400) or answer a 4xx where Tornado closes silently; it may give the JSON shape where
    Tornado's parser answers a bare 400, never the reverse; and it never processes a request Tornado does
    not. A refusal that ends the exchange closes the connection."""
    if transport == "tornado" or observed.matches(tornado):
        assert observed.matches(tornado), (observed, tornado)
    else:
        assert not observed.follow_up or tornado.follow_up, f"processed a request Tornado refuses: {observed}"
        if tornado.status is None:
            assert observed.status is None or 400 <= observed.status < 500, (observed, tornado)
        elif tornado.status >= 400:
            assert observed.status == tornado.status, (observed, tornado)
            assert observed.shape == "json" or tornado.shape == "bare", (observed, tornado)
        else:
            assert observed.status == 400 and not observed.follow_up, (observed, tornado)
    if not observed.follow_up:
        assert observed.closed, f"the connection stayed open after a refused request: {observed}"
        if observed.status is not None and observed.shape == "json":
            assert observed.says_close, f"a refusal that closes the connection must say so: {observed}"
