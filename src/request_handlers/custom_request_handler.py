"""`CustomRequestHandler`: the parent of every handler in this project.

It centralises what each endpoint would otherwise repeat: JSON success responses (`make_response`), one JSON
error shape for every error (`write_error` for raised errors, `make_error_response` to answer one without
raising), JSON body parsing with precise 400s, entity tags and conditional requests (`If-Match`,
`If-None-Match`), a request-body size limit answered with a JSON 413, CORS per handler (`CORS_ENABLED`),
preflight `OPTIONS` and the request id. Handlers get the services they use through `initialize()` from the
route table, never from globals.
"""

from __future__ import annotations

import traceback
from collections.abc import Awaitable
from http.client import responses as http_reasons
from types import TracebackType
from typing import Any, cast

from tornado import httputil
from tornado.concurrent import Future
from tornado.web import Application, HTTPError, RequestHandler, stream_request_body

from src.lifecycle import NotStartedError
from src.model.errors import (
    ApiError,
    PayloadTooLargeError,
    RequestTimeoutError,
    ServiceUnavailableError,
    UnsupportedMediaTypeError,
)
from src.model.json_types import JSONText
from src.request_handlers import request_framing
from src.request_handlers.conditional_requests import ConditionalRequests
from src.request_handlers.error_messages import ExcInfo, client_message, exc_info_of
from src.request_handlers.http_date import HTTPDate
from src.request_handlers.json_body import encode_json, parse_json_object
from src.request_handlers.query_arguments import QueryArguments
from src.request_handlers.request_guards import (
    WWW_AUTHENTICATE,
    RequestDeadline,
    check_api_token,
    log_slow_handler,
    security_headers,
)
from src.request_handlers.tracked_connection import TrackedConnection
from src.settings import ApplicationContext
from src.utils.logging import request_context
from src.utils.logging.access_log import log_request_arrival
from src.utils.logging.trace_context import TraceContext, incoming_trace

# Bodies larger than the limit but announced with Content-Length are refused before they are read; a chunked
# body is counted as it arrives. Either way the client gets a JSON 413 and the connection is closed.
_UNLIMITED = 2**62
_CORS_ALLOWED_HEADERS = "Content-Type, Authorization, X-Request-ID, If-Match, If-None-Match"
MERGE_PATCH_TYPES = ("application/merge-patch+json", "application/json")
_CORS_EXPOSED_HEADERS = "Location, ETag, X-Request-ID, X-Total-Count"
_http_date = HTTPDate()
JSON_CONTENT_TYPE = "application/json; charset=UTF-8"


