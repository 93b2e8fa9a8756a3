"""The canonical request line through the real Application: one logfmt line per request with the right fields
and level, hostile input escaped, the request id shared with every line the request logs."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from tornado.httpclient import HTTPResponse
from tornado.testing import AsyncHTTPTestCase
from tornado.web import Application

from src.model.errors import BadRequestError, NotFoundError
from src.request_handlers.custom_request_handler import CustomRequestHandler
from src.server.application_factory import ApplicationFactory
from src.server.router import Router
from src.settings import ApplicationContext
from src.utils.command_line.argument_parsing_utils import replace_settings
from src.utils.logging import logfmt, request_context
from src.utils.logging.access_log import log_request
from src.utils.logging.logger import Logger
from src.utils.logging.record_attributes import install_record_factory
from tests.support.components import make_components
from tests.unit.utils.logging.helpers import LineCollector


async def find_task(task_id: str) -> dict[str, str]:
    """A service coroutine: it knows nothing of the handler, yet its lines carry the request id."""
    await asyncio.sleep(0)
    request_context.add_fields(task_id=task_id)
    Logger("tornado_boilerplate.tasks").info("looking up the task")
    await asyncio.sleep(0)
    if task_id == "missing":
        raise NotFoundError(f"no task {task_id}")
    return {"id": task_id}


class TaskProbe(CustomRequestHandler):
    async def get(self, task_id: str) -> None:
        self.make_response(await find_task(task_id))


class InvalidProbe(CustomRequestHandler):
    def post(self) -> None:
        raise BadRequestError("title is required")


class CrashProbe(CustomRequestHandler):
    def get(self) -> None:
        raise RuntimeError('secret detail\nlevel=INFO status=200 forged="yes"')


class FieldProbe(CustomRequestHandler):
    def get(self) -> None:
        self.log_fields.update({"status": "shadow", "note": 'a "quoted" note'})
        self.make_response({})


PROBES: list[Any] = [(r"/probe/tasks/([^/]+)", TaskProbe), (r"/probe/invalid", InvalidProbe),
                     (r"/probe/crash", CrashProbe), (r"/probe/fields", FieldProbe)]


class AccessLogTestCase(AsyncHTTPTestCase):
    context = ApplicationContext()

    def setUp(self) -> None:
        install_record_factory()
        self.collector = LineCollector()
        self.root = logging.getLogger()
        self.saved_level = self.root.level
        self.root.setLevel(logging.DEBUG)
        self.root.addHandler(self.collector)
        super().setUp()

    def tearDown(self) -> None:
        super().tearDown()
        self.root.removeHandler(self.collector)
        self.root.setLevel(self.saved_level)

    def get_app(self) -> Application:
        components = make_components(self.context)
        return ApplicationFactory.create(components, routes=[*Router.routes(components), *PROBES])

    def canonical(self) -> list[dict[str, str]]:
        return [logfmt.parse_line(line) for line in self.collector.access_lines()]

    def only_canonical(self, response: HTTPResponse) -> dict[str, str]:
        (line,) = self.canonical()
        assert line["req_id"] == response.headers["X-Request-ID"]
        return line


class TestCanonicalLine(AccessLogTestCase):
    def test_the_application_logs_through_log_request(self) -> None:
        assert self.get_app().settings["log_function"] is log_request

    def test_a_200_is_one_info_line_with_the_request_fields(self) -> None:
        response = self.fetch("/probe/tasks/t-1?verbose=1")
        assert response.code == 200
        line = self.only_canonical(response)
        assert set(line) == {"time", "level", "logger", "pid", "worker", "req_id", "method", "uri", "status",
                             "time_ms", "ip", "trace_id", "message", "service_name", "task_id"}
        assert line["message"] == "RESPONSE"
        assert (line["level"], line["logger"], line["method"], line["uri"], line["status"], line["ip"]) == (
            "INFO", "tornado.access", "GET", "/probe/tasks/t-1?verbose=1", "200", "127.0.0.1")
        assert line["task_id"] == "t-1"
        assert float(line["time_ms"]) >= 0

    def test_a_404_is_a_warning_with_the_reason(self) -> None:
        response = self.fetch("/probe/tasks/missing")
        assert response.code == 404
        line = self.only_canonical(response)
        assert (line["level"], line["status"], line["reason"], line["task_id"]) == (
            "WARNING", "404", "no task missing", "missing")
        response = self.fetch("/no/such/path")
        assert self.canonical()[-1]["status"] == "404"

    def test_a_400_is_a_warning_with_the_reason(self) -> None:
        response = self.fetch("/probe/invalid", method="POST", body="{}")
        assert response.code == 400
        line = self.only_canonical(response)
        assert (line["level"], line["method"], line["status"], line["reason"]) == (
            "WARNING", "POST", "400", "title is required")

    def test_a_500_is_an_error_whose_traceback_goes_to_the_log_only(self) -> None:
        response = self.fetch("/probe/crash")
        assert response.code == 500
        assert b"secret detail" not in response.body and b"Traceback" not in response.body
        assert json.loads(response.body)["message"] == "Internal Server Error"
        (raw,) = self.collector.access_lines()
        assert len(raw.splitlines()) == 1
        line = self.only_canonical(response)
        assert (line["level"], line["status"], line["reason"]) == ("ERROR", "500", "Internal Server Error")
        assert line["exc"].startswith("Traceback (most recent call last):")
        assert 'RuntimeError: secret detail\nlevel=INFO status=200 forged="yes"' in line["exc"]
        assert "forged" not in line
        # The traceback is on the canonical line, not also on a separate Tornado line.
        assert not [record for record in self.collector.records if record.name == "tornado.application"]

    def test_hostile_uri_and_header_values_stay_one_parseable_line(self) -> None:
        path = '/probe/tasks/a%20b%22c%3Dd?q=x%0Astatus=200%20"forged=1'
        response = self.fetch(path, headers={"X-Request-ID": 'evil" status=200'})
        assert response.code == 200
        (raw,) = self.collector.access_lines()
        assert len(raw.splitlines()) == 1
        line = self.only_canonical(response)
        assert line["uri"] == path
        assert line["status"] == "200"
        assert line["task_id"] == 'a b"c=d'
        assert "forged" not in line

    def test_fields_named_like_canonical_keys_cannot_replace_them(self) -> None:
        line = self.only_canonical(self.fetch("/probe/fields"))
        assert line["status"] == "200"
        assert line["field_status"] == "shadow"
        assert line["note"] == 'a "quoted" note'


class TestRequestIds(AccessLogTestCase):
    def test_lines_from_a_service_coroutine_carry_the_request_id(self) -> None:
        response = self.fetch("/probe/tasks/t-9")
        request_id = response.headers["X-Request-ID"]
        (service_line,) = [logfmt.parse_line(line) for line, record in
                           zip(self.collector.lines, self.collector.records, strict=True)
                           if record.name == "tornado_boilerplate.tasks"]
        assert service_line["msg"] == "looking up the task"
        assert service_line["req_id"] == request_id
        assert service_line["task_id"] == "t-9"
        assert self.canonical()[0]["req_id"] == request_id

    def test_concurrent_requests_keep_their_own_ids(self) -> None:
        async def both() -> list[HTTPResponse]:
            client = self.http_client
            return list(await asyncio.gather(*(client.fetch(self.get_url(f"/probe/tasks/t{n}")) for n in range(5))))

        responses = self.io_loop.run_sync(both)
        service_ids = {logfmt.parse_line(line)["task_id"]: logfmt.parse_line(line)["req_id"] for line, record in
                       zip(self.collector.lines, self.collector.records, strict=True)
                       if record.name == "tornado_boilerplate.tasks"}
        assert service_ids == {f"t{n}": responses[n].headers["X-Request-ID"] for n in range(5)}
        assert len(set(service_ids.values())) == 5

    def test_a_well_formed_incoming_id_is_used(self) -> None:
        response = self.fetch("/probe/tasks/t-1", headers={"X-Request-ID": "upstream-42.a:b_c"})
        assert response.headers["X-Request-ID"] == "upstream-42.a:b_c"
        assert self.only_canonical(response)["req_id"] == "upstream-42.a:b_c"

    def test_a_malformed_incoming_id_is_replaced(self) -> None:
        for incoming in ("x" * 129, "has space", "semi;colon", "slash/and\"quote", "caf\xe9"):
            self.collector.lines.clear()
            self.collector.records.clear()
            response = self.fetch("/probe/tasks/t-1", headers={"X-Request-ID": incoming})
            request_id = response.headers["X-Request-ID"]
            assert request_id != incoming
            assert request_context.well_formed_request_id(request_id)
            assert self.only_canonical(response)["req_id"] == request_id


class TestOtherHandlers(AccessLogTestCase):
    def test_static_files_are_logged_with_a_request_id(self) -> None:
        response = self.fetch("/static/style.css", headers={"X-Request-ID": "static-1"})
        assert response.code == 200
        (line,) = self.canonical()
        assert (line["req_id"], line["status"], line["uri"]) == ("static-1", "200", "/static/style.css")
        self.fetch("/static/style.css", headers={"X-Request-ID": "bad id"})
        generated = self.canonical()[-1]["req_id"]
        assert generated != "bad id" and request_context.well_formed_request_id(generated)

    def test_health_probes_are_logged_at_debug_by_default(self) -> None:
        for path in ("/ping", "/health"):
            assert self.fetch(path).code == 200
        assert [(line["uri"], line["level"]) for line in self.canonical()] == [("/ping", "DEBUG"),
                                                                               ("/health", "DEBUG")]
        logging.getLogger().setLevel(logging.INFO)
        self.fetch("/ping")
        assert len(self.canonical()) == 2
        self.fetch("/ping", method="DELETE")  # a failing probe is still logged at its level
        assert self.canonical()[-1]["level"] == "WARNING"


class TestHealthChecksLogged(AccessLogTestCase):
    context = replace_settings(ApplicationContext(), logging={"health_checks": True})

    def test_health_probes_are_logged_at_info_when_asked(self) -> None:
        logging.getLogger().setLevel(logging.INFO)
        self.fetch("/ping")
        (line,) = self.canonical()
        assert (line["uri"], line["level"]) == ("/ping", "INFO")


class TestLevelOff(AccessLogTestCase):
    def test_nothing_is_logged_below_the_level(self) -> None:
        logging.getLogger("tornado.access").setLevel(logging.ERROR)
        try:
            self.fetch("/probe/tasks/t-1")
            self.fetch("/probe/invalid", method="POST", body="{}")
            self.fetch("/probe/crash")
        finally:
            logging.getLogger("tornado.access").setLevel(logging.NOTSET)
        assert [line["status"] for line in self.canonical()] == ["500"]


class TestArrivalLine(AccessLogTestCase):
    def test_a_debug_request_line_is_written_as_each_request_arrives(self) -> None:
        response = self.fetch("/probe/tasks/t-1", headers={"X-Request-ID": "arriving-1"})
        (arrival,) = [logfmt.parse_line(line) for line in self.collector.arrival_lines()]
        assert (arrival["level"], arrival["message"], arrival["req_id"], arrival["method"], arrival["uri"],
                arrival["ip"]) == ("DEBUG", "REQUEST", "arriving-1", "GET", "/probe/tasks/t-1", "127.0.0.1")
        assert arrival["service_name"] == "tornado-boilerplate"
        assert self.only_canonical(response)["message"] == "RESPONSE"
        # It comes first: written before the handler runs, the canonical line after it finished.
        lines = self.collector.lines
        assert lines.index(self.collector.arrival_lines()[0]) < lines.index(self.collector.access_lines()[0])

    def test_at_info_no_request_line_is_made(self) -> None:
        self.root.setLevel(logging.INFO)
        self.fetch("/probe/tasks/t-1")
        assert self.collector.arrival_lines() == []
        assert len(self.canonical()) == 1
