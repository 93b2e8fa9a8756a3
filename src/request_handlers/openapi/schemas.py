"""JSON Schemas of the bodies this server reads and writes, built from the models' own rules and constants."""

from __future__ import annotations

from typing import Any

from src.model.example_resource_mappers import DESCRIPTION_MAX_LENGTH as RESOURCE_DESCRIPTION_MAX_LENGTH
from src.model.example_resource_mappers import FIELDS as RESOURCE_FIELDS
from src.model.example_resource_mappers import NAME_MAX_LENGTH
from src.model.task import (
    DESCRIPTION_MAX_LENGTH,
    DUE_DATE_MAX,
    DUE_DATE_MIN,
    FIELDS,
    TITLE_MAX_LENGTH,
    Priority,
)
from src.utils.logging.request_context import REQUEST_ID_PATTERN

# A character that is white space neither to JSON Schema's (ECMA-262) \s nor to Python's str.isspace(), which the
# models' "must not be empty" check uses: \x1c-\x1f and \x85 are white space only to Python.
NOT_BLANK = r"[^\s\u001c-\u001f\u0085]"

Schema = dict[str, Any]


def _nullable(schema: Schema) -> Schema:
    """`null` means "not set" for an optional field: null is one more type, and one more value of an enum."""
    nullable = {**schema, "type": [schema["type"], "null"]}
    if "enum" in schema:
        nullable["enum"] = [*schema["enum"], None]
    return nullable


# Each task field's schema; the drift test checks these are exactly the model's FIELDS.
TASK_FIELDS: dict[str, Schema] = {
    # Not empty means: not only white space.
    "title": {"type": "string", "minLength": 1, "maxLength": TITLE_MAX_LENGTH, "pattern": NOT_BLANK},
    "description": {"type": "string", "maxLength": DESCRIPTION_MAX_LENGTH},
    "priority": {"type": "string", "enum": [priority.value for priority in Priority], "default": Priority.NONE.value},
    "completed": {"type": "boolean", "default": False},
    "due_date": {"type": "integer", "minimum": DUE_DATE_MIN, "maximum": DUE_DATE_MAX,
                 "description": "whole epoch seconds"},
}
if tuple(TASK_FIELDS) != FIELDS:  # the model gained or lost a field: describe it here too
    raise RuntimeError(f"task schema fields {tuple(TASK_FIELDS)} differ from the model's {FIELDS}")

# The CRUD example's fields (`ExampleResourceRequestMapper`); checked against its FIELDS like the task's.
RESOURCE_FIELD_SCHEMAS: dict[str, Schema] = {
    "name": {"type": "string", "minLength": 1, "maxLength": NAME_MAX_LENGTH, "pattern": NOT_BLANK},
    "description": {"type": "string", "maxLength": RESOURCE_DESCRIPTION_MAX_LENGTH},
    "properties": {"type": "object", "description": "free-form; member names never start with `$` nor hold `.`",
                   "propertyNames": {"pattern": r"^(?!\$)[^.\u0000]*$"},
                   "additionalProperties": {"$ref": "#/components/schemas/ExampleResourcePropertyValue"}},
}
if tuple(RESOURCE_FIELD_SCHEMAS) != RESOURCE_FIELDS:
    raise RuntimeError(f"resource schema fields {tuple(RESOURCE_FIELD_SCHEMAS)} differ from {RESOURCE_FIELDS}")
_RESOURCE_INPUT_FIELDS = {name: schema if name == "name" else _nullable(schema)
                          for name, schema in RESOURCE_FIELD_SCHEMAS.items()}

