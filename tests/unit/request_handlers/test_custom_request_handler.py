"""CustomRequestHandler through the real Application: the JSON error shape for every error path, body parsing,
the body size limit, sync and async methods, CORS, gzip, request ids, views and static files."""

from __future__ import annotations

import asyncio
import gzip
import json
import re
from typing import Any

from tornado.httpclient import HTTPResponse
from tornado.testing import AsyncHTTPTestCase
from tornado.web import Application

from src.database.mongo import Mongo
from src.lifecycle import HealthCheck
from src.model.errors import ServiceUnavailableError
from src.request_handlers.custom_request_handler import CustomRequestHandler
from src.server.application_factory import ApplicationFactory
from src.server.router import Router
from src.settings import ApplicationContext
from src.utils.command_line.argument_parsing_utils import replace_settings
from src.utils.concurrency.lock_manager import LockManager
from src.utils.logging import request_context
from tests.support.components import make_components

ERROR_KEYS = {"code", "message", "method", "uri", "request_id"}


class SyncProbe(CustomRequestHandler):
    def get(self) -> None:
        self.make_response({"style": "sync"})


class AsyncProbe(CustomRequestHandler):
    async def get(self) -> None:
        await asyncio.sleep(0)
        # The request id set by prepare() is visible to every coroutine the request awaits.
        self.make_response({"style": "async", "context_id": await _context_request_id()})


async def _context_request_id() -> str | None:
    await asyncio.sleep(0)
    return request_context.request_id()


class CrashProbe(CustomRequestHandler):
    def get(self) -> None:
        raise RuntimeError("secret internal detail")


class UnavailableProbe(CustomRequestHandler):
    def get(self) -> None:
        raise ServiceUnavailableError("the example dependency is down")


class DatabaseProbe(CustomRequestHandler):
    def get(self) -> None:
        self.make_response({"db": repr(Mongo.get())})


class LockProbe(CustomRequestHandler):
    def get(self) -> None:
        self.make_response({"lock": repr(LockManager.get())})


class PutOnlyProbe(CustomRequestHandler):
    SUPPORTED_METHODS = ("PUT",)

    def put(self) -> None:
        self.make_response(status_code=204)


class ResponseProbe(CustomRequestHandler):
    """make_response with the spec's keywords (POST) and positionally (PUT); make_error_response (DELETE)."""

    SUPPORTED_METHODS = ("POST", "PUT", "DELETE")

    def post(self) -> None:
        self.make_response(response_body={"created": True}, status_code=201)

    def put(self) -> None:
        self.make_response({"replaced": True}, 202, {"X-Probe": "positional"})

    def delete(self) -> None:
        self.make_error_response(409, "already gone", headers={"X-Probe": "error"})


class HeaderProbe(CustomRequestHandler):
    """set_header with the values it takes as they are and those it converts or refuses, as Tornado does."""

    def get(self) -> None:
        self.set_header("X-Text", "plain text, ASCII")
        self.set_header("X-Count", 42)
        self.set_header("X-Latin", "caf\u00e9\tbar")
        if self.get_argument("unsafe", None):
            self.set_header("X-Unsafe", "a\r\nSet-Cookie: x=1")
        self.make_response(status_code=204)


PROBES: list[Any] = [(r"/probe/headers", HeaderProbe),
                     (r"/probe/sync", SyncProbe), (r"/probe/async", AsyncProbe), (r"/probe/crash", CrashProbe),
                     (r"/probe/unavailable", UnavailableProbe), (r"/probe/db", DatabaseProbe),
                     (r"/probe/lock", LockProbe), (r"/probe/put-only", PutOnlyProbe),
                     (r"/probe/responses", ResponseProbe)]


class HandlerTestCase(AsyncHTTPTestCase):
    context = ApplicationContext()

    def get_app(self) -> Application:
        components = make_components(self.context)
        return ApplicationFactory.create(components, routes=[*Router.routes(components), *PROBES])

    def json_of(self, response: HTTPResponse) -> Any:
        assert response.headers["Content-Type"].startswith("application/json")
        return json.loads(response.body)

    def assert_error(self, response: HTTPResponse, code: int, method: str, uri: str) -> dict[str, Any]:
        assert response.code == code
        body = self.json_of(response)
        assert set(body) == ERROR_KEYS
        assert (body["code"], body["method"], body["uri"]) == (code, method, uri)
        assert body["request_id"] == response.headers["X-Request-ID"]
        return dict(body)


