"""`build_document(routes, descriptions)`: the OpenAPI 3.1 document of exactly the routes given (the running
Application's).

The paths come from the route table, the methods from what each handler class implements, the bodies from the
models' schemas; the words come from the running features' descriptions (`Feature.openapi`, gathered by
`Router.openapi`). A route, or a method, with no description there, and a description of a route or method the
code lacks, raise `DocumentDriftError`: the document cannot silently fall behind the code (the drift test builds it
from the Router's table).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from http.client import responses as reason_phrases
from typing import Any

from tornado.web import RequestHandler, StaticFileHandler

from src.model.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from src.request_handlers.openapi.describe import JSON, Operation, PathDescriptions, operation_id, ref
from src.request_handlers.openapi.schemas import SCHEMAS
from src.utils.route_templates import route_templates

TITLE = "tornado-boilerplate"
VERSION = "1.0"
TAGS = (("tasks", "The todo-list API"), ("probes", "Liveness, readiness and metrics"),
        ("examples", "The boilerplate's examples: CORS, an outbound call, a distributed lock"),
        ("resources", "The CRUD example"),
        ("docs", "This description"), ("pages", "HTML pages"), ("http", "OPTIONS of every path"))
ERROR_STATUSES = (400, 404, 409, 412, 413, 415, 502, 503, 504)
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# One path segment; control characters (even percent-encoded) are refused with a 400 before routing.
_PATH_SEGMENT = {"type": "string", "minLength": 1, "pattern": r"^[^\u0000-\u001f\u007f]+$"}

# If-Match: `*` or a list of entity tags, weak or strong (RFC 9110 8.8.3), bare tokens read as strong tags; anything
# else matches nothing (a 412). If-None-Match has no pattern: a malformed one is ignored, not refused.
_TAG = r'((W/)?"[!#-~]*"|[!#-+\--~]+)'
_ENTITY_TAGS = rf"^(\*|{_TAG}([ \t]*,[ \t]*{_TAG})*)$"


class DocumentDriftError(Exception):
    """The routes of the code and the features' OpenAPI descriptions disagree."""


def implemented_methods(handler: type[RequestHandler], template: str | None = None) -> list[str]:
    """The HTTP methods a handler class really answers (overrides RequestHandler's default); at `template`,
    for a handler serving two paths (`METHODS_BY_TEMPLATE`, the spec's optional-id route)."""
    by_template: dict[str, tuple[str, ...]] = getattr(handler, "METHODS_BY_TEMPLATE", {})
    allowed = by_template.get(template or "", handler.SUPPORTED_METHODS)
    return [method for method in _METHODS if method in allowed and method in handler.SUPPORTED_METHODS
            and getattr(handler, method.lower(), None) is not getattr(RequestHandler, method.lower(), None)]


def build_document(routes: Iterable[tuple[str, type[RequestHandler]]],
                   descriptions: PathDescriptions) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for pattern, handler in routes:
        if issubclass(handler, StaticFileHandler):  # files under views/static, not part of the API
            continue
        for template in route_templates(pattern):
            if template in paths:
                continue  # another pattern of the same path (a trailing slash variant)
            paths[template] = _path_item(template, implemented_methods(handler, template), descriptions)
    described_only = sorted(set(descriptions) - set(paths))
    if described_only:
        raise DocumentDriftError(f"described in the features' OpenAPI descriptions but not routed: {described_only}")
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION,
                 "description": "Every error answers the Error shape with its status. Every answer carries "
                                "X-Request-ID (the request's own when well formed, else a new one)."},
        "tags": [{"name": name, "description": description} for name, description in TAGS],
        "paths": paths,
        "components": _components(),
    }


