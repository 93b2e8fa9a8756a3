"""Answers without a length, against each transport: no route of the project streams, so a handler that
flushes its answer in pieces is served in process by `ManagedHTTPServer` on each transport. On HTTP/1.1 the
answer is chunked and the connection goes on; on HTTP/1.0 the body ends with the connection; HEAD gets the
headers and no body."""

from __future__ import annotations

import asyncio

from tests.support.http1_apps import Events, json_of, make_app, serving
from tests.support.raw_http import RawConnection, RawResponse, request


async def test_an_answer_in_pieces_is_chunked_and_keep_alive_goes_on(transport: str) -> None:
    def pipelined(port: int) -> list[RawResponse]:
        with RawConnection(port) as connection:
            connection.send(request("GET", "/pieces") + request("HEAD", "/pieces") + request("GET", "/echo?after"))
            return [connection.read(), connection.read(head=True), connection.read()]

    async with serving(make_app(Events()), http_parser=transport) as port:
        chunked, head, after = await asyncio.to_thread(pipelined, port)
    assert chunked.status == 200 and chunked.body == b"one,two,three"
    assert chunked.headers.get("transfer-encoding") == "chunked" and "content-length" not in chunked.headers
    assert head.status == 200 and head.body == b""
    assert json_of(after.body)["query"] == "after", "the connection did not go on after the chunked answer"


async def test_http_1_0_gets_the_pieces_unchunked_up_to_the_close(transport: str) -> None:
    def exchange(port: int) -> tuple[int, dict[str, str], bytes]:
        with RawConnection(port) as connection:
            connection.send(b"GET /pieces HTTP/1.0\r\n\r\n")
            status, headers = connection.read_head()
            return status, headers, connection.read_to_close()

    async with serving(make_app(Events()), http_parser=transport) as port:
        status, headers, body = await asyncio.to_thread(exchange, port)
    assert status == 200 and "transfer-encoding" not in headers
    assert body == b"one,two,three"