class TestErrors(HandlerTestCase):
    def test_unknown_paths_are_json_404s(self) -> None:
        for path in ("/nope", "/tasksXYZ", "/ping/extra", "/cors/1"):
            self.assert_error(self.fetch(path), 404, "GET", path)
        self.assert_error(self.fetch("/nope", method="POST", body="{}"), 404, "POST", "/nope")

    def test_wrong_method_is_405_with_allow(self) -> None:
        response = self.fetch("/ping", method="DELETE")
        self.assert_error(response, 405, "DELETE", "/ping")
        assert response.headers["Allow"] == "GET, HEAD, OPTIONS"

    def test_method_outside_supported_methods_is_405(self) -> None:
        self.assert_error(self.fetch("/probe/put-only"), 405, "GET", "/probe/put-only")
        assert self.fetch("/probe/put-only", method="PUT", body="").code == 204

    def test_unexpected_exception_is_a_json_500_without_internals(self) -> None:
        response = self.fetch("/probe/crash")
        body = self.assert_error(response, 500, "GET", "/probe/crash")
        assert body["message"] == "Internal Server Error"
        assert b"secret" not in response.body and b"Traceback" not in response.body and b".py" not in response.body

    def test_api_errors_keep_their_status_and_message(self) -> None:
        body = self.assert_error(self.fetch("/probe/unavailable"), 503, "GET", "/probe/unavailable")
        assert body["message"] == "the example dependency is down"

    def test_missing_database_and_lock_manager_are_503(self) -> None:
        assert "database" in self.assert_error(self.fetch("/probe/db"), 503, "GET", "/probe/db")["message"]
        assert "lock server" in self.assert_error(self.fetch("/probe/lock"), 503, "GET", "/probe/lock")["message"]
        locking = self.assert_error(self.fetch("/locking/x"), 503, "GET", "/locking/x")
        assert "lock server" in locking["message"]

    def test_reason_phrases_stay_standard(self) -> None:
        assert self.fetch("/nope").reason == "Not Found"
        assert self.fetch("/probe/unavailable").reason == "Service Unavailable"


class TestResponseHelpers(HandlerTestCase):
    def test_make_response_takes_the_spec_keywords_and_positional_arguments(self) -> None:
        created = self.fetch("/probe/responses", method="POST", body="")
        assert (created.code, self.json_of(created)) == (201, {"created": True})
        replaced = self.fetch("/probe/responses", method="PUT", body="")
        assert (replaced.code, self.json_of(replaced), replaced.headers["X-Probe"]) == (
            202, {"replaced": True}, "positional")

    def test_set_header_takes_text_converts_numbers_and_refuses_control_characters(self) -> None:
        response = self.fetch("/probe/headers")
        assert response.code == 204
        assert (response.headers["X-Text"], response.headers["X-Count"]) == ("plain text, ASCII", "42")
        assert response.headers["X-Latin"].encode("latin-1") == "caf\u00e9\tbar".encode("latin-1")
        response = self.fetch("/probe/headers?unsafe=1")
        self.assert_error(response, 500, "GET", "/probe/headers?unsafe=1")
        assert "Set-Cookie" not in response.headers

    def test_make_error_response_answers_the_error_shape_without_raising(self) -> None:
        response = self.fetch("/probe/responses", method="DELETE")
        body = self.assert_error(response, 409, "DELETE", "/probe/responses")
        assert body["message"] == "already gone"
        assert response.headers["X-Probe"] == "error"
        assert response.reason == "Conflict"


class TestDebugTraces(HandlerTestCase):
    context = replace_settings(ApplicationContext(), server={"debug": True})

    def test_debug_mode_adds_the_trace(self) -> None:
        response = self.fetch("/probe/crash")
        body = json.loads(response.body)
        assert response.code == 500 and "secret internal detail" in body["trace"]


