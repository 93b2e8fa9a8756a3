"""The boilerplate spec (`Tornado Server Boilerplate`), section by section, written as the text shows it and
asserting what the text says. Each test is named after the section it checks. Where this project differs on
purpose (awaited locks, JSON bodies, the embedded store when no MongoDB is configured), the test says so."""

from __future__ import annotations

import asyncio
import gzip
import inspect
import json
import logging
import logging.handlers
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mongomock_motor import AsyncMongoMockClient
from tornado.routing import PathMatches

from src.database.daos.example_dao import ExampleDAO, ExampleDao
from src.database.generic_dao import GenericDAO
from src.database.mongo import Mongo
from src.http_connectors.example_client_connector import ExampleClientConnector
from src.http_connectors.generic_http_connector import GenericHTTPConnector
from src.jobs.concurrent_example_job import ConcurrentExampleJob
from src.jobs.example_job import ExampleJob
from src.jobs.scheduler import Scheduler
from src.model.example_resource import ExampleResource
from src.request_handlers.cors_example import ExampleCORSHandler
from src.request_handlers.crud_example import ExampleCRUDHandler
from src.request_handlers.custom_request_handler import CustomRequestHandler
from src.request_handlers.health_check import HealthCheckHandler
from src.request_handlers.view_example import ExampleViewHandler
from src.server.application_factory import ApplicationFactory
from src.server.http_server_factory import HTTPServerFactory
from src.server.router import Router
from src.service.example_client_service import ExampleClientService
from src.settings import PROJECT_ROOT, DatabaseSettings
from src.utils.annotations.retry_coroutine import retry_coroutine
from src.utils.command_line.argument_parsing_utils import ArgumentParsingUtils
from src.utils.concurrency.lock_manager import LockManager
from src.utils.concurrency.single_process_coroutine import single_process_name
from src.utils.logging.buffered_handlers import BufferedRotatingFileHandler, BufferedStreamHandler
from src.utils.logging.logger import Logger
from tests.integration.tasks.http_calls import Answer, call
from tests.support.components import make_components
from tests.support.etcd_process import EtcdProcess
from tests.support.server_process import ServerProcess


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with ServerProcess() as running:
        yield running


def json_call(server: ServerProcess, method: str, path: str, body: Any = None,
              headers: dict[str, str] | None = None) -> Answer:
    sent = {"Content-Type": "application/json", **(headers or {})}
    return call(server.port, method, path, None if body is None else json.dumps(body), sent)


# ---- Execution methods -----------------------------------------------------------------------------------------

def test_local_execution_with_venv_port_protocol_processes_and_lock_server_defaults() -> None:
    context = ArgumentParsingUtils.parse([], {})
    # "start on port `5000` in `HTTP` mode"; "The default number of processes is 1"; locks "turned off by default".
    assert (context.server.port, context.server.scheme, context.server.proc) == (5000, "http", 1)
    assert context.lock_server.enabled is False and context.lock_server.port == 2379
    # "a database called `tornado_boilerplate` ... on port `27017`": same names; with no MongoDB host configured the
    # embedded store holds it instead (see "Differences from the spec").
    assert (context.database.name, context.database.port) == ("tornado_boilerplate", 27017)


def test_heroku_environment_properties_configure_the_mongodb_connection() -> None:
    environ = {"MONGODB_HOST": "ds1.mlab.com", "MONGODB_PORT": "41234", "MONGODB_USER": "heroku",
               "MONGODB_PASSWORD": "p@ss", "MONGODB_NAME": "heroku_app"}
    database = ArgumentParsingUtils.parse([], environ).database
    assert database.mongo_uri() == "mongodb://heroku:p%40ss@ds1.mlab.com:41234/heroku_app"
    assert ArgumentParsingUtils.parse([], {"MONGO_URI": "mongodb://h:1/x"}).database.uri == "mongodb://h:1/x"


# ---- Command line parameters -----------------------------------------------------------------------------------

