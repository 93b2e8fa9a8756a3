"""`ExampleCRUDHandler`: the CRUD example at the spec's optional-id route `/resources/?(?P<resource_id>[^/]+)?`.

- `GET /resources`: a page of resources in creation order (`?limit=&offset=`, the total in `X-Total-Count`);
- `POST /resources`: 201, `Location: /resources/{id}`, the created resource as the body;
- `GET /resources/{id}`: the resource with its `ETag` (304 for a matching `If-None-Match`);
- `PATCH /resources/{id}`: a JSON merge patch (RFC 7396, `application/merge-patch+json` or `application/json`);
- `DELETE /resources/{id}`: 204.
PATCH and DELETE honour `If-Match` (412 when the resource changed meanwhile). The pattern's `/?` would also let
`/resourcesXYZ` through with the id `XYZ`; such a path is a 404 here, as it is for every other route.
"""

from __future__ import annotations

from typing import ClassVar

from src.model.errors import NotFoundError
from src.model.example_resource_mappers import ExampleResourceRequestMapper, ExampleResourceResponseMapper
from src.request_handlers.custom_request_handler import CustomRequestHandler
from src.service.example_crud_service import ExampleCRUDService
from src.utils.logging import request_context

ROUTE = r"/resources/?(?P<resource_id>[^/]+)?"
COLLECTION_PATH = "/resources"
ITEM_TEMPLATE = "/resources/{resource_id}"


class ExampleCRUDHandler(CustomRequestHandler):
    CORS_ENABLED = True
    SUPPORTED_METHODS = ("GET", "POST", "PATCH", "DELETE", "OPTIONS")
    # One route, two paths: which methods each answers (the others are 405s naming these).
    METHODS_BY_TEMPLATE: ClassVar[dict[str, tuple[str, ...]]] = {
        COLLECTION_PATH: ("GET", "POST", "OPTIONS"),
        ITEM_TEMPLATE: ("GET", "PATCH", "DELETE", "OPTIONS"),
    }

    def initialize(self, service: ExampleCRUDService) -> None:
        self.service = service

    def prepare(self) -> None:
        super().prepare()
        resource_id = self.path_kwargs.get("resource_id")
        if resource_id is not None and not self.request.path.startswith(COLLECTION_PATH + "/"):
            raise NotFoundError(f"no resource at {self.request.path}")

    async def get(self, resource_id: str | None = None) -> None:
        if resource_id is None:
            offset, limit = self.paging_arguments()
            page = await self.service.list_bodies(offset=offset, limit=limit)
            self.make_response(page.bodies, headers={"X-Total-Count": str(page.total)})
            return
        stored = await self.service.get_body(resource_id)
        if self.not_modified(stored.etag):
            self.make_response(status_code=304)
            return
        self.make_response(stored.value)

    async def post(self, resource_id: str | None = None) -> None:
        if resource_id is not None:
            self._method_not_allowed_on("a resource")
            return
        created = await self.service.create(ExampleResourceRequestMapper.to_model(self.json_body()))
        request_context.add_fields(resource_id=created.id)
        self.make_response(ExampleResourceResponseMapper.to_body(created), status_code=201,
                           headers={"Location": f"{COLLECTION_PATH}/{created.id}"})

    async def patch(self, resource_id: str | None = None) -> None:
        if resource_id is None:
            self._method_not_allowed_on("the collection")
            return
        written = await self.service.patch(resource_id, self.merge_patch_body(), self.if_match())
        self.set_entity_tag(written.etag)
        self.make_response(ExampleResourceResponseMapper.to_body(written.value))

    async def delete(self, resource_id: str | None = None) -> None:
        if resource_id is None:
            self._method_not_allowed_on("the collection")
            return
        await self.service.delete(resource_id, self.if_match())
        self.make_response(status_code=204)

    def _implemented_methods(self) -> list[str]:
        # One handler serves both URLs (the spec's single route): `Allow` and OPTIONS depend on the id. Read from
        # the path: a 405 for a method outside SUPPORTED_METHODS comes before the path arguments are parsed.
        has_id = self.request.path.rstrip("/") != COLLECTION_PATH
        return list(self.METHODS_BY_TEMPLATE[ITEM_TEMPLATE if has_id else COLLECTION_PATH])

    def _method_not_allowed_on(self, what: str) -> None:
        self.make_error_response(405, f"{self.request.method} is not allowed on {what}",
                                 headers={"Allow": ", ".join(self._implemented_methods())})
