"""The spec's CRUD example: `ExampleCRUDService` over `ExampleDAO` (the `example` collection), built once per
process, served at the spec's optional-id route `/resources/?(?P<resource_id>[^/]+)?`. An example: it goes with
the other examples."""

from __future__ import annotations

from collections.abc import Sequence

from src.database.daos.example_dao import ExampleDAO
from src.request_handlers.crud_example import ROUTE, ExampleCRUDHandler
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
from src.server.components import Components
from src.server.feature import Feature, RouteMap
from src.service.example_crud_service import ExampleCRUDService


def services(components: Components) -> Sequence[object]:
    return [ExampleCRUDService(ExampleDAO(components.database))]


def routes(components: Components) -> RouteMap:
    return {ROUTE: (ExampleCRUDHandler, {"service": components.services.get(ExampleCRUDService)})}


# What /resources, /resources/{resource_id} answer, in the OpenAPI document (/openapi.json).
OPENAPI: PathDescriptions = {
    "/resources": {
        "get": {"summary": "List the CRUD example's resources in creation order, a page at a time",
                "tags": ["resources"], "parameters": [ref("parameters", "Limit"), ref("parameters", "Offset")],
                "responses": {"200": answer("A page of resources", "ExampleResourceList",
                                            headers=("X-Total-Count", "ETag")), **errors(400, 503)}},
        "post": {"summary": "Create a resource", "tags": ["resources"], "requestBody": body("ExampleResourceInput"),
                 "responses": {"201": answer("Created", "ExampleResource", headers=("Location",)),
                               **errors(400, 413, 503)}},
    },
    "/resources/{resource_id}": {
        "parameters": {"resource_id": "24 hex digits for a stored resource; any other text is simply not found"},
        "get": {"summary": "Read a resource", "tags": ["resources"], "parameters": [ref("parameters", "If-None-Match")],
                "responses": {"200": {**answer("The resource", "ExampleResource", headers=("ETag",)),
                              "links": conditional_write_links("/resources/{resource_id}", "resource_id",
                                                               "patch", "delete")},
                              "304": answer("Not modified: If-None-Match holds the current ETag", headers=("ETag",)),
                              **errors(404, 503)}},
        "patch": {"summary": "Change a resource (JSON merge patch)", "tags": ["resources"],
                  "parameters": list(CONDITIONAL_WRITE),
                  "requestBody": body("ExampleResourcePatch", "application/merge-patch+json", JSON),
                  "responses": {"200": answer("The patched resource", "ExampleResource", headers=("ETag",)),
                                **errors(400, 404, 412, 413, 415, 503)}},
        "delete": {"summary": "Delete a resource", "tags": ["resources"], "parameters": list(CONDITIONAL_WRITE),
                   "responses": {"204": answer("Deleted"), **errors(404, 412, 503)}},
    },
}


FEATURE = Feature("resources", routes, services, example=True, openapi=OPENAPI)
