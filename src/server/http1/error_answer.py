"""A whole HTTP/1.1 error answer, written by the transport itself when no handler can answer: a request it
refuses or cannot parse. The body is the project's one error shape; the connection closes after it."""

from __future__ import annotations

from http import HTTPStatus

from src.request_handlers.json_body import encode_json
from src.utils.logging.request_context import new_request_id


def error_answer(status: int, message: str, method: str | None = None, uri: str | None = None,
                 retry_after: int | None = None) -> bytes:
    """The bytes of a `status` answer with a JSON body and `Connection: close`."""
    request_id = new_request_id()
    body = encode_json({"code": status, "message": message, "method": method, "uri": uri,
                        "request_id": request_id}).encode()
    retry = b"Retry-After: %d\r\n" % retry_after if retry_after is not None else b""
    return (b"HTTP/1.1 %d %s\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: %d\r\n"
            b"Connection: close\r\n%sX-Content-Type-Options: nosniff\r\nX-Request-ID: %s\r\n\r\n%s"
            % (status, HTTPStatus(status).phrase.encode(), len(body), retry, request_id.encode(), body))
