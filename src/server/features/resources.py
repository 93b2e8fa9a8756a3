"""The spec's CRUD example: `ExampleCRUDService` over `ExampleDAO` (the `example` collection), built once per
process, served at the spec's optional-id route `/resources/?(?P<resource_id>[^/]+)?`. An example: it goes with
the other examples."""

from __future__ import annotations

from collections.abc import Sequence

from src.database.daos.example_dao import ExampleDAO
from src.request_handlers.crud_example import ROUTE, ExampleCRUDHandler
from src.server.components import Components
from src.server.feature import Feature, RouteMap
from src.service.example_crud_service import ExampleCRUDService


def services(components: Components) -> Sequence[object]:
    return [ExampleCRUDService(ExampleDAO(components.database))]


def routes(components: Components) -> RouteMap:
    return {ROUTE: (ExampleCRUDHandler, {"service": components.services.get(ExampleCRUDService)})}


FEATURE = Feature("resources", routes, services, example=True)
