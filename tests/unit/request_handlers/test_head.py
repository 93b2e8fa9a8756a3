"""HEAD is answered wherever GET is: the same status and headers, no body; a resource without GET keeps its 405."""

from __future__ import annotations

import shutil
import tempfile

from tornado.testing import AsyncHTTPTestCase
from tornado.web import Application

from src.database.embedded import EmbeddedClient
from src.request_handlers.custom_request_handler import CustomRequestHandler
from src.server.application_factory import ApplicationFactory
from tests.support.components import make_components


class PostOnlyHandler(CustomRequestHandler):
    SUPPORTED_METHODS = ("POST", "OPTIONS")

    def post(self) -> None:
        self.make_response({"posted": True})


class HeadTest(AsyncHTTPTestCase):
    def get_app(self) -> Application:
        self.folder = tempfile.mkdtemp(prefix="tb-head-")
        self.client = EmbeddedClient(self.folder)
        application = ApplicationFactory.create(make_components(database=self.client["test"]))
        application.add_handlers(r".*", [(r"/post-only", PostOnlyHandler)])
        return application

    def tearDown(self) -> None:
        self.client.close()
        super().tearDown()
        shutil.rmtree(self.folder, ignore_errors=True)

    def assert_head_like_get(self, path: str) -> None:
        get = self.fetch(path)
        head = self.fetch(path, method="HEAD")
        assert head.code == get.code == 200, (path, head.code, get.code)
        assert head.body == b""
        for name in ("Content-Type", "Content-Length", "Etag"):
            assert head.headers.get(name) == get.headers.get(name), (path, name)

    def test_head_answers_like_get_on_the_page_the_probes_and_the_api(self) -> None:
        created = self.fetch("/tasks", method="POST", body='{"title": "head"}')
        for path in ("/", "/ping", "/tasks", created.headers["Location"]):
            self.assert_head_like_get(path)

    def test_head_of_a_conditional_get_is_304(self) -> None:
        location = self.fetch("/tasks", method="POST", body='{"title": "etag"}').headers["Location"]
        etag = self.fetch(location).headers["Etag"]
        assert self.fetch(location, method="HEAD", headers={"If-None-Match": etag}).code == 304

    def test_head_is_in_allow_only_where_get_is(self) -> None:
        assert "HEAD" in self.fetch("/ping", method="OPTIONS").headers["Allow"].split(", ")
        refused = self.fetch("/post-only", method="HEAD")
        assert refused.code == 405 and "HEAD" not in refused.headers["Allow"]
        assert self.fetch("/nothing-here", method="HEAD").code == 404
