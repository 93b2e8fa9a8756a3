"""The bare-Tornado reference answers the same endpoints as this server (so the bench compares like with like)."""

import json

from tornado.testing import AsyncHTTPTestCase

from tests.benchmarks.bare_app import make_app, seeded_tasks


class BareAppTest(AsyncHTTPTestCase):
    def get_app(self):
        return make_app(seeded_tasks(3))

    def test_ping_and_health(self):
        for path in ("/ping", "/health"):
            response = self.fetch(path)
            assert response.code == 200
            assert json.loads(response.body) == {"status": "ok"}

    def test_post_then_get(self):
        created = self.fetch("/tasks", method="POST", body=json.dumps({"title": "bench"}))
        assert created.code == 201
        location = created.headers["Location"]
        task = json.loads(self.fetch(location).body)
        assert task["title"] == "bench"
        assert location == f"/tasks/{task['id']}"

    def test_seeded_tasks_are_listed_up_to_the_limit(self):
        listed = self.fetch("/tasks?limit=2")
        assert list(json.loads(listed.body)) == [f"{1:032x}", f"{2:032x}"]
        assert listed.headers["X-Total-Count"] == "3"
        assert json.loads(self.fetch(f"/tasks/{1:032x}").body)["title"] == "task 1"
        assert self.fetch("/tasks/unknown").code == 404
