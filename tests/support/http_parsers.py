"""The HTTP/1 transports a server can run with (`--http_parser tornado|httptools`), for the tests.

Socket-level tests run against each transport (`transport_params()`); the rest of the suite runs once more
with another transport when `TB_TEST_HTTP_PARSER` names it (`make test-httptools`): every `ServerProcess`
then starts `server.py --http_parser <that>`, and every in-process `AsyncHTTPTestCase` serves its Application
through `ManagedHTTPServer` on that transport (`serve_in_process_tests_with`, called by tests/conftest.py).
A transport the server does not offer yet (no `--http_parser` setting) is skipped with that reason; once
offered it always runs.
"""

from __future__ import annotations

import os

import pytest
from _pytest.mark import ParameterSet
from tornado.httpserver import HTTPServer
from tornado.testing import AsyncHTTPTestCase

from src.utils.command_line.settings_table import SETTINGS

ENVIRONMENT_VARIABLE = "TB_TEST_HTTP_PARSER"
DEFAULT = "tornado"
TRANSPORTS = (DEFAULT, "httptools")


def offered() -> bool:
    """True once `--http_parser` is a setting of the server."""
    return any(setting.name == "http_parser" for setting in SETTINGS)


def selected() -> str | None:
    """The transport the environment asks every server of the suite to use (None: the server's default)."""
    return os.environ.get(ENVIRONMENT_VARIABLE) or None


def server_args(transport: str | None) -> list[str]:
    """The `server.py` arguments selecting `transport` (none for the default before the setting existed)."""
    if transport is None or (transport == DEFAULT and not offered()):
        return []
    if not offered():
        raise RuntimeError(f"{ENVIRONMENT_VARIABLE}={transport}: server.py has no --http_parser setting")
    return ["--http_parser", transport]


def transport_params() -> list[ParameterSet]:
    """`@pytest.mark.parametrize("transport", transport_params())`: every transport, each its own test id."""
    missing = pytest.mark.skip(reason="server.py has no --http_parser setting yet: only Tornado's parser exists")
    return [pytest.param(name, id=name, marks=() if name == DEFAULT or offered() else missing)
            for name in TRANSPORTS]


def serve_in_process_tests_with(transport: str | None) -> None:
    """Every `AsyncHTTPTestCase` from now on serves through `ManagedHTTPServer` on `transport` (None and the
    default leave Tornado's test server as it is)."""
    if transport is None or transport == DEFAULT:
        return
    server_args(transport)  # fails at once if the server has no such setting

    def get_http_server(case: AsyncHTTPTestCase) -> HTTPServer:
        from src.server.managed_http_server import ManagedHTTPServer  # noqa: PLC0415 - only for this run

        return ManagedHTTPServer(case._app, http_parser=transport, **case.get_httpserver_options())

    AsyncHTTPTestCase.get_http_server = get_http_server  # type: ignore[method-assign,assignment]