@stream_request_body
class CustomRequestHandler(ConditionalRequests, QueryArguments):
    """Base request handler: subclass it, set `SUPPORTED_METHODS`/`CORS_ENABLED`, define `get`/`post`/..."""

    CORS_ENABLED = False
    #: Sent on every answer of the handler, errors included; a handler that serves HTML sets its own.
    CONTENT_SECURITY_POLICY: str | None = None

    request_id: str
    trace_context: TraceContext
    log_fields: dict[str, Any]
    error_exc_info: ExcInfo | None = None

    def __init__(self, application: Application, request: httputil.HTTPServerRequest, **kwargs: Any) -> None:
        super().__init__(application, request, **kwargs)
        # Graceful shutdown waits for this count to reach zero.
        self._in_flight = self.settings.get("in_flight")
        if self._in_flight is not None:
            self._in_flight.enter()

    def finish(self, chunk: str | bytes | dict[str, Any] | None = None) -> Future[None]:
        try:
            return super().finish(chunk)
        finally:
            self._leave_in_flight()

    def on_connection_close(self) -> None:
        super().on_connection_close()
        self._leave_in_flight()

    def _leave_in_flight(self) -> None:
        if self._in_flight is not None:
            self._in_flight.leave()
            self._in_flight = None

    # ---- settings and process-wide objects -------------------------------------------------------------------

    @property
    def context(self) -> ApplicationContext:
        context: ApplicationContext = self.application.settings["context"]  # not cast(): a call per request
        return context

    # ---- request set-up ---------------------------------------------------------------------------------------

    def clear(self) -> None:
        """Tornado's `clear()` (on creation, and when an error replaces the answer) without its `Server` header
        (no server version on the wire) and with the `Date` text made once a second, not formatted per answer."""
        headers = self._headers = httputil.HTTPHeaders()
        headers["Content-Type"] = "text/html; charset=UTF-8"
        headers["Date"] = _http_date.now()
        self.set_default_headers()
        self._write_buffer = []
        self._status_code = 200
        self._reason = "OK"

    def set_default_headers(self) -> None:
        # Called by clear(), so the request id and the CORS headers are on every response, errors included.
        if "request_id" not in self.__dict__:
            self._start_request()
        headers = self._headers
        # Set directly, without set_header's per-value check: the id is ours or matched REQUEST_ID_PATTERN, and
        # the other values are this class's constants.
        headers["X-Request-ID"] = self.request_id
        key = (type(self), self._server.ssl)
        fixed = _FIXED_HEADERS.get(key) or _FIXED_HEADERS.setdefault(key, _fixed_headers(*key))
        for name, value in fixed:
            headers[name] = value
        if self.CORS_ENABLED:
            self._set_cors_headers()

    def _start_request(self) -> None:
        """What a request needs before anything else runs: its id, its trace, its log fields."""
        self._server = self.context.server
        headers = self.request.headers
        incoming = request_framing.header_value(headers, "X-Request-ID")
        well_formed = incoming is not None and request_context.well_formed_request_id(incoming)
        new_request_id, new_trace_id = request_context.new_request_and_trace_ids()
        self.request_id = incoming if well_formed and incoming else new_request_id
        self.trace_context = incoming_trace(headers, new_trace_id)
        self.log_fields = {}
        self._body_chunks: list[bytes] = []
        self._body_size = 0

    def prepare(self) -> Awaitable[None] | None:
        # Runs in the request's own task (set_default_headers may not), so the context is (re)bound here.
        request_context.bind(self.request_id, self.log_fields, self.trace_context)
        if self.path_kwargs:
            request_context.add_path_ids(self.path_kwargs)  # `task_id=...` on the log line of `/tasks/{task_id}`
        request = self.request
        log_request_arrival(request, self.request_id)
        # Framing is checked here, before anything uses it, so a malformed request gets a JSON 4xx and not
        # Tornado's bare 400 (or a 500 from parsing it ourselves).
        request_framing.check_request(request)
        server = self._server
        check_api_token(request, server.api_token)
        if server.request_timeout > 0:
            self._deadline = RequestDeadline(server.request_timeout, self._answer_request_timeout)
        limit = server.max_body_size
        declared = request_framing.declared_length(request.headers)
        connection = request.connection
        if isinstance(connection, TrackedConnection):
            connection.on_body_stalled(self._answer_body_timeout)
        if declared is not None and declared > limit:
            # Let Tornado drain instead of answering a plain-text 400; our 413 closes the connection anyway.
            if connection is not None and hasattr(connection, "set_max_body_size"):
                connection.set_max_body_size(declared)
            raise PayloadTooLargeError(f"request body is {declared} bytes; the limit is {limit}")
        if (declared is None and "Transfer-Encoding" in request.headers and connection is not None
                and hasattr(connection, "set_max_body_size")):
            connection.set_max_body_size(_UNLIMITED)  # chunked: data_received enforces the limit
        return None

    def data_received(self, chunk: bytes) -> None:
        if self._finished:
            return
        self._body_size += len(chunk)
        if self._body_size > self._server.max_body_size:
            self._body_chunks.clear()
            self.send_error(413, exc_info=exc_info_of(PayloadTooLargeError(
                f"request body exceeds the limit of {self._server.max_body_size} bytes")))
            return
        self._body_chunks.append(chunk)

    def _answer_request_timeout(self) -> None:
        if not self._finished:
            seconds = self.context.server.request_timeout
            log_slow_handler(self, seconds)
            self.send_error(503, exc_info=exc_info_of(ServiceUnavailableError(
                f"the request took longer than {seconds:g} s")))

    def on_finish(self) -> None:
        super().on_finish()
        deadline: RequestDeadline | None = self.__dict__.get("_deadline")
        if deadline is not None:
            deadline.cancel()

    def _answer_body_timeout(self) -> None:
        if not self._finished:
            self.send_error(408, exc_info=exc_info_of(RequestTimeoutError(
                f"the request body did not arrive within {self.context.server.body_timeout:g} s")))

    @property
    def body(self) -> bytes:
        """The whole request body (handlers stream their bodies so the size limit can be enforced)."""
        if len(self._body_chunks) != 1:
            self._body_chunks = [b"".join(self._body_chunks)]
        return self._body_chunks[0]

    def json_body(self) -> dict[str, object]:
        """The body as a JSON object; a 400 says exactly what is wrong with it otherwise."""
        return parse_json_object(self.body)

    def merge_patch_body(self) -> dict[str, object]:
        """A JSON merge patch (RFC 7396) body: `application/merge-patch+json` or `application/json`, else 415."""
        media_type = self.request.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if media_type not in MERGE_PATCH_TYPES:
            raise UnsupportedMediaTypeError(
                f"Content-Type must be {' or '.join(MERGE_PATCH_TYPES)} (got {media_type or 'none'})")
        return self.json_body()

    # ---- responses --------------------------------------------------------------------------------------------

    def set_header(self, name: str, value: Any) -> None:
        # Nearly every value is printable ASCII text (tags, locations, counts as text), which Tornado's
        # conversion and check of the value would pass: set as it is. Anything else goes through both.
        if type(value) is str and value.isascii() and value.isprintable():
            self._headers[name] = value
        else:
            super().set_header(name, value)

    def make_response(self, response_body: Any = None, status_code: int = 200,
                      headers: dict[str, str] | None = None) -> None:
        """Finish the request with `response_body` as JSON (no body for None, 204 and 304); a `JSONText` is
        JSON already and goes out as it is."""
        self.set_status(status_code)
        for name, value in (headers or {}).items():
            self.set_header(name, value)
        if response_body is None or status_code in (204, 304):
            # No body to describe (Tornado's default would say text/html); finish() drops it from a 204 or 304.
            if status_code not in (204, 304) and (not headers or "Content-Type" not in headers):
                self.clear_header("Content-Type")
            self.finish()
            return
        self._headers["Content-Type"] = JSON_CONTENT_TYPE  # a constant: without set_header's check of the value
        self.finish(response_body if isinstance(response_body, JSONText) else encode_json(response_body))

    def make_error_response(self, status_code: int, message: str | None = None,
                            headers: dict[str, str] | None = None) -> None:
        """Finish the request with an error in the one error shape, without raising: for a handler that knows
        the answer is an error (`self.make_error_response(409, "already booked")`). `message` defaults to the
        standard reason phrase; it is also the canonical log line's `reason`."""
        if not 400 <= status_code <= 599:
            raise ValueError(f"make_error_response needs a 4xx or 5xx status, not {status_code}")
        self.set_status(status_code)
        for name, value in (headers or {}).items():
            self.set_header(name, value)
        self._write_error_body(status_code, message or http_reasons.get(status_code, "Unknown Error"), None)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        methods = cls.SUPPORTED_METHODS
        if "GET" in methods and "HEAD" not in methods:
            at = methods.index("GET") + 1
            cls.SUPPORTED_METHODS = (*methods[:at], "HEAD", *methods[at:])

    def head(self, *args: Any, **kwargs: Any) -> Awaitable[None] | None:
        """HEAD wherever GET: the GET answer, headers and all; Tornado sends it without the body."""
        return self.get(*args, **kwargs)

    def options(self, *args: Any, **kwargs: Any) -> None:
        """Answer preflight (and plain) OPTIONS: which methods this resource accepts."""
        allowed = ", ".join(self._implemented_methods())
        self.set_header("Allow", allowed)
        if self.CORS_ENABLED:
            self.set_header("Access-Control-Allow-Methods", allowed)
            self.set_header("Access-Control-Allow-Headers", _CORS_ALLOWED_HEADERS)
            self.set_header("Access-Control-Max-Age", "600")
        self.set_status(204)
        self.finish()

    def check_etag_header(self) -> bool:
        # Most requests send no If-None-Match: answered without Tornado's look-ups (HTTPHeaders.get answers a
        # missing header by raising KeyError) and its regular expression.
        return "If-None-Match" in self.request.headers and super().check_etag_header()

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """The one error shape: {code, message, method, uri, request_id[, trace]} for every error."""
        exc_info = cast("ExcInfo | None", kwargs.get("exc_info"))
        error = exc_info[1] if exc_info else None
        message = client_message(status_code, error)
        if isinstance(error, ApiError):
            self.log_fields.update(error.fields)
        if status_code == 405:
            self.set_header("Allow", ", ".join(self._implemented_methods()))
        if status_code == 401:
            self.set_header("WWW-Authenticate", WWW_AUTHENTICATE)
        self._write_error_body(status_code, message, exc_info)

    def _write_error_body(self, status_code: int, message: str, exc_info: ExcInfo | None) -> None:
        self.log_fields.setdefault("reason", message)
        body: dict[str, Any] = {
            "code": status_code,
            "message": message,
            "method": self.request.method,
            "uri": self.request.uri,
            "request_id": self.request_id,
        }
        if exc_info and self.context.server.traces_to_client:
            body["trace"] = "".join(traceback.format_exception(*exc_info))
        self._headers["Content-Type"] = JSON_CONTENT_TYPE
        self.finish(encode_json(body))

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        if exc_info and isinstance(exc_info[1], NotStartedError):  # before start-up or after shutdown
            kwargs["exc_info"] = exc_info = exc_info_of(ServiceUnavailableError(exc_info[1].public_message))
        if exc_info and isinstance(exc_info[1], ApiError):
            status_code = exc_info[1].status
        super().send_error(status_code, **kwargs)

    def log_exception(self, typ: type[BaseException] | None, value: BaseException | None,
                      tb: TracebackType | None) -> None:
        # Expected errors (ApiError, HTTPError) are reported by the canonical log line alone; anything else is a
        # bug whose traceback the canonical line carries at ERROR level (and never the client outside debug).
        if isinstance(value, ApiError | HTTPError):
            return
        if typ is not None and value is not None and tb is not None:
            self.error_exc_info = (typ, value, tb)

    # ---- helpers ----------------------------------------------------------------------------------------------

    def _implemented_methods(self) -> list[str]:
        own = [m for m in self.SUPPORTED_METHODS
               if getattr(type(self), m.lower(), None) is not getattr(RequestHandler, m.lower(), None)]
        return own if "OPTIONS" in own else [*own, "OPTIONS"]

    def _set_cors_headers(self) -> None:
        # `Vary: Origin` is one of the class's fixed headers (`_fixed_headers`).
        origins = self._server.cors_origins
        if "*" in origins:
            self._headers["Access-Control-Allow-Origin"] = "*"
            return
        origin = request_framing.header_value(self.request.headers, "Origin")
        if origin is not None and origin.rstrip("/") in origins:
            self.set_header("Access-Control-Allow-Origin", origin)
            self.set_header("Access-Control-Allow-Credentials", "true")


# Per handler class and TLS: the headers of `_fixed_headers`, worked out on its first request.
_FIXED_HEADERS: dict[tuple[type[CustomRequestHandler], bool], tuple[tuple[str, str], ...]] = {}


def _fixed_headers(handler_class: type[CustomRequestHandler], tls: bool) -> tuple[tuple[str, str], ...]:
    """The headers every answer of `handler_class` carries, whatever the request."""
    fixed = security_headers(tls)
    if handler_class.CONTENT_SECURITY_POLICY:
        fixed += (("Content-Security-Policy", handler_class.CONTENT_SECURITY_POLICY),)
    if handler_class.CORS_ENABLED:
        fixed += (("Access-Control-Expose-Headers", _CORS_EXPOSED_HEADERS), ("Vary", "Origin"))
    return fixed
