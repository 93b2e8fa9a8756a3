"""`RefusalProtocol`: a connection over the limit (or arriving while the server drains) gets a JSON 503 with
`Connection: close` as soon as its request head has arrived, and costs a descriptor for a moment only."""

from __future__ import annotations

import asyncio
from typing import cast

from src.server.http1.connection_parts import Deadline
from src.server.http1.error_answer import error_answer
from src.server.http1.request_reader import RequestReader

# How long a refused connection may take to send its request head (as with the Tornado transport).
REFUSAL_READ_SECONDS = 2.0


class RefusalProtocol(asyncio.Protocol):
    def __init__(self, max_header_size: int) -> None:
        self.reader = RequestReader(max_header_size)
        self._transport: asyncio.Transport | None = None
        self._deadline = Deadline(self._close)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport = cast(asyncio.Transport, transport)  # uvloop's are asyncio's in behaviour, not by class
        self._transport = transport
        self._deadline.set(REFUSAL_READ_SECONDS)

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        if self._transport is None or not (self.reader.requests or self.reader.error):
            return
        incoming = self.reader.requests[0].start_line if self.reader.requests else None
        self._transport.write(error_answer(503, "the server is at its connection limit; retry shortly",
                                           incoming.method if incoming else None,
                                           incoming.path if incoming else None, retry_after=1))
        self._close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._deadline.clear()
        self._transport = None

    def _close(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None
