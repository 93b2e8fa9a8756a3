"""The todo list: `TaskService` over `TaskDAO`, built once per process, served at `/tasks`."""

from __future__ import annotations

from collections.abc import Sequence

from src.database.daos.task_dao import TaskDAO
from src.database.indexes import index_start_up
from src.request_handlers.openapi.describe import (
    CONDITIONAL_WRITE,
    JSON,
    PathDescriptions,
    answer,
    body,
    conditional_write_links,
    errors,
    ref,
)
from src.request_handlers.tasks import TodoListEntryRequestHandler, TodoListRequestHandler
from src.server.components import Components
from src.server.feature import Feature, RouteMap
from src.service.task_service import TaskService


def services(components: Components) -> Sequence[object]:
    return [TaskService(TaskDAO(components.database))]


def routes(components: Components) -> RouteMap:
    handed = {"tasks": components.services.get(TaskService)}
    return {
        r"/tasks/?": (TodoListRequestHandler, handed),  # collection routes answer with and without a trailing slash
        r"/tasks/(?P<task_id>[^/]+)": (TodoListEntryRequestHandler, handed),
    }


# `?completed=false` with `limit=1` is how many tasks are left to do, in X-Total-Count.
COMPLETED = {"name": "completed", "in": "query", "required": False, "allowEmptyValue": True,
             "schema": {"type": "boolean"},
             "description": "Only the tasks done (true) or not done (false); X-Total-Count counts those"}

# What /tasks, /tasks/{task_id} answer, in the OpenAPI document (/openapi.json).
OPENAPI: PathDescriptions = {
    "/tasks": {
        "get": {"summary": "List tasks in creation order, a page at a time", "tags": ["tasks"],
                "parameters": [ref("parameters", "Limit"), ref("parameters", "Offset"), COMPLETED],
                "responses": {"200": answer("A page of tasks by id", "TaskList", headers=("X-Total-Count", "ETag")),
                              **errors(400, 503)}},
        "post": {"summary": "Create a task", "tags": ["tasks"], "requestBody": body("TaskInput"),
                 "responses": {"201": answer("Created; no body", headers=("Location",)), **errors(400, 413, 503)}},
    },
    "/tasks/{task_id}": {
        "parameters": {"task_id": "24 hex digits for a stored task; any other text is simply not found"},
        "get": {"summary": "Read a task", "tags": ["tasks"],
                "parameters": [ref("parameters", "If-None-Match")],
                "responses": {"200": {**answer("The task", "Task", headers=("ETag",)), "links": conditional_write_links(
                    "/tasks/{task_id}", "task_id", "put", "patch", "delete")},
                              "304": answer("Not modified: If-None-Match holds the current ETag", headers=("ETag",)),
                              **errors(404, 503)}},
        "put": {"summary": "Replace a task", "tags": ["tasks"], "parameters": list(CONDITIONAL_WRITE),
                "requestBody": body("TaskInput"),
                "responses": {"204": answer("Replaced; the new ETag", headers=("ETag",)),
                              **errors(400, 404, 412, 413, 503)}},
        "patch": {"summary": "Change some fields of a task (JSON merge patch)", "tags": ["tasks"],
                  "parameters": list(CONDITIONAL_WRITE),
                  "requestBody": body("TaskPatch", "application/merge-patch+json", JSON),
                  "responses": {"200": answer("The patched task", "Task", headers=("ETag",)),
                                **errors(400, 404, 412, 413, 415, 503)}},
        "delete": {"summary": "Delete a task", "tags": ["tasks"], "parameters": list(CONDITIONAL_WRITE),
                   "responses": {"204": answer("Deleted"), **errors(404, 412, 503)}},
    },
}


# TaskDAO's queries use the `_id` index alone today; indexes it declares are created here at start-up.
FEATURE = Feature("tasks", routes, services, start_up=(index_start_up(lambda components: [TaskDAO(
    components.database)]),), openapi=OPENAPI)
