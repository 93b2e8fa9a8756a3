"""The CRUD example through the real Application (`/resources`, the spec's optional-id route) on the embedded
store: every verb, paging, Location, ETag/304, merge patch, If-Match, 404/405/400/412/415 in the error shape."""

from __future__ import annotations

import json
from typing import Any

from tornado.httpclient import HTTPResponse

from tests.support.embedded_app import EmbeddedAppTestCase

ERROR_KEYS = {"code", "message", "method", "uri", "request_id"}
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


class ResourcesTestCase(EmbeddedAppTestCase):
    def create(self, body: dict[str, Any]) -> str:
        response = self.call("POST", "/resources", body)
        assert response.code == 201, response.body
        return str(response.headers["Location"].removeprefix("/resources/"))

    def assert_error(self, response: HTTPResponse, code: int, message: str) -> dict[str, Any]:
        assert response.code == code, response.body
        body: dict[str, Any] = json.loads(response.body)
        assert set(body) == ERROR_KEYS and body["code"] == code
        assert message in body["message"], body["message"]
        return body


class TestCollection(ResourcesTestCase):
    def test_post_answers_201_with_location_and_the_resource(self) -> None:
        response = self.call("POST", "/resources", {"name": "lamp", "properties": {"watts": 40}})
        assert response.code == 201
        body = json.loads(response.body)
        assert response.headers["Location"] == f"/resources/{body['id']}"
        assert body == {"id": body["id"], "name": "lamp", "properties": {"watts": 40}}

    def test_the_list_is_paged_in_creation_order_with_the_total(self) -> None:
        ids = [self.create({"name": f"r{n}"}) for n in range(5)]
        response = self.call("GET", "/resources?limit=2&offset=1")
        assert [item["id"] for item in json.loads(response.body)] == ids[1:3]
        assert response.headers["X-Total-Count"] == "5"
        assert [item["name"] for item in json.loads(self.call("GET", "/resources/").body)] == [
            f"r{n}" for n in range(5)]
        self.assert_error(self.call("GET", "/resources?limit=0"), 400, "'limit' must be 1-1000 (got 0)")

    def test_invalid_bodies_are_400s_naming_the_field(self) -> None:
        self.assert_error(self.call("POST", "/resources", {"name": ""}), 400, "field 'name' must not be empty")
        self.assert_error(self.call("POST", "/resources", "[1]"), 400, "must be a JSON object")
        self.assert_error(self.call("POST", "/resources", {"name": "x", "id": "mine"}), 400, "unknown field 'id'")

    def test_writes_to_the_collection_itself_are_405(self) -> None:
        for method in ("PATCH", "DELETE"):
            response = self.call(method, "/resources", {} if method == "PATCH" else None)
            self.assert_error(response, 405, f"{method} is not allowed on the collection")
            assert response.headers["Allow"] == "GET, POST, OPTIONS"
        response = self.call("POST", "/resources/abc", {"name": "x"})
        self.assert_error(response, 405, "POST is not allowed on a resource")
        assert response.headers["Allow"] == "GET, PATCH, DELETE, OPTIONS"

    def test_options_lists_the_methods_of_each_path(self) -> None:
        assert self.call("OPTIONS", "/resources").headers["Allow"] == "GET, POST, OPTIONS"
        assert self.call("OPTIONS", "/resources/abc").headers["Allow"] == "GET, PATCH, DELETE, OPTIONS"


class TestOneResource(ResourcesTestCase):
    def test_get_answers_the_resource_with_an_etag_and_304_when_unchanged(self) -> None:
        resource_id = self.create({"name": "lamp", "description": "desk"})
        response = self.call("GET", f"/resources/{resource_id}")
        assert json.loads(response.body) == {"id": resource_id, "name": "lamp", "description": "desk",
                                             "properties": {}}
        etag = response.headers["Etag"]
        unchanged = self.call("GET", f"/resources/{resource_id}", headers={"If-None-Match": etag})
        assert (unchanged.code, unchanged.body) == (304, b"")

    def test_patch_is_a_json_merge_patch(self) -> None:
        resource_id = self.create({"name": "lamp", "description": "desk", "properties": {"watts": 40, "on": True}})
        response = self.call("PATCH", f"/resources/{resource_id}",
                             {"description": None, "properties": {"watts": 60, "on": None, "colour": "red"}},
                             MERGE_PATCH)
        assert response.code == 200
        expected = {"id": resource_id, "name": "lamp", "properties": {"watts": 60, "colour": "red"}}
        assert json.loads(response.body) == expected
        assert response.headers["Etag"] == self.call("GET", f"/resources/{resource_id}").headers["Etag"]
        self.assert_error(self.call("PATCH", f"/resources/{resource_id}", {"name": None}, MERGE_PATCH), 400,
                          "field 'name' is required")
        # `null` for a field the resource does not have would be dropped unseen by merge-patch semantics.
        self.assert_error(self.call("PATCH", f"/resources/{resource_id}", {"colour": None, "|": None}, MERGE_PATCH),
                          400, "unknown fields 'colour', '|'")
        self.assert_error(self.call("PATCH", f"/resources/{resource_id}", {"name": "x"},
                                    {"Content-Type": "text/plain"}), 415, "application/merge-patch+json")

    def test_if_match_guards_patch_and_delete(self) -> None:
        resource_id = self.create({"name": "lamp"})
        stale = self.call("GET", f"/resources/{resource_id}").headers["Etag"]
        fresh = self.call("PATCH", f"/resources/{resource_id}", {"name": "desk lamp"},
                          {**MERGE_PATCH, "If-Match": stale}).headers["Etag"]
        self.assert_error(self.call("PATCH", f"/resources/{resource_id}", {"name": "old"},
                                    {**MERGE_PATCH, "If-Match": stale}), 412, "has changed")
        self.assert_error(self.call("DELETE", f"/resources/{resource_id}", headers={"If-Match": stale}), 412,
                          "has changed")
        assert self.call("DELETE", f"/resources/{resource_id}", headers={"If-Match": fresh}).code == 204
        self.assert_error(self.call("GET", f"/resources/{resource_id}"), 404, "not found")
        self.assert_error(self.call("DELETE", f"/resources/{resource_id}"), 404, "not found")

    def test_the_optional_id_route_does_not_over_match(self) -> None:
        resource_id = self.create({"name": "lamp"})
        for path in ("/resourcesXYZ", f"/resources{resource_id}", f"/resources/{resource_id}/", "/resources/a/b"):
            self.assert_error(self.call("GET", path), 404, "no resource at")

    def test_a_method_outside_the_supported_ones_is_405_with_allow(self) -> None:
        for path, allowed in (("/resources", "GET, POST, OPTIONS"), ("/resources/abc", "GET, PATCH, DELETE, OPTIONS")):
            response = self.call("PUT", path, {"name": "x"})
            self.assert_error(response, 405, "Method Not Allowed")
            assert response.headers["Allow"] == allowed
