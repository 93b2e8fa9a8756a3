"""The CRUD example's mappers between the JSON of requests and answers and `ExampleResource`.

- `ExampleResourceRequestMapper.to_model(body)`: a request body (POST, or a stored resource with a merge patch
  applied) validated into a resource; a `BadRequestError` (400) names the field that is wrong and why.
- `ExampleResourceResponseMapper.to_body(resource)`: the answer's JSON, `id` included;
  `to_fields(resource)` the same without the id (what a merge patch applies to).

Fields: `name` (required, 1-200 characters), `description` (text, `null` = none), `properties` (a JSON object,
default `{}`). Any other field is refused, the `id` included: it is the URL, never part of the body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from src.model.body_fields import optional_text, reject_unknown_fields, required_text
from src.model.errors import BadRequestError
from src.model.example_resource import ExampleResource
from src.model.json_types import json_type_name

NAME_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 10_000
FIELDS = ("name", "description", "properties")


class ExampleResourceRequestMapper:
    @staticmethod
    def to_model(body: Mapping[str, Any], resource_id: str | None = None) -> ExampleResource:
        reject_unknown_fields(body, FIELDS)
        return ExampleResource(
            name=required_text("name", body.get("name"), NAME_MAX_LENGTH),
            description=optional_text("description", body.get("description"), DESCRIPTION_MAX_LENGTH),
            properties=_properties(body.get("properties")), id=resource_id)


class ExampleResourceResponseMapper:
    @staticmethod
    def to_fields(resource: ExampleResource) -> dict[str, Any]:
        return resource_fields(resource.name, resource.description, resource.properties)

    @classmethod
    def to_body(cls, resource: ExampleResource) -> dict[str, Any]:
        return {"id": resource.id, **cls.to_fields(resource)}


def resource_fields(name: str, description: str | None, properties: dict[str, Any]) -> dict[str, Any]:
    """A resource's JSON fields (without the id): `to_fields`, and reads that answer without a resource."""
    fields: dict[str, Any] = {"name": name}
    if description is not None:
        fields["description"] = description
    fields["properties"] = properties
    return fields


def _properties(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequestError(f"field 'properties' must be an object, not {json_type_name(value)}")
    _check_names(value, "properties")
    return dict(value)


def _check_names(value: Any, path: str) -> None:
    """MongoDB refuses member names starting with `$` or holding `.`: refused here for every store alike."""
    if isinstance(value, dict):
        for name, item in value.items():
            if name.startswith("$") or "." in name or "\0" in name:
                raise BadRequestError(f"field '{path}' must not hold a name starting with '$' or containing '.' "
                                      f"(got {name[:64]!r})")
            _check_names(item, f"{path}.{name}")
    elif isinstance(value, list):
        for item in value:
            _check_names(item, path)
