"""The canonical request line: the Application's `log_function`, one logfmt line per request.

    req_id=3f2a... method=GET uri=/tasks/42 ip=127.0.0.1 message=RESPONSE status=404 time_ms=1.23
    service_name=tornado-boilerplate trace_id=4bf9... reason="no task 42" task_id=42

(the tutorial's fields). With DEBUG enabled, `log_request_arrival` also writes a
`message=REQUEST` line as each request arrives, before it is handled; when DEBUG is off it costs one level check.

It goes to the `tornado.access` logger at INFO below 400, WARNING for 4xx, ERROR for 5xx; an unexpected
exception's traceback (`CustomRequestHandler.error_exc_info`) rides on the same record, so it reaches the log
and never the client. Successful health probes (`/ping`, `/health`) and scrapes (`/metrics`) are logged at DEBUG
unless `--log_health_checks` is set, so load balancers and Prometheus polling them do not flood the log.

This runs once per request, so it is written for speed: the message is built with one f-string (values escaped
only when they need it) and the record is handed to the logger directly, skipping the caller look-up that
`Logger.info` does.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from types import TracebackType
from typing import Any

from tornado.httputil import HTTPServerRequest
from tornado.web import RequestHandler

from src.utils.logging import logfmt, request_context
from src.utils.logging.direct_route import DirectRoute
from src.utils.logging.record_attributes import process_id, service_name, service_name_field, worker_label

HEALTH_CHECK_PATHS = frozenset({"/ping", "/health", "/metrics"})
# Keys of the canonical line; a request field with one of these names is written as `field_<name>`.
CANONICAL_KEYS = frozenset({"req_id", "method", "uri", "status", "time_ms", "ip", "message", "service_name",
                            "trace_id"})

_access_logger = logging.getLogger("tornado.access")
# The methods a request almost always has, known to need no quoting: a look-up instead of the check.
_PLAIN_METHODS: dict[str | None, str] = {method: method for method in
                                         ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")}
_value = logfmt.format_value
_LEVEL_NAMES = {level: logging.getLevelName(level) for level in (logging.DEBUG, logging.INFO, logging.WARNING,
                                                                 logging.ERROR)}
_LOGGING_STARTED: float = getattr(logging, "_startTime", time.time())
_CONSTANT_ATTRIBUTES = {
    "name": _access_logger.name,
    "args": None,
    "pathname": __file__,
    "filename": os.path.basename(__file__),
    "module": "access_log",
    "exc_text": None,
    "stack_info": None,
    "lineno": 0,
    "funcName": "log_request",
    "processName": "MainProcess",
    "logfmt": True,
    "request_fields": None,
}
ExcInfo = tuple[type[BaseException], BaseException, TracebackType]


def log_request(handler: RequestHandler) -> None:
    """Write the canonical line for a finished request (Tornado calls this from `RequestHandler.finish`)."""
    status = handler.get_status()
    request = handler.request
    if status < 400:
        level = logging.INFO
        if request.path in HEALTH_CHECK_PATHS:
            context = handler.settings.get("context")
            level = logging.INFO if context is not None and context.logging.health_checks else logging.DEBUG
    elif status < 500:
        level = logging.WARNING
    else:
        level = logging.ERROR
    if not _access_logger.isEnabledFor(level):
        return

    request_id = getattr(handler, "request_id", None) or _request_id_of(handler)
    method = request.method
    message = (f"req_id={_value(request_id)} method={_PLAIN_METHODS.get(method) or _value(method)} "
               f"uri={_value(request.uri)} ip={_value(request.remote_ip)} message=RESPONSE status={status} "
               f"time_ms={request.request_time() * 1000:.2f} {service_name_field()}")
    trace = getattr(handler, "trace_context", None)
    if trace is not None:  # 32 hex digits: never needs escaping
        message += f" trace_id={trace.trace_id}"
    fields: dict[str, Any] | None = getattr(handler, "log_fields", None)
    if fields:
        message += " " + logfmt.format_pairs(
            (f"field_{key}" if key in CANONICAL_KEYS else key, value) for key, value in fields.items())

    exc_info = getattr(handler, "error_exc_info", None)
    if exc_info is not None or not _route.write(level, message):
        _access_logger.handle(CanonicalRecord(level, message, exc_info, request_id))


def log_request_arrival(request: HTTPServerRequest, request_id: str) -> None:
    """The tutorial's DEBUG line as a request arrives: `req_id=... method=GET uri=/tasks ip=... message=REQUEST`."""
    if not _access_logger.isEnabledFor(logging.DEBUG):
        return
    method = request.method
    message = (f"req_id={_value(request_id)} method={_PLAIN_METHODS.get(method) or _value(method)} "
               f"uri={_value(request.uri)} ip={_value(request.remote_ip)} message=REQUEST {service_name_field()}")
    if not _route.write(logging.DEBUG, message):
        _access_logger.handle(CanonicalRecord(logging.DEBUG, message, None, request_id))


class CanonicalRecord(logging.LogRecord):
    """The record of a canonical line: every standard LogRecord attribute, set directly (the standard
    constructor also derives the module from the path, looks up thread and process names and more, which was
    a third of the line's cost). `logfmt = True` tells formatters the message is already `key=value` pairs."""

    def __init__(self, level: int, message: str, exc_info: ExcInfo | None, request_id: str) -> None:
        now = time.time()
        # A copy of a prebuilt dict with every key in place, then item assignments: cheaper than a new dict.
        attributes = _RECORD_TEMPLATE.copy()
        attributes["msg"] = message
        attributes["levelno"] = level
        attributes["levelname"] = _LEVEL_NAMES[level]
        attributes["exc_info"] = exc_info
        attributes["created"] = now
        attributes["msecs"] = (now - int(now)) * 1000
        attributes["relativeCreated"] = (now - _LOGGING_STARTED) * 1000
        attributes["thread"] = threading.get_ident()
        attributes["threadName"] = threading.current_thread().name
        attributes["process"] = process_id()
        attributes["worker"] = worker_label()
        attributes["service_name"] = service_name()
        attributes["req_id"] = request_id
        self.__dict__ = attributes


# Every attribute of a CanonicalRecord in its order, the per-record ones as placeholders.
_RECORD_TEMPLATE: dict[str, Any] = {
    **_CONSTANT_ATTRIBUTES,
    **dict.fromkeys(("msg", "levelno", "levelname", "exc_info", "created", "msecs", "relativeCreated", "thread",
                     "threadName", "process", "worker", "service_name", "req_id")),
}


# Where the lines go when the handlers allow it (the default set-up): straight into the buffered handlers.
_route = DirectRoute(_access_logger, _CONSTANT_ATTRIBUTES)


def _request_id_of(handler: RequestHandler) -> str:
    """Handlers not derived from CustomRequestHandler (static files): the incoming id if well formed, else new."""
    incoming = handler.request.headers.get("X-Request-ID")
    if incoming is not None and request_context.well_formed_request_id(incoming):
        return incoming
    return request_context.new_request_id()