def _path_item(template: str, methods: list[str], descriptions: PathDescriptions) -> dict[str, Any]:
    described = dict(descriptions.get(template) or {})
    path_parameters: dict[str, str] = described.pop("parameters", {})
    if not described:
        raise DocumentDriftError(f"route {template} has no description in the features' OpenAPI descriptions")
    code = {method.lower() for method in methods}
    if set(described) != code:
        raise DocumentDriftError(f"route {template}: the code answers {sorted(code)}, the features' OpenAPI "
                                 f"descriptions describe {sorted(described)}")
    item: dict[str, Any] = {method: _operation(template, method, described[method]) for method in sorted(described)}
    names = re.findall(r"\{(\w+)\}", template)
    if names:
        item["parameters"] = [{"name": name, "in": "path", "required": True, "schema": _PATH_SEGMENT,
                               "description": path_parameters.get(name, name)} for name in names]
    item["options"] = _operation(template, "options", {
        "summary": "Which methods this path accepts (and the CORS preflight)", "tags": ["http"],
        "responses": {"204": {"description": "No body; the Allow header lists the methods",
                              "headers": {"X-Request-ID": ref("headers", "X-Request-ID"),
                                          "Allow": ref("headers", "Allow")}}}})
    return item


def _operation(template: str, method: str, described: Operation) -> Operation:
    operation = copy.deepcopy(described)
    operation["operationId"] = operation_id(template, method)
    operation["parameters"] = [*operation.get("parameters", ()), *(ref("parameters", name) for name in (
        "X-Request-ID", "traceparent", "tracestate"))]
    # Anything else (a malformed request line or body, headers too large, a timeout): the Error shape.
    operation["responses"].setdefault("default", ref("responses", "Error"))
    return operation


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "headers": {"X-Request-ID": ref("headers", "X-Request-ID")},
            "content": {JSON: {"schema": ref("schemas", "Error")}}}


def _components() -> dict[str, Any]:
    responses = {f"Error{status}": _error_response(reason_phrases[status]) for status in ERROR_STATUSES}
    responses["Error"] = _error_response("An error, in the one error shape")
    return {
        "schemas": copy.deepcopy(SCHEMAS),
        "responses": responses,
        "parameters": {
            "X-Request-ID": {"name": "X-Request-ID", "in": "header", "required": False,
                             "description": "Reused for the answer and the logs when well formed "
                                            "(1-128 of A-Z a-z 0-9 . _ : -); any other value is replaced",
                             "schema": {"type": "string"}},
            # An empty value (`?limit=`) means the default, as a missing one does.
            "traceparent": {"name": "traceparent", "in": "header", "required": False,
                            "schema": {"type": "string"},
                            "description": "W3C trace context: a valid one gives the request its trace id (logged "
                                           "as trace_id, forwarded on outbound calls); any other value is ignored"},
            "tracestate": {"name": "tracestate", "in": "header", "required": False, "schema": {"type": "string"},
                           "description": "W3C trace state, forwarded unchanged with a valid traceparent"},
            "Limit": {"name": "limit", "in": "query", "required": False, "allowEmptyValue": True,
                      "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE,
                                 "default": DEFAULT_PAGE_SIZE}},
            "Offset": {"name": "offset", "in": "query", "required": False, "allowEmptyValue": True,
                       "schema": {"type": "integer", "minimum": 0, "default": 0}},
            "If-Match": {"name": "If-Match", "in": "header", "required": False,
                         "schema": {"type": "string", "pattern": _ENTITY_TAGS},
                         "description": "Write only if the current ETag is one of these (or `*`); else 412"},
            "If-None-Match": {"name": "If-None-Match", "in": "header", "required": False,
                              "schema": {"type": "string"},
                              "description": "304 with no body when the current ETag is one of these"},
        },
        "headers": {
            "X-Request-ID": {"required": True, "description": "The request's id, also on its log lines",
                             "schema": ref("schemas", "RequestId")},
            "ETag": {"required": True, "description": "The representation's entity tag", "schema": {"type": "string"}},
            "X-Total-Count": {"required": True, "description": "How many items the list holds in all (those its "
                                                                   "filters match)",
                              "schema": {"type": "integer", "minimum": 0}},
            "Location": {"required": True, "description": "The new task's URL", "schema": {"type": "string"}},
            "Allow": {"required": True, "description": "The methods this path accepts", "schema": {"type": "string"}},
        },
    }
