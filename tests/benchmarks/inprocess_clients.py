"""The clients of `make bench-cpu` (inprocess_cpu.py): socket pairs in the measuring process, each client
sending its batch of requests pipelined whole, or a few at a time as the answers complete (closed loop)."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Callable, Sequence
from functools import partial

BODIES = {
    "POST": b'{"title":"bench task","description":"created by make bench","priority":"normal"}',
    "PUT": b'{"title":"bench task","description":"replaced by make bench","priority":"high"}',
}
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length: *(\d+)")

Handle = Callable[[socket.socket], None]


def request(method: str, path: str) -> bytes:
    body = BODIES.get(method, b"")
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


async def drive(handle: Handle, batches: Sequence[Sequence[bytes]], in_flight: int | None = None) -> bytes:
    """Each batch sent on its own connection, pipelined whole or `in_flight` requests at a time; returns every
    answer's bytes once all are read."""
    one_connection = _pipelined if in_flight is None else partial(_closed_loop, in_flight=in_flight)
    answers = await asyncio.gather(*(one_connection(handle, batch) for batch in batches))
    return b"".join(answers)


async def _pipelined(handle: Handle, batch: Sequence[bytes]) -> bytes:
    server_side, client = socket.socketpair()
    server_side.setblocking(False)
    client.setblocking(False)
    handle(server_side)
    loop = asyncio.get_running_loop()
    await loop.sock_sendall(client, b"".join(batch))
    received = bytearray()
    try:
        # Bodies never hold a status line, so counting them counts the answers.
        while received.count(b"HTTP/1.1 ") < len(batch) or \
                answer_end(received, received.rfind(b"HTTP/1.1 ")) is None:
            data = await loop.sock_recv(client, 1 << 20)
            if not data:
                raise RuntimeError(f"connection closed after {received.count(b'HTTP/1.1 ')} of {len(batch)} "
                                   f"answers: {bytes(received[-400:])!r}")
            received += data
    finally:
        client.close()
    return _no_error_in(bytes(received))


async def _closed_loop(handle: Handle, batch: Sequence[bytes], in_flight: int) -> bytes:
    server_side, client = socket.socketpair()
    server_side.setblocking(False)
    client.setblocking(False)
    handle(server_side)
    loop = asyncio.get_running_loop()
    done: asyncio.Future[bytes] = loop.create_future()
    # A protocol rather than sock_recv: the client's share of the process's work per request is one read
    # callback and one write, not a reader added and removed.
    await loop.connect_accepted_socket(lambda: ClosedLoopClient(batch, in_flight, done), client)
    return _no_error_in(await done)


class ClosedLoopClient(asyncio.Protocol):
    """Sends the next request of its batch each time an answer is complete, keeping `in_flight` unanswered."""

    def __init__(self, batch: Sequence[bytes], in_flight: int, done: asyncio.Future[bytes]) -> None:
        self._batch = batch
        self._in_flight = in_flight
        self._done = done
        self._sent = 0
        self._answered = 0
        self._received = bytearray()
        self._answer_start = 0
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        self._send(min(self._in_flight, len(self._batch)))

    def data_received(self, data: bytes) -> None:
        self._received += data
        while (end := answer_end(self._received, self._answer_start)) is not None:
            self._answer_start = end
            self._answered += 1
            if self._sent < len(self._batch):
                self._send(1)
        if self._answered == len(self._batch) and not self._done.done():
            self._done.set_result(bytes(self._received))
            assert self._transport is not None
            self._transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._done.done():
            self._done.set_exception(RuntimeError(
                f"connection closed after {self._answered} of {len(self._batch)} answers: "
                f"{bytes(self._received[-400:])!r}"))

    def _send(self, count: int) -> None:
        assert self._transport is not None
        self._transport.write(b"".join(self._batch[self._sent:self._sent + count]))
        self._sent += count


def answer_end(received: bytes | bytearray, start: int) -> int | None:
    """Where the answer that begins at `start` ends, once all of it has arrived (its body framed by
    Content-Length, or chunked); None while it has not."""
    head_end = received.find(b"\r\n\r\n", start)
    if head_end == -1:
        return None
    body_start = head_end + 4
    head = bytes(received[start:head_end]).lower()
    length = _CONTENT_LENGTH.search(head)
    if length is not None:
        end = body_start + int(length.group(1))
        return end if len(received) >= end else None
    if b"\r\ntransfer-encoding: chunked" in head:
        last = received.find(b"\r\n0\r\n\r\n", body_start - 2)
        return None if last == -1 else last + 7
    return body_start  # no body (a 204 or a 304)


def _no_error_in(received: bytes) -> bytes:
    failed = re.search(rb"HTTP/1\.1 [45]\d\d.{0,400}", received, re.DOTALL)
    if failed:
        raise RuntimeError(f"an answer was an error: {failed.group()!r}")
    return received
