"""Protections every handler gets from `CustomRequestHandler`: security headers on every answer, the optional
API token on write methods, and the optional per-request time limit."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable

from tornado import httputil
from tornado.ioloop import IOLoop
from tornado.web import RequestHandler

from src.model.errors import UnauthorizedError

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WWW_AUTHENTICATE = 'Bearer realm="tornado-boilerplate"'
HSTS = "max-age=31536000"


def security_headers(tls: bool) -> tuple[tuple[str, str], ...]:
    """No MIME sniffing, no referrer leaking to other sites, and HSTS over TLS (the handler also drops the
    `Server` header, so no server version is sent)."""
    headers = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"))
    return (*headers, ("Strict-Transport-Security", HSTS)) if tls else headers


def check_api_token(request: httputil.HTTPServerRequest, token: str | None) -> None:
    """With a token configured, write methods need `Authorization: Bearer <token>` (compared in constant time);
    401 otherwise. Reads, preflights and probes stay open."""
    if token is None or request.method not in WRITE_METHODS:
        return
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(credentials.strip().encode(), token.encode()):
        raise UnauthorizedError("this method requires the API token: Authorization: Bearer <token>")


class RequestDeadline:
    """Calls `on_expiry` if the request is still unanswered after `seconds` (--request_timeout)."""

    def __init__(self, seconds: float, on_expiry: Callable[[], None]) -> None:
        self._handle = IOLoop.current().call_later(seconds, on_expiry) if seconds > 0 else None

    def cancel(self) -> None:
        if self._handle is not None:
            IOLoop.current().remove_timeout(self._handle)
            self._handle = None


def log_slow_handler(handler: RequestHandler, seconds: float) -> None:
    logging.getLogger("tornado_boilerplate.server").warning(
        "slow handler %s: %s %s unanswered after %g s (--request_timeout); answered 503",
        type(handler).__name__, handler.request.method, handler.request.path, seconds)
