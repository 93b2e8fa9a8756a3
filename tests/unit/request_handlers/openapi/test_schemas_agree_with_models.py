"""The document's request-body schemas and the models' validation give the same verdict on the same body: what the
schema calls valid the model takes, and what it calls invalid the model refuses with a 400. Each row is a body the
contract test (schemathesis) once found the two disagreeing on, or one at the edge of a rule."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from src.model.errors import BadRequestError
from src.model.example_resource_mappers import ExampleResourceRequestMapper
from src.model.task import Task
from src.request_handlers.openapi.document import build_document
from src.server.router import FEATURES, Router
from tests.support.components import make_components

COMPONENTS = build_document([(route[0], route[1]) for route in Router.routes(make_components())],
                            Router.openapi(list(FEATURES)))["components"]
MODELS: dict[str, Callable[[Mapping[str, Any]], object]] = {
    "TaskInput": Task.from_json,
    "ExampleResourceInput": ExampleResourceRequestMapper.to_model,
}


def schema_accepts(schema_name: str, body: Any) -> bool:
    validator = Draft202012Validator({"$ref": f"#/components/schemas/{schema_name}", "components": COMPONENTS})
    return bool(validator.is_valid(body))


def model_accepts(schema_name: str, body: Any) -> bool:
    try:
        MODELS[schema_name](body)
    except BadRequestError:
        return False
    return True


@pytest.mark.parametrize(("schema_name", "body", "valid"), [
    # `null` is "not set" for every optional field, an enum's included.
    ("TaskInput", {"title": "t", "priority": None, "completed": True}, True),
    ("TaskInput", {"title": "t", "description": None, "completed": None, "due_date": None}, True),
    ("TaskInput", {"title": "t", "priority": "soon"}, False),
    # White space only to Python (U+001D, U+0085) is still blank to the model.
    ("TaskInput", {"title": "\u001d"}, False),
    ("TaskInput", {"title": "\u0085 "}, False),
    ("TaskInput", {"title": "\u001dx"}, True),
    ("TaskInput", {"title": "t", "|": None}, False),
    ("ExampleResourceInput", {"name": "\u001d"}, False),
    ("ExampleResourceInput", {"name": "n", "description": None, "properties": None}, True),
    ("ExampleResourceInput", {"name": "n", "properties": {"a": {"$b": 1}}}, False),
    ("ExampleResourceInput", {"name": "n", "id": "x"}, False),
])
def test_schema_and_model_agree(schema_name: str, body: dict[str, Any], valid: bool) -> None:
    assert schema_accepts(schema_name, body) is valid, "the document"
    assert model_accepts(schema_name, body) is valid, "the model"
