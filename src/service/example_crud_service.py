"""`ExampleCRUDService`: the CRUD example's business logic over `ExampleDAO` (no Tornado here).

Create, read (one, or a page in creation order), merge-patch and delete `ExampleResource`s. Writes take
`if_match`, the entity tags the client last saw (None: no condition), and raise `PreconditionFailedError` (412)
when the resource has changed since; a missing id is a `NotFoundError` (404).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, NamedTuple

from src.database.daos.example_dao import ExampleDAO
from src.model.body_fields import reject_unknown_fields
from src.model.example_resource import ExampleResource
from src.model.example_resource_mappers import FIELDS, ExampleResourceRequestMapper, ExampleResourceResponseMapper
from src.model.paging import DEFAULT_PAGE_SIZE, check_page
from src.model.versioned import Versioned
from src.utils.json_merge_patch import apply_merge_patch


class ResourcePage(NamedTuple):
    """A page of resources, and how many resources there are in all."""

    resources: list[ExampleResource]
    total: int


class BodyPage(NamedTuple):
    """A page of resources as the answer's bodies, and how many resources there are in all."""

    bodies: list[dict[str, Any]]
    total: int


class ExampleCRUDService:
    def __init__(self, dao: ExampleDAO) -> None:
        self.dao = dao

    async def list(self, offset: int = 0, limit: int = DEFAULT_PAGE_SIZE) -> ResourcePage:
        """Resources in creation order, `limit` of them from `offset`, and how many there are in all."""
        check_page(offset, limit)
        total = await self.dao.count()
        return ResourcePage(await self.dao.list_page(offset, limit) if offset < total else [], total)

    async def get(self, resource_id: str) -> Versioned[ExampleResource]:
        return await self.dao.get_versioned(resource_id)

    async def list_bodies(self, offset: int = 0, limit: int = DEFAULT_PAGE_SIZE) -> BodyPage:
        """The page `list` gives as the answer's bodies, from one read: the read path of `GET /resources`, which
        builds no `ExampleResource` (validation is for writes)."""
        check_page(offset, limit)
        total, bodies = await self.dao.list_page_bodies(offset, limit)
        return BodyPage(bodies, total)

    async def get_body(self, resource_id: str) -> Versioned[dict[str, Any]]:
        """`get` as the answer's body, with the entity tag: the read path of `GET /resources/{id}`."""
        return await self.dao.get_body(resource_id)

    async def create(self, resource: ExampleResource) -> ExampleResource:
        """Store a new resource; it comes back with its id."""
        return resource.with_id(await self.dao.insert(resource))

    async def patch(self, resource_id: str, patch: Mapping[str, Any],
                    if_match: Collection[str] | None = None) -> Versioned[ExampleResource]:
        """Apply a JSON merge patch (RFC 7396): the result is validated as a whole resource (a `null` name is a
        400 naming the field); concurrent writers never lose each other's changes. An unknown field is a 400 even
        as `null`, which merge-patch semantics would otherwise drop unseen."""
        reject_unknown_fields(patch, FIELDS)

        def patched(current: ExampleResource) -> ExampleResource:
            fields = apply_merge_patch(ExampleResourceResponseMapper.to_fields(current), dict(patch))
            return ExampleResourceRequestMapper.to_model(fields, resource_id)

        return await self.dao.modify(resource_id, patched, if_match)

    async def delete(self, resource_id: str, if_match: Collection[str] | None = None) -> None:
        await self.dao.delete(resource_id, if_match)
