"""ETags and preconditions on `/tasks/{id}` through the real Application: ETag on GET/PUT/PATCH answers,
`If-None-Match` -> 304, `If-Match` on PUT/PATCH/DELETE (412 in the error shape, `*`, lists, weak tags), and
`PATCH` as a JSON merge patch (RFC 7396) with PUT's validation."""

from __future__ import annotations

import json
from typing import Any

from tests.unit.request_handlers.test_tasks import TasksTestCase

MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


class ConditionalTestCase(TasksTestCase):
    def etag_of(self, task_id: str) -> str:
        response = self.call("GET", f"/tasks/{task_id}")
        assert response.code == 200
        return str(response.headers["Etag"])

    def stored(self, task_id: str) -> dict[str, Any]:
        body: dict[str, Any] = json.loads(self.call("GET", f"/tasks/{task_id}").body)
        return body

    def patch(self, task_id: str, patch: Any, headers: dict[str, str] | None = None) -> Any:
        return self.call("PATCH", f"/tasks/{task_id}", patch, {**MERGE_PATCH, **(headers or {})})


class TestEntityTags(ConditionalTestCase):
    def test_put_and_patch_answer_with_the_etag_a_get_then_shows(self) -> None:
        task_id = self.create({"title": "tagged"})
        first = self.etag_of(task_id)
        put = self.call("PUT", f"/tasks/{task_id}", {"title": "replaced"})
        assert put.code == 204
        assert put.headers["Etag"] not in (None, first)
        assert self.etag_of(task_id) == put.headers["Etag"]
        patched = self.patch(task_id, {"completed": True})
        assert patched.code == 200
        assert patched.headers["Etag"] not in (first, put.headers["Etag"])
        assert self.etag_of(task_id) == patched.headers["Etag"]

    def test_if_none_match_is_a_weak_comparison_and_star_matches(self) -> None:
        task_id = self.create({"title": "cached"})
        etag = self.etag_of(task_id)
        for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
            answer = self.call("GET", f"/tasks/{task_id}", headers={"If-None-Match": header})
            assert answer.code == 304, header
            assert answer.headers["Etag"] == etag
        assert self.call("GET", f"/tasks/{task_id}", headers={"If-None-Match": '"other"'}).code == 200


class TestIfMatch(ConditionalTestCase):
    def test_a_stale_etag_is_412_in_the_error_shape_and_nothing_is_written(self) -> None:
        task_id = self.create({"title": "original"})
        stale = self.etag_of(task_id)
        self.patch(task_id, {"title": "renamed by someone else"})
        for method, body, headers in (("PUT", {"title": "mine"}, {}),
                                      ("PATCH", {"completed": True}, MERGE_PATCH),
                                      ("DELETE", None, {})):
            answer = self.call(method, f"/tasks/{task_id}", body, {**headers, "If-Match": stale})
            error = self.assert_error(answer, 412, f"task {task_id} has changed since it was read")
            assert error["method"] == method
        assert self.stored(task_id) == {"title": "renamed by someone else", "priority": "none", "completed": False}

    def test_the_current_etag_a_list_of_tags_or_star_lets_the_write_through(self) -> None:
        task_id = self.create({"title": "v1"})
        current = self.etag_of(task_id)
        put = self.call("PUT", f"/tasks/{task_id}", {"title": "v2"}, {"If-Match": current})
        assert put.code == 204
        listed = f'"not-it", {put.headers["Etag"]}'
        assert self.patch(task_id, {"title": "v3"}, {"If-Match": listed}).code == 200
        assert self.patch(task_id, {"title": "v4"}, {"If-Match": "*"}).code == 200
        assert self.stored(task_id)["title"] == "v4"
        assert self.call("DELETE", f"/tasks/{task_id}", headers={"If-Match": self.etag_of(task_id)}).code == 204
        self.assert_error(self.call("GET", f"/tasks/{task_id}"), 404, "not found")

    def test_weak_tags_never_match_if_match(self) -> None:
        task_id = self.create({"title": "strong only"})
        weak = "W/" + self.etag_of(task_id)
        self.assert_error(self.patch(task_id, {"title": "x"}, {"If-Match": weak}), 412, "has changed")

    def test_a_missing_task_is_404_whatever_the_precondition(self) -> None:
        missing = "6650f0a2c1d2e3f4a5b6c7d8"
        for header in ('"abc"', "*"):
            self.assert_error(self.call("PUT", f"/tasks/{missing}", {"title": "x"}, {"If-Match": header}), 404,
                              "not found")
            self.assert_error(self.patch(missing, {"title": "x"}, {"If-Match": header}), 404, "not found")
            self.assert_error(self.call("DELETE", f"/tasks/{missing}", headers={"If-Match": header}), 404,
                              "not found")


class TestMergePatch(ConditionalTestCase):
    def test_members_are_set_kept_or_removed_with_null(self) -> None:
        task_id = self.create({"title": "Ship", "description": "v1", "priority": "high", "due_date": 1735689600})
        answer = self.patch(task_id, {"description": None, "due_date": None, "completed": True})
        assert answer.code == 200
        assert answer.headers["Content-Type"].startswith("application/json")
        expected = {"title": "Ship", "priority": "high", "completed": True}
        assert json.loads(answer.body) == expected
        assert self.stored(task_id) == expected

    def test_application_json_is_accepted_and_other_types_are_415(self) -> None:
        task_id = self.create({"title": "typed"})
        json_patch = self.call("PATCH", f"/tasks/{task_id}", {"priority": "low"},
                               {"Content-Type": "application/json; charset=utf-8"})
        assert json_patch.code == 200
        for content_type in ("application/x-www-form-urlencoded", "application/json-patch+json", "text/plain"):
            self.assert_error(self.call("PATCH", f"/tasks/{task_id}", {"priority": "high"},
                                        {"Content-Type": content_type}), 415, "Content-Type must be")
        assert self.stored(task_id)["priority"] == "low"

    def test_the_result_is_validated_like_a_put_naming_the_field(self) -> None:
        task_id = self.create({"title": "valid"})
        cases: list[tuple[Any, str]] = [
            ({"title": None}, "field 'title' is required"),
            ({"title": ""}, "field 'title' must not be empty"),
            ({"priority": "asap"}, "field 'priority' must be one of"),
            ({"completed": "yes"}, "field 'completed' must be a boolean"),
            ({"due_date": 1.5}, "field 'due_date' must be a whole number"),
            ({"colour": "red"}, "unknown field 'colour'"),
            ({"colour": None}, "unknown field 'colour'"),
            ("[]", "request body must be a JSON object"),
            ("", "request body is empty"),
        ]
        for patch, message in cases:
            self.assert_error(self.patch(task_id, patch), 400, message)
        assert self.stored(task_id) == {"title": "valid", "priority": "none", "completed": False}
