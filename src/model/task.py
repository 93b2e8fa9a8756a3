"""`Task`: one entry of the todo list, and the validation of its JSON representation.

JSON fields: `title` (required, non-empty, at most 200 characters), `description` (text), `priority`
(urgent/high/normal/low/none, default none), `completed` (boolean, default false), `due_date` (whole epoch
seconds). `null` for an optional field means "not set". Anything else is a `BadRequestError` naming the field.
The id is not a field: it is the task's URL (`/tasks/{id}`) and the key of the list representation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from src.model.body_fields import optional_text, reject_unknown_fields, required_text
from src.model.errors import BadRequestError
from src.model.json_types import json_type_name

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 10_000
# Epoch seconds MongoDB and JavaScript dates both hold: 0001-01-01 .. 9999-12-31.
DUE_DATE_MIN, DUE_DATE_MAX = -62_135_596_800, 253_402_300_799


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"
    NONE = "none"


FIELDS = ("title", "description", "priority", "completed", "due_date")
_FIELD_SET = frozenset(FIELDS)
# Looked up per request: a dict get is cheaper than Priority(value), and the message is built once.
PRIORITY_BY_VALUE = {priority.value: priority for priority in Priority}
_ALLOWED_PRIORITIES = ", ".join(PRIORITY_BY_VALUE)


@dataclass(frozen=True, init=False)
class Task:
    """A task of the todo list; `id` is None until it is stored."""

    title: str
    description: str | None = None
    priority: Priority = Priority.NONE
    completed: bool = False
    due_date: int | None = None
    id: str | None = None

    def __init__(  # noqa: PLR0917 - the signature dataclass would generate: fields are positional too
            self, title: str, description: str | None = None, priority: Priority = Priority.NONE,
            completed: bool = False, due_date: int | None = None, id: str | None = None) -> None:
        # The fields go straight into the instance's dict: a frozen dataclass's own __init__ sets each through
        # object.__setattr__, twice the cost, and every write builds a Task (test_task checks the signature).
        fields = self.__dict__
        fields["title"] = title
        fields["description"] = description
        fields["priority"] = priority
        fields["completed"] = completed
        fields["due_date"] = due_date
        fields["id"] = id

    @classmethod
    def from_json(cls, data: Mapping[str, Any], task_id: str | None = None) -> Task:
        """A task from a request body (a JSON object), with the id `task_id` if given; `BadRequestError` says
        which field is wrong and why."""
        if not data.keys() <= _FIELD_SET:  # one comparison in C; the 400 then names the unknown fields
            reject_unknown_fields(data, FIELDS)
        return cls(required_text("title", data.get("title"), TITLE_MAX_LENGTH),
                   optional_text("description", data.get("description"), DESCRIPTION_MAX_LENGTH),
                   _priority(data.get("priority")), _completed(data.get("completed")),
                   _due_date(data.get("due_date")), task_id)

    def with_id(self, task_id: str) -> Task:
        """This task with the id `task_id` (`dataclasses.replace` costs as much as validating a body)."""
        return Task(self.title, self.description, self.priority, self.completed, self.due_date, task_id)

    def to_json(self) -> dict[str, Any]:
        """The JSON representation (without the id); unset optional fields are left out."""
        return representation(self.title, self.description, self.priority, self.completed, self.due_date)


def representation(title: str, description: str | None, priority: Priority, completed: bool,
                   due_date: int | None) -> dict[str, Any]:
    """A task's JSON representation from its fields: `Task.to_json`, and reads that answer without a `Task`."""
    body: dict[str, Any] = {"title": title}
    if description is not None:
        body["description"] = description
    body["priority"] = priority.value
    body["completed"] = completed
    if due_date is not None:
        body["due_date"] = due_date
    return body


def _priority(value: Any) -> Priority:
    if value is None:
        return Priority.NONE
    if not isinstance(value, str):
        raise BadRequestError(f"field 'priority' must be one of {_ALLOWED_PRIORITIES}, not {json_type_name(value)}")
    priority = PRIORITY_BY_VALUE.get(value)
    if priority is None:
        raise BadRequestError(f"field 'priority' must be one of {_ALLOWED_PRIORITIES}")
    return priority


def _completed(value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise BadRequestError(f"field 'completed' must be a boolean, not {json_type_name(value)}")
    return value


def _due_date(value: Any) -> int | None:
    if value is None:
        return None
    # bool is an int in Python but not in JSON: true is not a date. 1.7e9 is a whole number in JSON (and in
    # JSON Schema's "integer"), so it is taken; 1.5 is not.
    if isinstance(value, float):
        if not value.is_integer():
            raise BadRequestError(f"field 'due_date' must be a whole number of epoch seconds (got {value!r})")
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequestError(f"field 'due_date' must be a whole number of epoch seconds, not {json_type_name(value)}")
    if not DUE_DATE_MIN <= value <= DUE_DATE_MAX:
        raise BadRequestError("field 'due_date' is out of range (years 1 to 9999)")
    return value