SCHEMAS: dict[str, Schema] = {
    "Error": {
        "type": "object",
        "description": "The one error shape of every error status; `trace` only in debug mode.",
        "required": ["code", "message", "method", "uri", "request_id"],
        "properties": {
            "code": {"type": "integer", "minimum": 400, "maximum": 599},
            "message": {"type": "string"},
            "method": {"type": "string"},
            "uri": {"type": "string"},
            "request_id": {"type": "string"},
            "trace": {"type": "string"},
        },
        "additionalProperties": False,
    },
    "Task": {
        "type": "object",
        "description": "A task as the server answers it; unset optional fields are left out.",
        "required": ["title", "priority", "completed"],
        "properties": TASK_FIELDS,
        "additionalProperties": False,
    },
    "TaskInput": {
        "type": "object",
        "description": "A whole task (POST, PUT); `null` or a missing optional field means not set.",
        "required": ["title"],
        "properties": {name: schema if name == "title" else _nullable(schema) for name, schema in TASK_FIELDS.items()},
        "additionalProperties": False,
    },
    "TaskPatch": {
        "type": "object",
        "description": "A JSON merge patch (RFC 7396): the fields given replace the stored ones, `null` removes "
                       "an optional field; the result must be a valid task.",
        "properties": {name: schema if name == "title" else _nullable(schema) for name, schema in TASK_FIELDS.items()},
        "additionalProperties": False,
    },
    "TaskList": {
        "type": "object",
        "description": "Tasks by id, in creation order.",
        "additionalProperties": {"$ref": "#/components/schemas/Task"},
    },
    "ExampleResource": {
        "type": "object",
        "description": "A resource of the CRUD example, with its id; no description means none is set.",
        "required": ["id", "name", "properties"],
        "properties": {"id": {"type": "string"}, **RESOURCE_FIELD_SCHEMAS},
        "additionalProperties": False,
    },
    "ExampleResourcePropertyValue": {
        "description": "Any JSON value; objects inside follow the same member-name rule.",
        "anyOf": [{"type": ["string", "number", "boolean", "null"]},
                  {"type": "array", "items": {"$ref": "#/components/schemas/ExampleResourcePropertyValue"}},
                  {"type": "object", "propertyNames": {"pattern": r"^(?!\$)[^.\u0000]*$"},
                   "additionalProperties": {"$ref": "#/components/schemas/ExampleResourcePropertyValue"}}],
    },
    "ExampleResourceInput": {
        "type": "object", "description": "A new resource (POST); the id is given by the server.",
        "required": ["name"], "properties": _RESOURCE_INPUT_FIELDS, "additionalProperties": False,
    },
    "ExampleResourcePatch": {
        "type": "object",
        "description": "A JSON merge patch (RFC 7396): members given replace the stored ones, objects merge, `null` "
                       "removes; the result must be a valid resource.",
        "properties": _RESOURCE_INPUT_FIELDS, "additionalProperties": False,
    },
    "ExampleResourceList": {
        "type": "array", "description": "Resources in creation order.",
        "items": {"$ref": "#/components/schemas/ExampleResource"},
    },
    "Ping": {
        "type": "object", "required": ["status"], "properties": {"status": {"const": "ok"}},
        "additionalProperties": False,
    },
    "Health": {
        "type": "object",
        "required": ["status", "pid", "checks"],
        "properties": {
            "status": {"type": "string", "enum": ["ok", "unavailable", "draining"]},
            "pid": {"type": "integer", "description": "the worker process that answered"},
            "checks": {"type": "object", "additionalProperties": {
                "type": "object", "required": ["status"],
                "properties": {"status": {"type": "string", "enum": ["ok", "unavailable"]},
                               "time_ms": {"type": "number"}, "error": {"type": "string"}}}},
        },
    },
    "CorsMessage": {
        "type": "object", "required": ["message"], "properties": {"message": {"type": "string"}},
        "additionalProperties": False,
    },
    "CorsEcho": {
        "type": "object", "required": ["received"], "properties": {"received": {"type": "object"}},
        "additionalProperties": False,
    },
    "Lock": {
        "type": "object", "required": ["lock"], "properties": {"lock": {"type": "string"}},
        "additionalProperties": False,
    },
    "RequestId": {"type": "string", "pattern": f"^{REQUEST_ID_PATTERN}$"},
}
