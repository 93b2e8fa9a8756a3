"""Accepting connections for the httptools transport.

Accepting is the project's `AcceptLoop` (it pauses instead of spinning at the descriptor limit); each accepted
socket becomes an asyncio transport with its `HTTP1Protocol` (TLS too, through the loop's own SSL support), so
asyncio's and uvloop's transports do the reading and writing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
from typing import TYPE_CHECKING

from src.server.http1.protocol import HTTP1Protocol
from src.server.http1.refusal import RefusalProtocol

if TYPE_CHECKING:
    from src.server.managed_http_server import ManagedHTTPServer

TLS_HANDSHAKE_SECONDS = 10.0


class HTTP1Listener:
    """`on_connection(sock, address)` for `AcceptLoop`: serves each connection with `HTTP1Protocol`."""

    def __init__(self, server: ManagedHTTPServer, tls: ssl.SSLContext | None) -> None:
        self.server = server
        self.tls = tls
        self._scheme = "https" if tls is not None else "http"
        self._starting: set[asyncio.Task[None]] = set()

    def on_connection(self, sock: socket.socket, _address: object) -> None:
        refuse = self.server.refuses_connection()
        task = asyncio.ensure_future(self._serve(sock, refuse))
        self._starting.add(task)
        task.add_done_callback(self._starting.discard)

    async def _serve(self, sock: socket.socket, refuse: bool) -> None:
        loop = asyncio.get_running_loop()
        def protocol() -> asyncio.Protocol:
            if refuse:
                return RefusalProtocol(self.server.conn_params.max_header_size or 65536)
            return HTTP1Protocol(self.server, self._scheme)

        try:
            await loop.connect_accepted_socket(
                protocol, sock, ssl=self.tls,
                ssl_handshake_timeout=TLS_HANDSHAKE_SECONDS if self.tls is not None else None)
        except (OSError, ssl.SSLError, TimeoutError, ConnectionError) as error:
            # A failed TLS handshake or a client gone at once: nothing to answer.
            logging.getLogger("tornado_boilerplate.server").debug("connection not started: %s", error)
            with contextlib.suppress(OSError):
                sock.close()