class TestBodies(HandlerTestCase):
    context = replace_settings(ApplicationContext(), server={"max_body_size": 4096})

    def post_cors(self, body: bytes) -> HTTPResponse:
        return self.fetch("/cors", method="POST", body=body, headers={"Content-Type": "application/json"})

    def test_valid_object_is_echoed(self) -> None:
        response = self.post_cors(b'{"title": "caf\xc3\xa9"}')
        assert response.code == 200 and self.json_of(response) == {"received": {"title": "café"}}

    def test_each_bad_body_gets_a_400_saying_why(self) -> None:
        cases = {b"": "empty", b"   ": "empty", b'{"a": ': "not valid JSON", b"\xff\xfe{}": "UTF-8",
                 b"[1, 2]": "not an array", b'"text"': "not a string", b"null": "not null",
                 b'{"a": NaN}': "NaN is not a JSON value", b'{"a": [-Infinity]}': "-Infinity is not a JSON value",
                 b'{"a": "\\ud800"}': "unpaired UTF-16 surrogate", b'{"\\uDFFFx": 1}': "unpaired UTF-16 surrogate"}
        for raw, expected in cases.items():
            body = self.assert_error(self.post_cors(raw), 400, "POST", "/cors")
            assert expected in body["message"], (raw, body["message"])

    def test_escaped_non_ascii_and_surrogate_pairs_are_fine(self) -> None:
        response = self.post_cors(b'{"emoji": "\\ud83d\\ude00", "accent": "caf\\u00e9"}')
        assert self.json_of(response) == {"received": {"emoji": "\U0001f600", "accent": "café"}}

    def test_body_over_the_limit_is_a_json_413(self) -> None:
        response = self.post_cors(b"{" + b" " * 5000 + b"}")
        self.assert_error(response, 413, "POST", "/cors")
        assert self.post_cors(b"{" + b" " * 4000 + b"}").code == 200

    def test_chunked_body_over_the_limit_is_a_json_413(self) -> None:
        status, body = self.io_loop.run_sync(lambda: _raw_chunked_post(self.get_http_port(), 10_000))
        assert status == 413 and json.loads(body)["code"] == 413

    def test_chunked_body_under_the_limit_is_read_whole(self) -> None:
        status, body = self.io_loop.run_sync(lambda: _raw_chunked_post(self.get_http_port(), 1000))
        assert status == 200 and len(json.loads(body)["received"]["pad"]) == 1000


async def _raw_chunked_post(port: int, pad: int) -> tuple[int, bytes]:
    """A chunked upload (no Content-Length), sent in 512-byte chunks over a raw socket."""
    payload = json.dumps({"pad": "x" * pad}).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /cors HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    try:
        for start in range(0, len(payload), 512):
            piece = payload[start:start + 512]
            writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
    except (OSError, ConnectionError):
        pass  # the server may close once it has answered 413
    response = await reader.read()
    writer.close()
    head, _, body = response.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    if b"transfer-encoding: chunked" in head.lower():
        body = _dechunk(body)
    return status, body


def _dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, rest = data.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        out += rest[:size]
        data = rest[size + 2:]
    return out


class TestSyncAndAsync(HandlerTestCase):
    def test_both_method_styles_answer(self) -> None:
        assert self.json_of(self.fetch("/probe/sync")) == {"style": "sync"}
        response = self.fetch("/probe/async", headers={"X-Request-ID": "trace-42"})
        assert self.json_of(response) == {"style": "async", "context_id": "trace-42"}


class TestRequestIds(HandlerTestCase):
    def test_well_formed_id_is_echoed(self) -> None:
        assert self.fetch("/ping", headers={"X-Request-ID": "abc-123.x:y"}).headers["X-Request-ID"] == "abc-123.x:y"

    def test_missing_or_malformed_ids_are_replaced(self) -> None:
        seen = set()
        for header in (None, "x" * 129, "bad id", "a\"b", "ümlaut"):
            headers = {"X-Request-ID": header} if header else {}
            returned = self.fetch("/ping", headers=headers).headers["X-Request-ID"]
            assert re.fullmatch(r"[0-9a-f]{32}", returned)
            seen.add(returned)
        assert len(seen) == 5

    def test_error_body_carries_the_same_id(self) -> None:
        response = self.fetch("/nope", headers={"X-Request-ID": "req-9"})
        assert json.loads(response.body)["request_id"] == "req-9" == response.headers["X-Request-ID"]


