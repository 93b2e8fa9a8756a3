"""`EmbeddedAppTestCase`: the whole Application, as start-up composes it, over a temporary embedded store, with
one `call()` that sends JSON bodies the way the handler tests write them."""

from __future__ import annotations

import json
import shutil
import tempfile
from typing import Any

from tornado.httpclient import HTTPResponse
from tornado.testing import AsyncHTTPTestCase
from tornado.web import Application

from src.database.embedded import EmbeddedClient
from src.server.application_factory import ApplicationFactory
from tests.support.components import make_components

# Tornado's test client refuses these methods without a body; an absent body is sent as an empty one.
BODY_METHODS = ("POST", "PUT", "PATCH")


class EmbeddedAppTestCase(AsyncHTTPTestCase):
    def get_app(self) -> Application:
        self.folder = tempfile.mkdtemp(prefix="tb-app-")
        self.client = EmbeddedClient(self.folder)
        # The Router's own table, as start-up composes it, over this test's embedded store.
        return ApplicationFactory.create(make_components(database=self.client["test"]))

    def tearDown(self) -> None:
        self.client.close()
        super().tearDown()
        shutil.rmtree(self.folder, ignore_errors=True)

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> HTTPResponse:
        payload = None if body is None else (body if isinstance(body, str | bytes) else json.dumps(body))
        if payload is None and method in BODY_METHODS:
            payload = b""
        return self.fetch(path, method=method, body=payload, headers=headers, raise_error=False)
