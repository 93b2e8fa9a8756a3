"""The bare-Tornado reference answers the same endpoints as this server (so the bench compares like with like)."""

import json
import shutil
import tempfile
from pathlib import Path

from tornado.testing import AsyncHTTPTestCase

from tests.benchmarks import peer_store
from tests.benchmarks.bare_app import StatusHandler, make_app, seeded_tasks
from tests.benchmarks.bare_store_app import SQLiteTasks, make_store_app


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


class BareStoreAppTest(AsyncHTTPTestCase):
    """`--db`: the same endpoints on the SQLite store the bench's peers share, PUT included."""

    def get_app(self):
        directory = tempfile.mkdtemp(prefix="bare-store-")
        self.addCleanup(shutil.rmtree, directory, True)
        path = Path(directory) / "tasks.sqlite3"
        peer_store.create_seeded_store(path, ["a" * 24, "b" * 24])
        self.store = SQLiteTasks(path)
        self.addCleanup(self.store.executor.shutdown)
        return make_store_app(self.store, StatusHandler)

    def test_seeded_tasks_are_read_and_listed(self):
        assert json.loads(self.fetch("/tasks/" + "a" * 24).body) == peer_store.seeded_document(1)
        listed = self.fetch("/tasks?limit=1")
        assert list(json.loads(listed.body)) == ["a" * 24]
        assert listed.headers["X-Total-Count"] == "2"
        assert self.fetch("/tasks/unknown").code == 404
        assert self.fetch("/tasks?limit=0").code == 400

    def test_post_then_put_then_get(self):
        created = self.fetch("/tasks", method="POST", body=json.dumps({"title": "bench"}))
        assert created.code == 201
        location = created.headers["Location"]
        replaced = self.fetch(location, method="PUT", body=json.dumps({"title": "again", "priority": "high"}))
        assert replaced.code == 204
        assert json.loads(self.fetch(location).body) == {"title": "again", "priority": "high"}
        assert self.fetch("/tasks/unknown", method="PUT", body=json.dumps({"title": "x"})).code == 404
        assert self.fetch("/tasks", method="POST", body=json.dumps({"title": ""})).code == 400
