"""Small Tornado handlers that exercise what the httptools transport gives a handler (chunked answers, streamed
bodies with async `data_received`, close callbacks, back-pressure), served in process by `serving()`."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler, stream_request_body

from src.server.managed_http_server import ManagedHTTPServer


class Events:
    """What the handlers saw, for the test to check."""

    def __init__(self) -> None:
        self.closed = asyncio.Event()
        self.release = asyncio.Event()
        self.writes = 0


class PiecesHandler(RequestHandler):
    """GET: three flushed pieces (chunked, no Content-Length); HEAD: the same headers, no body."""

    async def get(self) -> None:
        for piece in (b"one,", b"two,", b"three"):
            self.write(piece)
            await self.flush()

    async def head(self) -> None:
        await self.get()


@stream_request_body
class EchoHandler(RequestHandler):
    """Counts the body as it arrives, each piece awaited (a slow consumer); answers its size and pieces."""

    def prepare(self) -> None:
        self.received = b""
        self.pieces = 0

    async def data_received(self, chunk: bytes) -> None:
        await asyncio.sleep(0)
        self.received += chunk
        self.pieces += 1

    def post(self) -> None:
        self.finish({"size": len(self.received), "body": self.received[:64].decode("latin-1")})

    def get(self) -> None:
        self.finish({"path": self.request.path, "query": self.request.query})


class PeerHandler(RequestHandler):
    def get(self) -> None:
        self.finish({"remote_ip": self.request.remote_ip, "protocol": self.request.protocol})


class HoldHandler(RequestHandler):
    """Answers only when released; notes a client that goes away first."""

    def initialize(self, events: Events) -> None:
        self.events = events

    async def get(self) -> None:
        await self.events.release.wait()
        self.finish("released")

    def on_connection_close(self) -> None:
        self.events.closed.set()


class FloodHandler(RequestHandler):
    """Writes `size` bytes in 64 KiB pieces, waiting on each flush (back-pressure), counting the writes."""

    def initialize(self, events: Events) -> None:
        self.events = events

    async def get(self) -> None:
        size = int(self.get_argument("size"))
        self.set_header("Content-Length", str(size))
        piece = b"x" * 65536
        for _ in range(size // len(piece)):
            self.write(piece)
            await self.flush()
            self.events.writes += 1


def make_app(events: Events) -> Application:
    return Application([
        (r"/pieces", PiecesHandler), (r"/echo.*", EchoHandler), (r"/peer", PeerHandler),
        (r"/hold", HoldHandler, {"events": events}), (r"/flood", FloodHandler, {"events": events}),
    ])


@contextlib.asynccontextmanager
async def serving(app: Application, http_parser: str = "httptools", **options: Any) -> AsyncIterator[int]:
    """`app` on the httptools transport (or `http_parser`'s) on a free loopback port; yields the port."""
    server = ManagedHTTPServer(app, http_parser=http_parser, **options)
    sockets = bind_sockets(0, "127.0.0.1")
    server.add_sockets(sockets)
    try:
        yield int(sockets[0].getsockname()[1])
    finally:
        await server.drain(1.0)


def json_of(body: bytes) -> Any:
    return json.loads(body)