def test_command_line_parameters_are_described_by_server_py_h() -> None:
    result = subprocess.run([sys.executable, "server.py", "-h"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0
    for flag in ("--proc", "--port", "--env", "--ssl", "--log_host", "--log_port", "--db_host", "--db_port",
                 "--db_name", "--db_user", "--db_password", "--lock_server", "--lock-server-host",
                 "--lock-server-port"):
        assert flag in result.stdout, flag


def test_basic_logging_database_and_lock_server_parameters() -> None:
    context = ArgumentParsingUtils.parse(
        ["--proc", "0", "--port", "8080", "--env", "prod", "--log_host", "logs.local", "--log_port", "514",
         "--db_host", "mongo", "--db_port", "27018", "--db_name", "shop", "--db_user", "u", "--db_password", "p",
         "--lock_server", "--lock-server-host", "etcd", "--lock-server-port", "2380"], {})
    assert (context.server.proc, context.server.port, context.server.env) == (0, 8080, "prod")  # 0 = one per core
    assert (context.logging.host, context.logging.port) == ("logs.local", 514)
    assert context.database.mongo_uri() == "mongodb://u:p@mongo:27018/shop"
    assert (context.lock_server.enabled, context.lock_server.host, context.lock_server.port) == (True, "etcd", 2380)


# ---- HTTPS -----------------------------------------------------------------------------------------------------

def test_https_needs_a_certfile_and_a_keyfile_in_keys() -> None:
    context = ArgumentParsingUtils.parse(["--ssl"], {})
    assert (context.server.certfile.parent, context.server.keyfile.parent) == (PROJECT_ROOT / "keys",) * 2
    assert inspect.ismethod(HTTPServerFactory.ssl_context) or callable(HTTPServerFactory.ssl_context)
    assert ArgumentParsingUtils.parse([], {}).server.scheme == "http"


# ---- Request handlers ------------------------------------------------------------------------------------------

def test_custom_request_handler_centralises_success_and_error_responses() -> None:
    assert issubclass(ExampleCORSHandler, CustomRequestHandler) and issubclass(ExampleViewHandler,
                                                                              CustomRequestHandler)
    parameters = inspect.signature(CustomRequestHandler.make_response).parameters
    assert (parameters["response_body"].default, parameters["status_code"].default) == (None, 200)
    assert callable(CustomRequestHandler.make_error_response)  # an error answered without raising
    assert callable(CustomRequestHandler.options) and callable(CustomRequestHandler.prepare)


def test_request_body_mapper_gives_a_dictionary(server: ServerProcess) -> None:
    answer = json_call(server, "POST", "/cors", {"title": "Task1"})
    assert (answer.status, answer.json()) == (200, {"received": {"title": "Task1"}})


def test_gzip_compression_when_accept_encoding_gzip(server: ServerProcess) -> None:
    body = {"items": ["lorem ipsum"] * 200}
    answer = json_call(server, "POST", "/cors", body, {"Accept-Encoding": "gzip"})
    assert answer.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(answer.body)) == {"received": body}


def test_http_verb_handling_unsupported_verbs_are_405(server: ServerProcess) -> None:
    assert "DELETE" not in ExampleCORSHandler.SUPPORTED_METHODS
    answer = call(server.port, "DELETE", "/cors")
    assert answer.status == 405 and answer.json()["code"] == 405


def test_sync_vs_async_handlers() -> None:
    assert not inspect.iscoroutinefunction(HealthCheckHandler.get)
    assert not inspect.iscoroutinefunction(ExampleViewHandler.get)


# ---- Routing and path parameters -------------------------------------------------------------------------------

def test_routing_router_holds_a_dictionary_of_path_to_handler_used_by_the_application_factory() -> None:
    components = make_components()
    route_map = Router.route_map(components)
    assert isinstance(route_map, dict)
    target = route_map[r"/resources/?(?P<resource_id>[^/]+)?"]  # the spec's example path, as written
    assert (target[0] if isinstance(target, tuple) else target) is ExampleCRUDHandler
    # Order kept: the Application tries the paths in the dictionary's order.
    application = ApplicationFactory.create(components)
    served = [rule.matcher.regex.pattern.removesuffix("$") for rule in application.wildcard_router.rules
              if isinstance(rule.matcher, PathMatches)]
    assert [pattern for pattern in served if pattern in route_map] == list(route_map)


def test_routing_path_parameters_through_the_optional_id_route(server: ServerProcess) -> None:
    created = json_call(server, "POST", "/resources", {"name": "aResource"})
    assert created.status == 201
    resource_id = created.headers["Location"].removeprefix("/resources/")
    # The place holder's name is the name the handling methods receive: `resource_id`.
    assert json_call(server, "GET", f"/resources/{resource_id}").json()["id"] == resource_id
    listed = json_call(server, "GET", "/resources")
    assert resource_id in [item["id"] for item in listed.json()] and int(listed.headers["X-Total-Count"]) >= 1
    assert json_call(server, "GET", "/resourcesXYZ").status == 404


# ---- Views -----------------------------------------------------------------------------------------------------

def test_views_templates_and_static(server: ServerProcess) -> None:
    page = call(server.port, "GET", "/")
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    assert (PROJECT_ROOT / "views" / "templates").is_dir() and (PROJECT_ROOT / "views" / "static").is_dir()
    assert call(server.port, "GET", "/static/style.css").status == 200


# ---- CORS ------------------------------------------------------------------------------------------------------

def test_cors_enabled_handler_sets_cors_headers_and_accepts_options(server: ServerProcess) -> None:
    assert ExampleCORSHandler.CORS_ENABLED is True and CustomRequestHandler.CORS_ENABLED is False
    answer = call(server.port, "GET", "/cors", headers={"Origin": "http://front.example"})
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    preflight = call(server.port, "OPTIONS", "/cors", headers={"Origin": "http://front.example",
                                                             "Access-Control-Request-Method": "POST"})
    assert preflight.status == 204 and "POST" in preflight.headers["Access-Control-Allow-Methods"]


# ---- Logging ---------------------------------------------------------------------------------------------------

def test_logging_class_attributes_are_the_basic_configuration() -> None:
    assert "%(message)s" in Logger.FORMATTING_STRING
    assert (Logger.LOGGING_LEVEL, Logger.LOGGING_FILE_NAME) == ("INFO", "server.log")
    assert (Logger.MAX_BYTE, Logger.BACKUP_COUNT) == (10 * 1024 * 1024, 5)


def test_log_handlers_console_and_rotating_file_in_logs_plus_syslog(tmp_path: Path) -> None:
    from src.utils.logging.logging_setup import configure_logging  # noqa: PLC0415 - replaces the process's handlers

    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        configure_logging(ArgumentParsingUtils.parse(["--log_dir", str(tmp_path / "logs"), "--log_host",
                                                      "127.0.0.1", "--log_port", "5514"], {}))
        console, file, syslog = root.handlers
        assert (tmp_path / "logs").is_dir()  # "created on startup if it doesn't exist"
        # The StreamHandler and RotatingFileHandler, as buffered equivalents that write in batches.
        assert isinstance(console, BufferedStreamHandler)
        assert isinstance(file, BufferedRotatingFileHandler) and file.path == tmp_path / "logs" / "server.log"
        assert (file.max_bytes, file.backup_count) == (Logger.MAX_BYTE, Logger.BACKUP_COUNT)
        assert isinstance(syslog, logging.handlers.SysLogHandler)
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def test_logger_instancing_fills_the_name_field(caplog: pytest.LogCaptureFixture) -> None:
    logger = Logger("aName")
    with caplog.at_level(logging.INFO, logger="aName"):
        logger.info("hello")
    assert [(record.name, record.getMessage()) for record in caplog.records] == [("aName", "hello")]


# ---- Requesting external services ------------------------------------------------------------------------------

def test_requesting_external_services_example_flow(server: ServerProcess) -> None:
    assert issubclass(ExampleClientConnector, GenericHTTPConnector)
    assert ExampleClientService is not None
    answer = call(server.port, "GET", "/client")  # ExampleClientHandler -> service -> connector -> /ping
    assert (answer.status, answer.json()) == (200, {"status": "ok"})


def test_request_retry_annotation_retries_and_logs_every_try(caplog: pytest.LogCaptureFixture) -> None:
    tries: list[int] = []

    @retry_coroutine(retry_on=(ConnectionError,), base_delay=0.0)
    async def flaky_request() -> str:
        tries.append(len(tries) + 1)
        if len(tries) < 3:
            raise ConnectionError("upstream down")
        return "answer"

    @retry_coroutine
    async def bare() -> str:
        return "bare"

    with caplog.at_level(logging.DEBUG, logger="tornado_boilerplate.retry"):
        assert asyncio.run(flaky_request()) == "answer"
    assert tries == [1, 2, 3]
    assert len([record for record in caplog.records if "attempt" in record.getMessage()]) == 3
    assert asyncio.run(bare()) == "bare"
    with pytest.raises(TypeError, match="retry_on"):
        retry_coroutine(ConnectionError)  # type: ignore[arg-type]  # misuse fails here, not later


# ---- MongoDB support -------------------------------------------------------------------------------------------

async def test_mongo_server_connection_and_db_global_handler() -> None:
    # `Mongo.init()` builds the URI from the database parameters and a Motor client with it (no round trip yet).
    database = Mongo.init(DatabaseSettings(host="127.0.0.1", port=1, name="tornado_boilerplate"))
    try:
        assert type(database).__module__.startswith("motor")
        assert database.name == "tornado_boilerplate"
        assert Mongo.get() is database  # "by calling `Mongo.get()` from anywhere in our code"
    finally:
        await Mongo.close()


async def test_generic_dao_example_dao_on_the_example_collection() -> None:
    assert ExampleDao is ExampleDAO and issubclass(ExampleDao, GenericDAO)
    assert "collection" in GenericDAO.__abstractmethods__  # "a method to be implemented by it's subclasses"
    database: Any = AsyncMongoMockClient()["tornado_boilerplate"]
    await ExampleDao(database).insert(ExampleResource("stored"))
    assert await database["example"].count_documents({"name": "stored"}) == 1  # "it is the `example` collection"


# ---- Scheduler -------------------------------------------------------------------------------------------------

def test_scheduler_three_ways_and_example_set_up_before_the_loop_runs() -> None:
    ran: list[str] = []

    async def job() -> None:
        ran.append("ran")

    handles = [Scheduler.run_every_millis(job, delta_millis=20), Scheduler.run_in_millis(job, millis=0),
               Scheduler.schedule_for_time(job, hour=0, minute=0, second=0), *Scheduler.example_set_up()]
    scheduler = Scheduler.get()

    async def loop_runs() -> None:  # the server's start-up starts the process's scheduler with its loop
        scheduler.start()
        while ran.count("ran") < 3:
            await asyncio.sleep(0.01)
        await scheduler.shutdown()

    asyncio.run(asyncio.wait_for(loop_runs(), 30))
    assert sorted(handle.kind for handle in handles) == ["daily", "daily", "every", "every", "every", "once",
                                                         "once"]
    assert single_process_name(ConcurrentExampleJob.run) == "concurrent-example-job"
    assert inspect.iscoroutinefunction(ExampleJob.run)


# ---- Distributed lock manager ----------------------------------------------------------------------------------

async def test_lockmanager_class_acquire_and_release_awaited_and_the_synchronous_habit_fails_loudly() -> None:
    with EtcdProcess() as etcd:
        manager = LockManager(etcd.host, etcd.port, timeout=2.0)
        try:
            with pytest.raises(TypeError, match="await it"):
                if manager.acquire("aLock"):  # the spec's habit, without await: never silently "held"
                    pytest.fail("an un-awaited acquire must not read as held")
            assert await manager.acquire("aLock") is True
            assert await manager.acquire("aLock", blocking=False, silent=True) is False  # held: no wait, no raise
            assert await manager.release("aLock") is True
        finally:
            await manager.close()


def test_single_process_coroutine_annotation_acquire_parameters() -> None:
    parameters = inspect.signature(LockManager.acquire).parameters
    assert (parameters["blocking"].default, parameters["silent"].default) == (True, False)
    assert single_process_name(ConcurrentExampleJob.run) == "concurrent-example-job"
