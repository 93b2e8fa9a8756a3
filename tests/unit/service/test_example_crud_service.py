"""`ExampleCRUDService` over `ExampleDAO` on the `example` collection, on the embedded store and on Motor's API
(mongomock-motor): create, page, read with its entity tag, merge patch, delete, If-Match."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mongomock_motor import AsyncMongoMockClient

from src.database.daos.example_dao import ExampleDAO, ExampleDao
from src.database.embedded import EmbeddedClient
from src.model.errors import BadRequestError, NotFoundError, PreconditionFailedError
from src.model.example_resource import ExampleResource
from src.model.example_resource_mappers import ExampleResourceResponseMapper
from src.model.json_types import encode_json
from src.server.features import resources
from src.server.router import Router
from src.service.example_crud_service import ExampleCRUDService
from src.utils.command_line.argument_parsing_utils import ArgumentParsingUtils


@asynccontextmanager
async def database(kind: str, folder: Path) -> AsyncIterator[Any]:
    if kind == "embedded":
        client = EmbeddedClient(folder)
        try:
            yield client["test"]
        finally:
            await client.aclose()
    else:
        yield AsyncMongoMockClient()["test"]


@pytest.fixture(params=["embedded", "motor"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_the_spec_names_the_dao_both_ways_on_the_example_collection(backend: str, tmp_path: Path) -> None:
    assert ExampleDao is ExampleDAO
    async with database(backend, tmp_path) as db:
        await ExampleDao(db).insert(ExampleResource("in example"))
        assert [document["name"] async for document in db["example"].find({})] == ["in example"]


async def test_create_list_read_patch_delete(backend: str, tmp_path: Path) -> None:
    async with database(backend, tmp_path) as db:
        service = ExampleCRUDService(ExampleDAO(db))
        created = [await service.create(ExampleResource(f"r{n}", properties={"n": n})) for n in range(3)]
        assert all(resource.id for resource in created)
        assert (await db["example"].count_documents({})) == 3

        page = await service.list(offset=1, limit=1)
        assert ([resource.name for resource in page.resources], page.total) == (["r1"], 3)
        assert (await service.list(offset=5)).resources == []

        first = await service.get(str(created[0].id))
        assert first.value == created[0]
        patched = await service.patch(str(created[0].id), {"description": "d", "properties": {"n": None, "m": 1}})
        assert patched.value == ExampleResource("r0", "d", {"m": 1}, created[0].id)
        assert patched.etag != first.etag
        assert (await service.get(str(created[0].id))) == patched

        await service.delete(str(created[1].id))
        with pytest.raises(NotFoundError, match=r"resource \w+ not found"):
            await service.get(str(created[1].id))
        assert (await service.list()).total == 2


async def test_patch_results_are_validated_and_if_match_guards_writes(backend: str, tmp_path: Path) -> None:
    async with database(backend, tmp_path) as db:
        service = ExampleCRUDService(ExampleDAO(db))
        resource_id = str((await service.create(ExampleResource("lamp"))).id)
        stale = (await service.get(resource_id)).etag
        with pytest.raises(BadRequestError, match="field 'name' is required"):
            await service.patch(resource_id, {"name": None})
        current = await service.patch(resource_id, {"name": "desk lamp"}, if_match=[stale])
        with pytest.raises(PreconditionFailedError):
            await service.patch(resource_id, {"name": "old"}, if_match=[stale])
        with pytest.raises(PreconditionFailedError):
            await service.delete(resource_id, if_match=[stale])
        await service.delete(resource_id, if_match=[current.etag])
        with pytest.raises(NotFoundError):
            await service.patch(resource_id, {"name": "gone"})


def test_the_crud_example_goes_with_the_other_examples() -> None:
    with_examples = ArgumentParsingUtils.parse([], {})
    without = ArgumentParsingUtils.parse(["--no-examples"], {})
    assert resources.FEATURE.example is True
    assert resources.FEATURE in Router.features(with_examples)
    assert resources.FEATURE not in Router.features(without)


async def test_the_read_path_answers_what_the_model_gives(backend: str, tmp_path: Path) -> None:
    """`get_body` and `list_bodies` (no `ExampleResource`) give the JSON, key order included, and the entity tags
    of `get` and `list` through the response mapper: any text, every field set or unset, documents by hand."""
    async with database(backend, tmp_path) as db:
        service = ExampleCRUDService(ExampleDAO(db))
        for resource in (ExampleResource("plain"), ExampleResource("ünïcode ✓ 日本語", 'quote " \\ \n\u2028', {}),
                         ExampleResource("nested", None, {"a": [1, 2.5, None, {"b": True}], "ü": "x"})):
            await service.create(resource)
        first = (await service.list(limit=1)).resources[0]
        await service.patch(str(first.id), {"description": "added", "properties": {"k": "v"}})
        await db["example"].insert_many([{"_id": "by-hand", "name": 5, "description": 6, "properties": [1]},
                                         {"_id": 7, "properties": {"x": 1}, "extra": "dropped"}])
        page, bodies = await service.list(limit=100), await service.list_bodies(limit=100)
        assert bodies.total == page.total == 5
        assert encode_json(bodies.bodies) == encode_json([ExampleResourceResponseMapper.to_body(resource)
                                                          for resource in page.resources])
        for resource in page.resources:
            if resource.id == "7":
                continue  # an int id has no URL: the text "7" names another resource
            read, model = await service.get_body(str(resource.id)), await service.get(str(resource.id))
            assert encode_json(read.value) == encode_json(ExampleResourceResponseMapper.to_body(model.value))
            assert read.etag == model.etag
        assert (await service.list_bodies(offset=2, limit=2)).bodies == bodies.bodies[2:4]
        assert (await service.list_bodies(offset=9)).bodies == []
        with pytest.raises(NotFoundError, match="resource nope not found"):
            await service.get_body("nope")
