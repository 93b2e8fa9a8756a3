"""Raw HTTP calls for the integration tests: exact status lines and headers, like `curl -i` shows them."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any


@dataclass
class Answer:
    status: int
    reason: str
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def call(port: int, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None,
         timeout: float = 10.0) -> Answer:
    """One request on a fresh connection; `curl -d` style: a body is sent as form-urlencoded."""
    sent = {"User-Agent": "curl/8.5.0", "Accept": "*/*", **(headers or {})}
    if body is not None:
        sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return Answer(response.status, response.reason, response.headers, response.read())
    finally:
        connection.close()
