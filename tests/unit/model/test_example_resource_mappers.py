"""The CRUD example's mappers: request JSON validated into `ExampleResource` (400 naming the field), and back."""

from __future__ import annotations

from typing import Any

import pytest

from src.model.errors import BadRequestError
from src.model.example_resource import ExampleResource
from src.model.example_resource_mappers import ExampleResourceRequestMapper, ExampleResourceResponseMapper


def test_a_full_body_maps_to_a_resource_and_back() -> None:
    body = {"name": "lamp", "description": "a desk lamp", "properties": {"colour": "red", "watts": 40}}
    resource = ExampleResourceRequestMapper.to_model(body, "r1")
    assert resource == ExampleResource("lamp", "a desk lamp", {"colour": "red", "watts": 40}, "r1")
    assert ExampleResourceResponseMapper.to_body(resource) == {"id": "r1", **body}
    assert ExampleResourceResponseMapper.to_fields(resource) == body


def test_optional_fields_take_their_defaults_and_null_means_unset() -> None:
    resource = ExampleResourceRequestMapper.to_model({"name": "lamp", "description": None, "properties": None})
    assert resource == ExampleResource("lamp")
    assert ExampleResourceResponseMapper.to_body(resource) == {"id": None, "name": "lamp", "properties": {}}


@pytest.mark.parametrize(("body", "message"), [
    ({}, "field 'name' is required"),
    ({"name": 3}, "field 'name' must be a string, not a number"),
    ({"name": "  "}, "field 'name' must not be empty"),
    ({"name": "x" * 201}, "at most 200 characters (got 201)"),
    ({"name": "x", "description": []}, "field 'description' must be a string, not an array"),
    ({"name": "x", "properties": "red"}, "field 'properties' must be an object, not a string"),
    ({"name": "x", "properties": {"a": {"$where": 1}}}, "must not hold a name starting with '$'"),
    ({"name": "x", "properties": {"a.b": 1}}, "containing '.'"),
    ({"name": "x", "id": "r2"}, "unknown field 'id'; allowed: name, description, properties"),
])
def test_invalid_bodies_name_the_field(body: dict[str, Any], message: str) -> None:
    with pytest.raises(BadRequestError, match=message.replace("(", r"\(").replace(")", r"\)").replace("$", r"\$")):
        ExampleResourceRequestMapper.to_model(body)
