"""The boilerplate spec (`Tornado Server Boilerplate`), section by section, written as the text shows it and
asserting what the text says. Each test is named after the section it checks. Where this project differs on
purpose (awaited locks, JSON bodies, the embedded store when no MongoDB is configured), the test says so."""

from __future__ import annotations

import gzip
import inspect
import json
import subprocess
import sys

from tornado.routing import PathMatches

from src.request_handlers.cors_example import ExampleCORSHandler
from src.request_handlers.crud_example import ExampleCRUDHandler
from src.request_handlers.custom_request_handler import CustomRequestHandler
from src.request_handlers.health_check import HealthCheckHandler
from src.request_handlers.view_example import ExampleViewHandler
from src.server.application_factory import ApplicationFactory
from src.server.http_server_factory import HTTPServerFactory
from src.server.router import Router
from src.settings import PROJECT_ROOT
from src.utils.command_line.argument_parsing_utils import ArgumentParsingUtils
from tests.integration.spec.spec_server import json_call
from tests.integration.tasks.http_calls import call
from tests.support.components import make_components
from tests.support.server_process import ServerProcess

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
