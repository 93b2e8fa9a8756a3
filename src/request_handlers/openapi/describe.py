"""How a feature describes its routes in the OpenAPI document (`Feature.openapi`): per route template (the
Router pattern's `route_template`), per method, its parameters, bodies, statuses and headers, written with these
helpers; `parameters` of a path says what each of its path parameters holds. `document` gathers the running
features' descriptions, fails when a route or method of the code is missing from them, or when they name one the
code lacks, and adds OPTIONS (and HEAD, when a GET exists) to every path."""

from __future__ import annotations

from typing import Any

Operation = dict[str, Any]
# Method (lower case) -> its operation, and optionally "parameters": path parameter name -> what it holds.
PathDescription = dict[str, Any]
# Route template -> its description: what a feature gives as `Feature.openapi`.
PathDescriptions = dict[str, PathDescription]

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


# Writes of a stored item take If-Match (lost-update protection: 412 when the item changed meanwhile).
CONDITIONAL_WRITE = (ref("parameters", "If-Match"),)
