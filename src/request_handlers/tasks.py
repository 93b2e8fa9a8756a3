"""The todo-list API: `/tasks` (list, create) and `/tasks/{id}` (read, replace, merge-patch, delete).

Bodies are JSON whatever the Content-Type says (`curl -d` sends form encoding), except PATCH, whose media type
says it is a JSON merge patch. A task's ETag is its stored revision: on GET (304 for a matching `If-None-Match`),
PUT and PATCH answers; PUT, PATCH and DELETE honour `If-Match` (412 when the task changed meanwhile). The list's
ETag is Tornado's, over the body. Errors are the project's JSON shape.
"""

from __future__ import annotations

from src.request_handlers.custom_request_handler import CustomRequestHandler
from src.service.task_service import TaskService
from src.utils.logging import request_context


class TaskHandlerBase(CustomRequestHandler):
    CORS_ENABLED = True

    def initialize(self, tasks: TaskService) -> None:
        self.tasks = tasks



class TodoListRequestHandler(TaskHandlerBase):
    """`GET /tasks`: `{id: task}` in creation order, paged by `?limit` and `?offset`, only the done or the open
    ones with `?completed=true|false`, how many match in `X-Total-Count`. `POST /tasks`: 201, empty body,
    `Location: /tasks/{id}`."""

    SUPPORTED_METHODS = ("GET", "POST", "OPTIONS")

    async def get(self) -> None:
        offset, limit = self.paging_arguments()
        page = await self.tasks.listing(offset=offset, limit=limit, completed=self.boolean_argument("completed"))
        self.make_response(page.body, headers={"X-Total-Count": str(page.total)})

    async def post(self) -> None:
        task = await self.tasks.create(self.json_body())
        request_context.add_fields(task_id=task.id)
        self.make_response(status_code=201, headers={"Location": f"/tasks/{task.id}"})


class TodoListEntryRequestHandler(TaskHandlerBase):
    """`GET /tasks/{id}` (200 + ETag, 304), `PUT /tasks/{id}` (204 + ETag, full replace), `PATCH /tasks/{id}`
    (200 + ETag + the task, JSON merge patch), `DELETE /tasks/{id}` (204)."""

    SUPPORTED_METHODS = ("GET", "PUT", "PATCH", "DELETE", "OPTIONS")

    async def get(self, task_id: str) -> None:
        stored = await self.tasks.get_json(task_id)
        if self.not_modified(stored.etag):
            self.make_response(status_code=304)
            return
        self.make_response(stored.value)

    async def put(self, task_id: str) -> None:
        written = await self.tasks.replace(task_id, self.json_body(), self.if_match())
        self.set_entity_tag(written.etag)
        self.make_response(status_code=204)

    async def patch(self, task_id: str) -> None:
        written = await self.tasks.patch(task_id, self.merge_patch_body(), self.if_match())
        self.set_entity_tag(written.etag)
        self.make_response(written.value.to_json())

    async def delete(self, task_id: str) -> None:
        await self.tasks.delete(task_id, self.if_match())
        self.make_response(status_code=204)
