"""`Task.from_json`: every field's validation names the field; defaults; the JSON representation."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest

from src.model.errors import BadRequestError
from src.model.task import Priority, Task


def test_minimal_task_takes_the_defaults() -> None:
    task = Task.from_json({"title": "Task1"})
    assert task == Task(title="Task1", description=None, priority=Priority.NONE, completed=False, due_date=None)
    assert task.to_json() == {"title": "Task1", "priority": "none", "completed": False}


def test_every_field() -> None:
    data = {"title": "Ship", "description": "v1.0", "priority": "urgent", "completed": True, "due_date": 1700000000}
    task = Task.from_json(data)
    assert task.to_json() == data
    assert task.priority is Priority.URGENT


def test_null_optional_fields_mean_not_set() -> None:
    task = Task.from_json({"title": "t", "description": None, "priority": None, "completed": None, "due_date": None})
    assert task.to_json() == {"title": "t", "priority": "none", "completed": False}


def test_title_of_exactly_200_characters_is_accepted() -> None:
    assert Task.from_json({"title": "x" * 200}).title == "x" * 200


@pytest.mark.parametrize(("data", "message"), [
    ({}, "field 'title' is required"),
    ({"title": None}, "field 'title' is required"),
    ({"title": ""}, "field 'title' must not be empty"),
    ({"title": "   "}, "field 'title' must not be empty"),
    ({"title": "x" * 201}, "field 'title' must be at most 200 characters (got 201)"),
    ({"title": 5}, "field 'title' must be a string, not a number"),
    ({"title": ["a"]}, "field 'title' must be a string, not an array"),
    ({"title": "t", "description": 1}, "field 'description' must be a string, not a number"),
    ({"title": "t", "description": "d" * 10_001}, "field 'description' must be at most 10000 characters"),
    ({"title": "t", "priority": "critical"}, "field 'priority' must be one of urgent, high, normal, low, none"),
    ({"title": "t", "priority": 1}, "field 'priority' must be one of urgent, high, normal, low, none, not a number"),
    ({"title": "t", "completed": "yes"}, "field 'completed' must be a boolean, not a string"),
    ({"title": "t", "completed": 1}, "field 'completed' must be a boolean, not a number"),
    ({"title": "t", "due_date": True}, "field 'due_date' must be a whole number of epoch seconds, not a boolean"),
    ({"title": "t", "due_date": "2024-01-01"}, "field 'due_date' must be a whole number of epoch seconds, not a str"),
    ({"title": "t", "due_date": 1.5}, "field 'due_date' must be a whole number of epoch seconds (got 1.5)"),
    ({"title": "t", "due_date": {"at": 1}}, "field 'due_date' must be a whole number of epoch seconds, not an object"),
    ({"title": "t", "due_date": 10**12}, "field 'due_date' is out of range"),
    ({"title": "t", "owner": "me"}, "unknown field 'owner'; allowed: title, description, priority, completed"),
    ({"title": "t", "id": "x", "_id": "y"}, "unknown fields '_id', 'id'"),
])
def test_invalid_input_names_the_field(data: dict[str, Any], message: str) -> None:
    with pytest.raises(BadRequestError) as raised:
        Task.from_json(data)
    assert raised.value.status == 400
    assert raised.value.message.startswith(message)


def test_a_whole_number_written_with_a_fraction_is_a_due_date() -> None:
    # JSON does not tell 1700000000.0 from 1700000000 (nor does JSON Schema's "integer").
    assert Task.from_json({"title": "t", "due_date": 1700000000.0}).due_date == 1700000000


def test_from_json_with_an_id_and_with_id_equal_the_task_with_that_id() -> None:
    data = {"title": "Buy milk", "priority": "high", "due_date": 1_700_000_000}
    without_id = Task.from_json(data)
    assert without_id.id is None
    assert Task.from_json(data, "abc") == Task("Buy milk", priority=Priority.HIGH, due_date=1_700_000_000, id="abc")
    assert without_id.with_id("abc") == Task.from_json(data, "abc")


def test_the_hand_written_init_takes_the_fields_in_order_with_their_defaults() -> None:
    # Task writes its fields itself (cheaper than a frozen dataclass's __init__); it must stay the one dataclass
    # would generate: same parameters, order and defaults, and still frozen, comparable, hashable, replaceable.
    parameters = list(inspect.signature(Task).parameters.values())
    assert [(p.name, p.default) for p in parameters] == [
        (f.name, inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default)
        for f in dataclasses.fields(Task)]
    task = Task("t", "d", Priority.LOW, True, 5, "id-1")
    assert [getattr(task, f.name) for f in dataclasses.fields(Task)] == ["t", "d", Priority.LOW, True, 5, "id-1"]
    assert task == Task(title="t", description="d", priority=Priority.LOW, completed=True, due_date=5, id="id-1")
    assert hash(task) == hash(Task("t", "d", Priority.LOW, True, 5, "id-1"))
    assert dataclasses.replace(task, title="u") == Task("u", "d", Priority.LOW, True, 5, "id-1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        task.title = "changed"  # type: ignore[misc]
