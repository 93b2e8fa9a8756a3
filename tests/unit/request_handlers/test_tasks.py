"""The /tasks API through the real Application on the embedded store: every endpoint, status, header and
validation error, the spec's form-encoded bodies, ETag/304, paging, CORS, and 503 when the database is down."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from motor.motor_asyncio import AsyncIOMotorClient
from tornado.httpclient import HTTPResponse
from tornado.testing import AsyncHTTPTestCase
from tornado.web import Application

from src.server.application_factory import ApplicationFactory
from tests.support.components import make_components
from tests.support.embedded_app import EmbeddedAppTestCase
from tests.support.server_process import free_port

ERROR_KEYS = {"code", "message", "method", "uri", "request_id"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}  # what `curl -d` sends


class TasksTestCase(EmbeddedAppTestCase):
    def create(self, task: dict[str, Any]) -> str:
        response = self.call("POST", "/tasks", task)
        assert response.code == 201, response.body
        return response.headers["Location"].rsplit("/", 1)[1]

    def assert_error(self, response: HTTPResponse, code: int, message: str) -> dict[str, Any]:
        assert response.code == code
        assert response.headers["Content-Type"].startswith("application/json")
        body: dict[str, Any] = json.loads(response.body)
        assert set(body) == ERROR_KEYS
        assert body["code"] == code
        assert message in body["message"], body["message"]
        return body


class TestCreate(TasksTestCase):
    def test_post_answers_201_with_location_and_an_empty_body(self) -> None:
        response = self.call("POST", "/tasks", '{"title": "Task1"}', FORM)
        assert response.code == 201
        assert response.body == b""
        assert response.headers["Content-Length"] == "0"
        assert "Content-Type" not in response.headers  # no body to describe, and never Tornado's text/html
        location = response.headers["Location"]
        assert location.startswith("/tasks/")
        fetched = self.call("GET", location)
        assert json.loads(fetched.body) == {"title": "Task1", "priority": "none", "completed": False}

    def test_every_field_is_stored(self) -> None:
        task = {"title": "Ship", "description": "v1", "priority": "urgent", "completed": True, "due_date": 1735689600}
        task_id = self.create(task)
        assert json.loads(self.call("GET", f"/tasks/{task_id}").body) == task

    def test_the_task_id_is_on_the_canonical_log_line(self) -> None:
        with self._caplog.at_level(logging.INFO):
            task_id = self.create({"title": "logged"})
            self.call("GET", f"/tasks/{task_id}")
        lines = [record.getMessage() for record in self._caplog.records if "uri=/tasks" in record.getMessage()]
        assert len(lines) == 2
        assert all(f"task_id={task_id}" in line for line in lines)

    @pytest.fixture(autouse=True)
    def _capture_logs(self, caplog: pytest.LogCaptureFixture) -> None:
        self._caplog = caplog


class TestValidation(TasksTestCase):
    def test_bad_bodies_are_400_naming_the_problem(self) -> None:
        cases: list[tuple[Any, str]] = [
            ("", "request body is empty"),
            (" \r\n\t", "request body is empty"),
            ("\u00a0", "request body is not valid JSON: Expecting value"),  # not white space in JSON
            ("{not json", "request body is not valid JSON"),
            ("[1, 2]", "request body must be a JSON object, not an array"),
            ({}, "field 'title' is required"),
            ({"title": ""}, "field 'title' must not be empty"),
            ({"title": "x" * 201}, "at most 200 characters"),
            ({"title": 7}, "field 'title' must be a string"),
            ({"title": "t", "description": False}, "field 'description' must be a string"),
            ({"title": "t", "priority": "asap"}, "field 'priority' must be one of urgent, high, normal, low, none"),
            ({"title": "t", "completed": "true"}, "field 'completed' must be a boolean"),
            ({"title": "t", "due_date": True}, "field 'due_date' must be a whole number of epoch seconds"),
            ({"title": "t", "due_date": 12.5}, "field 'due_date' must be a whole number of epoch seconds"),
            ({"title": "t", "colour": "red", "size": 1}, "unknown fields 'colour', 'size'"),
        ]
        for body, message in cases:
            self.assert_error(self.call("POST", "/tasks", body), 400, message)
        task_id = self.create({"title": "kept"})
        for body, message in cases:
            self.assert_error(self.call("PUT", f"/tasks/{task_id}", body), 400, message)
        assert json.loads(self.call("GET", f"/tasks/{task_id}").body)["title"] == "kept"
        listed = self.call("GET", "/tasks")
        assert listed.headers["X-Total-Count"] == "1"


class TestReadOne(TasksTestCase):
    def test_get_has_an_etag_and_if_none_match_answers_304(self) -> None:
        task_id = self.create({"title": "cached"})
        first = self.call("GET", f"/tasks/{task_id}")
        assert first.code == 200
        etag = first.headers["Etag"]
        assert etag.startswith('"') and etag.endswith('"')
        unchanged = self.call("GET", f"/tasks/{task_id}", headers={"If-None-Match": etag})
        assert unchanged.code == 304
        assert unchanged.body == b""
        self.call("PUT", f"/tasks/{task_id}", {"title": "changed"})
        changed = self.call("GET", f"/tasks/{task_id}", headers={"If-None-Match": etag})
        assert changed.code == 200
        assert changed.headers["Etag"] != etag

    def test_unknown_ids_are_404_json(self) -> None:
        body = self.assert_error(self.call("GET", "/tasks/66fdbb78e79846849608b2cfe244a858"), 404,
                                 "task 66fdbb78e79846849608b2cfe244a858 not found")
        assert body["uri"] == "/tasks/66fdbb78e79846849608b2cfe244a858"
        self.assert_error(self.call("GET", "/tasks/6650f0a2c1d2e3f4a5b6c7d8"), 404, "not found")
        self.assert_error(self.call("PUT", "/tasks/6650f0a2c1d2e3f4a5b6c7d8", {"title": "x"}), 404, "not found")
        self.assert_error(self.call("DELETE", "/tasks/6650f0a2c1d2e3f4a5b6c7d8"), 404, "not found")

    def test_routes_do_not_over_match(self) -> None:
        self.assert_error(self.call("GET", "/tasksXYZ"), 404, "no resource at /tasksXYZ")
        self.assert_error(self.call("GET", "/tasks/a/b"), 404, "no resource")
        self.assert_error(self.call("GET", "/tasks//"), 404, "no resource")


class TestReplaceAndDelete(TasksTestCase):
    def test_put_replaces_the_whole_task_and_answers_204(self) -> None:
        task_id = self.create({"title": "Task1", "priority": "high", "description": "d", "due_date": 5})
        response = self.call("PUT", f"/tasks/{task_id}", '{"title": "Task2"}', FORM)
        assert response.code == 204
        assert response.body == b""
        assert json.loads(self.call("GET", f"/tasks/{task_id}").body) == {
            "title": "Task2", "priority": "none", "completed": False}

    def test_delete_answers_204_then_404(self) -> None:
        task_id = self.create({"title": "short-lived"})
        assert self.call("DELETE", f"/tasks/{task_id}").code == 204
        self.assert_error(self.call("GET", f"/tasks/{task_id}"), 404, "not found")
        self.assert_error(self.call("DELETE", f"/tasks/{task_id}"), 404, "not found")

    def test_unsupported_methods_are_405_with_allow(self) -> None:
        response = self.call("PATCH", "/tasks", {"title": "x"})
        self.assert_error(response, 405, "Method Not Allowed")
        assert response.headers["Allow"] == "GET, HEAD, POST, OPTIONS"
        self.assert_error(self.call("DELETE", "/tasks"), 405, "Method Not Allowed")


class TestList(TasksTestCase):
    def test_empty_list_is_an_empty_object(self) -> None:
        response = self.call("GET", "/tasks")
        assert response.code == 200
        assert json.loads(response.body) == {}
        assert response.headers["X-Total-Count"] == "0"
        assert "Etag" in response.headers

    def test_the_lists_etag_answers_304_until_the_list_changes(self) -> None:
        self.create({"title": "first"})
        etag = self.call("GET", "/tasks").headers["Etag"]
        for sent in (etag, f"W/{etag}", f'"other", {etag}', "*"):
            unchanged = self.call("GET", "/tasks", headers={"If-None-Match": sent})
            assert (unchanged.code, unchanged.body) == (304, b""), sent
        assert self.call("GET", "/tasks", headers={"If-None-Match": '"other"'}).code == 200
        self.create({"title": "second"})
        assert self.call("GET", "/tasks", headers={"If-None-Match": etag}).code == 200

    def test_list_is_an_object_of_id_to_task_in_creation_order(self) -> None:
        ids = [self.create({"title": f"task {n}", "completed": n % 2 == 0}) for n in range(5)]
        response = self.call("GET", "/tasks")
        body = json.loads(response.body)
        assert list(body) == ids
        assert body[ids[2]] == {"title": "task 2", "priority": "none", "completed": True}
        assert response.headers["X-Total-Count"] == "5"

    def test_limit_and_offset_page_the_list(self) -> None:
        ids = [self.create({"title": f"task {n}"}) for n in range(7)]
        page = self.call("GET", "/tasks?limit=3&offset=2")
        assert list(json.loads(page.body)) == ids[2:5]
        assert page.headers["X-Total-Count"] == "7"
        assert list(json.loads(self.call("GET", "/tasks?offset=6").body)) == ids[6:]
        assert json.loads(self.call("GET", "/tasks?offset=100").body) == {}
        assert list(json.loads(self.call("GET", "/tasks?limit=1000").body)) == ids

    def test_invalid_paging_arguments_are_400(self) -> None:
        for query, message in [("limit=0", "'limit' must be 1-1000 (got 0)"),
                               ("limit=1001", "'limit' must be 1-1000 (got 1001)"),
                               ("limit=ten", "'limit' must be a whole number"),
                               ("offset=-1", "'offset' must be >= 0 (got -1)"),
                               ("offset=1.5", "'offset' must be a whole number")]:
            self.assert_error(self.call("GET", f"/tasks?{query}"), 400, message)

    def test_completed_lists_only_the_done_or_the_open_tasks_and_counts_them(self) -> None:
        ids = [self.create({"title": f"task {n}", "completed": n % 2 == 0}) for n in range(5)]
        # Written by hand: read as not done, so listed and counted as open.
        self.io_loop.run_sync(lambda: self.client["test"]["tasks"].insert_many(
            [{"title": "no completed field"}, {"title": "odd value", "completed": "yes"}]))
        done = self.call("GET", "/tasks?completed=true")
        assert list(json.loads(done.body)) == [ids[0], ids[2], ids[4]]
        assert done.headers["X-Total-Count"] == "3"
        open_ = self.call("GET", "/tasks?completed=false")
        listed = json.loads(open_.body)
        assert list(listed)[:2] == [ids[1], ids[3]] and len(listed) == 4
        assert not any(task["completed"] for task in listed.values())
        assert open_.headers["X-Total-Count"] == "4"
        left = self.call("GET", "/tasks?completed=false&limit=1")  # how many are left, as the page asks
        assert len(json.loads(left.body)) == 1 and left.headers["X-Total-Count"] == "4"
        assert list(json.loads(self.call("GET", "/tasks?completed=true&limit=1&offset=1").body)) == [ids[2]]
        assert self.call("GET", "/tasks?completed=").headers["X-Total-Count"] == "7"  # empty: no filter

    def test_completed_other_than_true_or_false_is_400(self) -> None:
        for value in ("yes", "1", "True", "false,true"):
            self.assert_error(self.call("GET", f"/tasks?completed={value}"), 400,
                              "query argument 'completed' must be true or false")

    def test_the_default_page_is_100(self) -> None:
        documents = [{"title": f"bulk {n}"} for n in range(105)]
        self.io_loop.run_sync(lambda: self.client["test"]["tasks"].insert_many(documents))
        response = self.call("GET", "/tasks")
        assert len(json.loads(response.body)) == 100
        assert response.headers["X-Total-Count"] == "105"


class TestTrailingSlash(TasksTestCase):
    def test_the_collection_answers_with_a_trailing_slash_as_without(self) -> None:
        created = self.call("POST", "/tasks/", {"title": "Task1"})
        assert created.code == 201
        task_id = created.headers["Location"].removeprefix("/tasks/")
        listed = self.call("GET", "/tasks/")
        assert (listed.code, json.loads(listed.body)) == (200, {task_id: {"title": "Task1", "priority": "none",
                                                                           "completed": False}})
        assert listed.body == self.call("GET", "/tasks").body
        assert self.call("GET", "/tasks/?limit=1").headers["X-Total-Count"] == "1"

    def test_an_entry_with_a_trailing_slash_is_still_a_404(self) -> None:
        task_id = self.create({"title": "Task1"})
        self.assert_error(self.call("GET", f"/tasks/{task_id}/"), 404, "no resource")


class TestCors(TasksTestCase):
    def test_preflight_and_exposed_headers(self) -> None:
        preflight = self.call("OPTIONS", "/tasks/abc", headers={"Origin": "http://app.example",
                                                               "Access-Control-Request-Method": "PUT"})
        assert preflight.code == 204
        assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD, PUT, PATCH, DELETE, OPTIONS"
        assert "If-Match" in preflight.headers["Access-Control-Allow-Headers"].split(", ")
        created = self.call("POST", "/tasks", {"title": "cors"}, {"Origin": "http://app.example"})
        assert created.headers["Access-Control-Allow-Origin"] == "*"
        assert "Location" in created.headers["Access-Control-Expose-Headers"]
        assert "X-Total-Count" in created.headers["Access-Control-Expose-Headers"]
        assert "ETag" in created.headers["Access-Control-Expose-Headers"]


@pytest.mark.slow  # waits out the server selection timeout
class TestDatabaseDown(AsyncHTTPTestCase):
    def get_app(self) -> Application:
        motor: Any = AsyncIOMotorClient(f"mongodb://127.0.0.1:{free_port()}", serverSelectionTimeoutMS=300)
        self.motor = motor
        return ApplicationFactory.create(make_components(database=motor["test"]))

    def tearDown(self) -> None:
        self.motor.close()
        super().tearDown()

    def test_an_unreachable_mongodb_is_503_json(self) -> None:
        for method, path, body in [("GET", "/tasks", None), ("POST", "/tasks", '{"title": "x"}'),
                                   ("GET", "/tasks/6650f0a2c1d2e3f4a5b6c7d8", None)]:
            response = self.fetch(path, method=method, body=body, raise_error=False)
            assert response.code == 503
            assert json.loads(response.body)["message"] == "the database is not available; try again shortly"


class TestNoDatabase(AsyncHTTPTestCase):
    def get_app(self) -> Application:
        return ApplicationFactory.create(make_components())

    def test_without_a_database_the_api_is_503(self) -> None:
        response = self.fetch("/tasks", raise_error=False)
        assert response.code == 503
        assert json.loads(response.body)["message"] == "the database is not started"