class TestCors(HandlerTestCase):
    def test_cors_off_by_default(self) -> None:
        response = self.fetch("/ping", headers={"Origin": "https://app.example"})
        assert "Access-Control-Allow-Origin" not in response.headers

    def test_cors_handler_allows_any_origin_without_credentials(self) -> None:
        response = self.fetch("/cors", headers={"Origin": "https://app.example"})
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response.headers

    def test_preflight(self) -> None:
        response = self.fetch("/cors", method="OPTIONS", headers={
            "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})
        assert response.code == 204
        assert response.headers["Access-Control-Allow-Methods"] == "GET, HEAD, POST, OPTIONS"
        assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]
        assert response.headers["Access-Control-Allow-Origin"] == "*"

    def test_errors_carry_cors_headers(self) -> None:
        response = self.fetch("/cors", method="POST", body=b"not json", headers={"Origin": "https://app.example"})
        assert response.code == 400 and response.headers["Access-Control-Allow-Origin"] == "*"
        response = self.fetch("/cors", method="DELETE", headers={"Origin": "https://app.example"})
        assert response.code == 405 and response.headers["Access-Control-Allow-Origin"] == "*"


class TestCorsConfiguredOrigins(HandlerTestCase):
    context = replace_settings(ApplicationContext(), server={"cors_origins": ("https://app.example",)})

    def test_allowed_origin_is_echoed_with_credentials(self) -> None:
        response = self.fetch("/cors", headers={"Origin": "https://app.example"})
        assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"
        assert response.headers["Access-Control-Allow-Credentials"] == "true"
        assert "Origin" in response.headers["Vary"]

    def test_other_origins_get_no_grant(self) -> None:
        response = self.fetch("/cors", headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in response.headers


class TestGzip(HandlerTestCase):
    def test_large_json_is_gzipped_and_decodes_to_the_same_json(self) -> None:
        document = {"items": [{"n": n, "text": "lorem ipsum"} for n in range(100)]}
        response = self.fetch("/cors", method="POST", body=json.dumps(document), decompress_response=False,
                              headers={"Accept-Encoding": "gzip"})
        assert response.code == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert json.loads(gzip.decompress(response.body)) == {"received": document}

    def test_clients_without_gzip_get_plain_json(self) -> None:
        response = self.fetch("/cors", method="POST", body=json.dumps({"pad": "x" * 2000}),
                              decompress_response=False)
        assert "Content-Encoding" not in response.headers
        assert json.loads(response.body)["received"]["pad"] == "x" * 2000


class TestViews(HandlerTestCase):
    def test_page_renders_and_its_stylesheet_is_served(self) -> None:
        page = self.fetch("/")
        assert page.code == 200 and page.headers["Content-Type"].startswith("text/html")
        match = re.search(rb'href="(/static/[^"]+\.css[^"]*)"', page.body)
        assert match is not None
        css = self.fetch(match.group(1).decode())
        assert css.code == 200 and css.headers["Content-Type"].startswith("text/css") and b"{" in css.body

    def test_static_file_errors_are_json(self) -> None:
        self.assert_error(self.fetch("/static/missing.css"), 404, "GET", "/static/missing.css")
        self.assert_error(self.fetch("/static/..%2Fserver.py"), 403, "GET", "/static/..%2Fserver.py")
        self.assert_error(self.fetch("/static/style.css", method="POST", body="{}"), 405, "POST",
                          "/static/style.css")

    def test_static_files_carry_a_request_id_and_answer_304(self) -> None:
        first = self.fetch("/static/style.css")
        assert first.code == 200 and first.headers["X-Request-ID"]
        again = self.fetch("/static/style.css", headers={"If-None-Match": first.headers["Etag"]})
        assert again.code == 304


class TestHealth(HandlerTestCase):
    def get_app(self) -> Application:
        # The readiness handler reads this very mapping, so a test can change the checks between requests.
        self.checks: dict[str, HealthCheck] = {}
        return ApplicationFactory.create(make_components(self.context)._replace(health_checks=self.checks))

    def test_ping(self) -> None:
        assert self.json_of(self.fetch("/ping")) == {"status": "ok"}

    def test_health_reports_each_check(self) -> None:
        async def healthy() -> None:
            return None

        async def broken() -> None:
            raise ConnectionRefusedError("refused")

        self.checks.update(ok_dependency=healthy)
        body = self.json_of(self.fetch("/health"))
        assert body["status"] == "ok" and body["checks"]["ok_dependency"]["status"] == "ok"

        self.checks.update(ok_dependency=healthy, down_dependency=broken)
        response = self.fetch("/health")
        body = self.json_of(response)
        assert response.code == 503 and body["status"] == "unavailable"
        assert body["checks"]["down_dependency"]["status"] == "unavailable"
        assert "ConnectionRefusedError" in body["checks"]["down_dependency"]["error"]
