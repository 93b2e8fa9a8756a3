"""What each route answers, per method: parameters, bodies, statuses and headers. Keyed by route template
(`route_template` of the Router's pattern); `document` fails when a route or method of the code is missing here,
or when this names one the code lacks. OPTIONS (and HEAD, when a GET exists) are added for every path there."""

from __future__ import annotations

from typing import Any

Operation = dict[str, Any]

JSON = "application/json"


def ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def answer(description: str, schema: str | None = None, *, headers: tuple[str, ...] = (),
           media_type: str = JSON, raw_schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """A response; every one carries X-Request-ID (and the trace context headers, added by `document`)."""
    response: dict[str, Any] = {"description": description,
                                "headers": {name: ref("headers", name) for name in ("X-Request-ID", *headers)}}
    if schema is not None or raw_schema is not None:
        chosen = raw_schema if raw_schema is not None else ref("schemas", schema or "")
        response["content"] = {media_type: {"schema": chosen}}
    return response


def operation_id(template: str, method: str) -> str:
    """`getTasksTaskId` for GET /tasks/{task_id}: the operationId `document` gives, and links refer to."""
    return method + "".join(part.strip("{}").replace(".", "_").title().replace("_", "")
                            for part in template.split("/")) or f"{method}Root"


def conditional_write_links(template: str, id_name: str, *methods: str) -> dict[str, Any]:
    """Links from a read to the writes of the same item under `If-Match` holding the ETag just read (how a
    client avoids a lost update; the stateful contract test follows them)."""
    return {f"{method.title()}IfUnchanged": {
        "operationId": operation_id(template, method),
        "parameters": {id_name: f"$request.path.{id_name}", "header.If-Match": "$response.header.ETag"}}
        for method in methods}


def errors(*codes: int) -> dict[str, Any]:
    return {str(code): ref("responses", f"Error{code}") for code in codes}


def body(schema: str, *media_types: str) -> dict[str, Any]:
    return {"required": True, "content": {media_type: {"schema": ref("schemas", schema)}
                                          for media_type in (media_types or (JSON,))}}


_CONDITIONAL_WRITE = (ref("parameters", "If-Match"),)
# Path parameters are declared once per path (from its template) by `document`; these say what they hold.
PATH_PARAMETERS = {
    "task_id": "24 hex digits for a stored task; any other text is simply not found",
    "lock_id": "the name of the lock",
    "resource_id": "24 hex digits for a stored resource; any other text is simply not found",
}

OPERATIONS: dict[str, dict[str, Operation]] = {
    "/": {
        "get": {"summary": "The todo-list page", "tags": ["pages"],
                "responses": {"200": answer("The HTML page", media_type="text/html",
                                            raw_schema={"type": "string"})}},
    },
    "/ping": {
        "get": {"summary": "Liveness: the process answers", "tags": ["probes"],
                "responses": {"200": answer("Alive", "Ping")}},
    },
    "/health": {
        "get": {"summary": "Readiness: every configured dependency answers", "tags": ["probes"],
                "responses": {"200": answer("Ready", "Health"),
                              "503": answer("A dependency is unavailable, or the server is draining", "Health")}},
    },
    "/tasks": {
        "get": {"summary": "List tasks in creation order, a page at a time", "tags": ["tasks"],
                "parameters": [ref("parameters", "Limit"), ref("parameters", "Offset")],
                "responses": {"200": answer("A page of tasks by id", "TaskList", headers=("X-Total-Count", "ETag")),
                              **errors(400, 503)}},
        "post": {"summary": "Create a task", "tags": ["tasks"], "requestBody": body("TaskInput"),
                 "responses": {"201": answer("Created; no body", headers=("Location",)), **errors(400, 413, 503)}},
    },
    "/tasks/{task_id}": {
        "get": {"summary": "Read a task", "tags": ["tasks"],
                "parameters": [ref("parameters", "If-None-Match")],
                "responses": {"200": {**answer("The task", "Task", headers=("ETag",)), "links": conditional_write_links(
                    "/tasks/{task_id}", "task_id", "put", "patch", "delete")},
                              "304": answer("Not modified: If-None-Match holds the current ETag", headers=("ETag",)),
                              **errors(404, 503)}},
        "put": {"summary": "Replace a task", "tags": ["tasks"], "parameters": list(_CONDITIONAL_WRITE),
                "requestBody": body("TaskInput"),
                "responses": {"204": answer("Replaced; the new ETag", headers=("ETag",)),
                              **errors(400, 404, 412, 413, 503)}},
        "patch": {"summary": "Change some fields of a task (JSON merge patch)", "tags": ["tasks"],
                  "parameters": list(_CONDITIONAL_WRITE),
                  "requestBody": body("TaskPatch", "application/merge-patch+json", JSON),
                  "responses": {"200": answer("The patched task", "Task", headers=("ETag",)),
                                **errors(400, 404, 412, 413, 415, 503)}},
        "delete": {"summary": "Delete a task", "tags": ["tasks"], "parameters": list(_CONDITIONAL_WRITE),
                   "responses": {"204": answer("Deleted"), **errors(404, 412, 503)}},
    },
    "/resources": {
        "get": {"summary": "List the CRUD example's resources in creation order, a page at a time",
                "tags": ["resources"], "parameters": [ref("parameters", "Limit"), ref("parameters", "Offset")],
                "responses": {"200": answer("A page of resources", "ExampleResourceList",
                                            headers=("X-Total-Count", "ETag")), **errors(400, 503)}},
        "post": {"summary": "Create a resource", "tags": ["resources"], "requestBody": body("ExampleResourceInput"),
                 "responses": {"201": answer("Created", "ExampleResource", headers=("Location",)),
                               **errors(400, 413, 503)}},
    },
    "/resources/{resource_id}": {
        "get": {"summary": "Read a resource", "tags": ["resources"], "parameters": [ref("parameters", "If-None-Match")],
                "responses": {"200": {**answer("The resource", "ExampleResource", headers=("ETag",)),
                              "links": conditional_write_links("/resources/{resource_id}", "resource_id",
                                                               "patch", "delete")},
                              "304": answer("Not modified: If-None-Match holds the current ETag", headers=("ETag",)),
                              **errors(404, 503)}},
        "patch": {"summary": "Change a resource (JSON merge patch)", "tags": ["resources"],
                  "parameters": list(_CONDITIONAL_WRITE),
                  "requestBody": body("ExampleResourcePatch", "application/merge-patch+json", JSON),
                  "responses": {"200": answer("The patched resource", "ExampleResource", headers=("ETag",)),
                                **errors(400, 404, 412, 413, 415, 503)}},
        "delete": {"summary": "Delete a resource", "tags": ["resources"], "parameters": list(_CONDITIONAL_WRITE),
                   "responses": {"204": answer("Deleted"), **errors(404, 412, 503)}},
    },
    "/cors": {
        "get": {"summary": "A CORS-enabled resource", "tags": ["examples"],
                "responses": {"200": answer("A message", "CorsMessage")}},
        "post": {"summary": "Echo a JSON object back", "tags": ["examples"],
                 "requestBody": {"required": True, "content": {JSON: {"schema": {"type": "object"}}}},
                 "responses": {"200": answer("What was received", "CorsEcho"), **errors(400, 413)}},
    },
    "/client": {
        "get": {"summary": "Call the configured upstream and answer its JSON", "tags": ["examples"],
                "responses": {"200": answer("The upstream's JSON document", raw_schema={}),
                              **errors(502, 503, 504)}},
    },
    "/locking/{lock_id}": {
        "get": {"summary": "Hold a distributed lock for --locking_hold_seconds", "tags": ["examples"],
                "responses": {"200": answer("The lock was held and released", "Lock"), **errors(409, 503)}},
    },
    "/metrics": {
        "get": {"summary": "Prometheus metrics of every worker", "tags": ["probes"],
                "responses": {"200": answer("The Prometheus text exposition format",
                                            media_type="text/plain", raw_schema={"type": "string"}),
                              **errors(404)}},
    },
    "/openapi.json": {
        "get": {"summary": "This document", "tags": ["docs"],
                "responses": {"200": answer("The OpenAPI 3.1 document", raw_schema={"type": "object"})}},
    },
    "/docs": {
        "get": {"summary": "This document rendered for people (Swagger UI)", "tags": ["docs"],
                "responses": {"200": answer("The HTML page", media_type="text/html",
                                            raw_schema={"type": "string"})}},
    },
}
