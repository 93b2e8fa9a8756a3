"""A raw HTTP/1.1 client over one socket, for requests no HTTP library would send (bad framing, NUL bytes,
huge headers) and for watching what happens to the connection after an answer."""

from __future__ import annotations

import json
import socket
import ssl
from dataclasses import dataclass
from typing import Any


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def closes(self) -> bool:
        return self.headers.get("connection", "").lower() == "close"


class RawConnection:
    """`with RawConnection(port) as connection: connection.send(b"GET / HTTP/1.1\\r\\n..."); connection.read()`.

    `tls` speaks TLS over the socket; `source` is the local address to connect from (another 127.x address
    stands for another client)."""

    def __init__(self, port: int, timeout: float = 10.0, host: str = "127.0.0.1",
                 tls: ssl.SSLContext | None = None, source: str | None = None) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        if tls is not None:
            self.sock = tls.wrap_socket(self.sock, server_hostname=host)
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read(self, head: bool = False) -> RawResponse:
        """One response (Content-Length or chunked body; none to a HEAD request, `head`), interim 1xx answers
        skipped; ConnectionError if the server closed without one."""
        status = 100
        while status < 200:
            status, headers = self.read_head()
        if head or status in (204, 304):
            body = b""
        elif "content-length" in headers:
            body = self._read_exactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = self._read_chunks()
        else:
            body = b""
        return RawResponse(status, headers, body)

    def read_head(self) -> tuple[int, dict[str, str]]:
        """The status and headers of the next answer, interim (1xx) ones included; the body is left unread."""
        lines = self._read_until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(lines[0].split(" ")[1]), headers

    def read_to_close(self) -> bytes:
        """Everything the server sends until it closes the connection (a body framed by the close)."""
        data, self.buffer = self.buffer, b""
        while chunk := self.sock.recv(65536):
            data += chunk
        return data

    def exchange(self, data: bytes) -> RawResponse:
        self.send(data)
        return self.read()

    def is_closed_by_server(self, wait: float = 5.0) -> bool:
        """True when the server has closed its side (EOF or reset) within `wait` seconds."""
        if self.buffer:
            return False
        self.sock.settimeout(wait)
        try:
            return self.sock.recv(1) == b""
        except TimeoutError:
            return False
        except ConnectionError:
            return True

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> RawConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection without an answer")
        self.buffer += chunk

    def _read_until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            self._fill()
        head, _, self.buffer = self.buffer.partition(marker)
        return head

    def _read_exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def _read_chunks(self) -> bytes:
        body = b""
        while True:
            size = int(self._read_until(b"\r\n").split(b";")[0], 16)
            if size == 0:
                self._read_until(b"\r\n")
                return body
            body += self._read_exactly(size)
            self._read_exactly(2)


def request(method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b"",
            host: str = "test") -> bytes:
    """The bytes of one request; Content-Length is added for a body unless `headers` frame it themselves."""
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
    framing = {name.lower() for name in headers or {}} & {"content-length", "transfer-encoding"}
    if body and not framing:
        lines.append(f"Content-Length: {len(body)}")
    lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
