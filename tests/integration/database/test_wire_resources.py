"""The CRUD example (`/resources`) over the wire: the real `python server.py` on Motor, against nx-27017 (a
MongoDB wire-protocol server, started on a free port): every verb, ETag/If-Match, and the `example` collection."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from pymongo import MongoClient

from tests.integration.tasks.http_calls import Answer, call
from tests.support.nx_27017_process import Nx27017Process
from tests.support.server_process import ServerProcess

JSON = {"Content-Type": "application/json"}
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


@pytest.fixture(scope="module")
def deployment() -> Iterator[tuple[ServerProcess, Nx27017Process]]:
    with Nx27017Process() as mongodb, ServerProcess(["--db_uri", mongodb.uri("wire_resources"),
                                                      "--db_driver", "motor"]) as server:
        yield server, mongodb


def send(server: ServerProcess, method: str, path: str, body: object = None,
         headers: dict[str, str] | None = None) -> Answer:
    return call(server.port, method, path, None if body is None else json.dumps(body), headers or JSON)


def test_every_verb_of_the_crud_example_over_motor(deployment: tuple[ServerProcess, Nx27017Process]) -> None:
    server, mongodb = deployment
    created = send(server, "POST", "/resources", {"name": "lamp", "properties": {"watts": 40, "on": True}})
    assert created.status == 201
    location = created.headers["Location"]
    resource_id = created.json()["id"]
    assert location == f"/resources/{resource_id}"

    listed = send(server, "GET", "/resources/?limit=10")
    assert [item["id"] for item in listed.json()] == [resource_id] and listed.headers["X-Total-Count"] == "1"
    read = send(server, "GET", location)
    etag = read.headers["Etag"]
    assert read.json() == {"id": resource_id, "name": "lamp", "properties": {"watts": 40, "on": True}}
    assert send(server, "GET", location, headers={"If-None-Match": etag}).status == 304

    patched = send(server, "PATCH", location, {"properties": {"on": None, "colour": "red"}},
                   {**MERGE_PATCH, "If-Match": etag})
    assert patched.status == 200 and patched.json()["properties"] == {"watts": 40, "colour": "red"}
    assert send(server, "PATCH", location, {"name": "x"}, {**MERGE_PATCH, "If-Match": etag}).status == 412

    client: MongoClient[dict[str, object]] = MongoClient(mongodb.uri("wire_resources"), serverSelectionTimeoutMS=3000)
    with client:
        stored = client["wire_resources"]["example"].find_one()
    assert stored is not None and stored["properties"] == {"watts": 40, "colour": "red"}

    assert send(server, "DELETE", location, headers={"If-Match": patched.headers["Etag"]}).status == 204
    assert send(server, "GET", location).status == 404
