"""The todo list: `TaskService` over `TaskDAO`, built once per process, served at `/tasks`."""

from __future__ import annotations

from collections.abc import Sequence

from src.database.daos.task_dao import TaskDAO
from src.database.indexes import index_start_up
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


# TaskDAO's queries use the `_id` index alone today; indexes it declares are created here at start-up.
FEATURE = Feature("tasks", routes, services, start_up=(index_start_up(lambda components: [TaskDAO(
    components.database)]),))
