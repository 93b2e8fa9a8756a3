"""The HTTP/1 transports a server can run with (`--http_parser httptools|tornado`), for the tests.

Socket-level tests run against each transport (`transport_params()`); the rest of the suite runs on the one in
use: the default (httptools), or the one `TB_TEST_HTTP_PARSER` names (`make test-tornado`). Every
`ServerProcess` then starts `server.py --http_parser <that>`, and every in-process `AsyncHTTPTestCase` serves
its Application through `ManagedHTTPServer` on httptools, or through Tornado's own test server on tornado
(`serve_in_process_tests_with`, called by tests/conftest.py).
"""

from __future__ import annotations

import pytest
from _pytest.mark import ParameterSet
from tornado.httpserver import HTTPServer
from tornado.testing import AsyncHTTPTestCase

from src.settings import ServerSettings
from tests.support.server_switch import ServerSwitch

ENVIRONMENT_VARIABLE = "TB_TEST_HTTP_PARSER"
DEFAULT: str = ServerSettings().http_parser
TORNADO = "tornado"
TRANSPORTS = (DEFAULT, TORNADO)
_SWITCH = ServerSwitch(ENVIRONMENT_VARIABLE, "--http_parser", TRANSPORTS, DEFAULT)
selected = _SWITCH.selected
in_use = _SWITCH.in_use
server_args = _SWITCH.server_args


def transport_params() -> list[ParameterSet]:
    """`@pytest.mark.parametrize("transport", transport_params())`: every transport, each its own test id."""
    return [pytest.param(name, id=name) for name in TRANSPORTS]


def serve_in_process_tests_with(transport: str | None) -> None:
    """Every `AsyncHTTPTestCase` from now on serves through `ManagedHTTPServer` on `transport` (None: the
    default); `tornado` leaves Tornado's test server as it is."""
    transport = transport or DEFAULT
    server_args(transport)  # fails at once on a transport the server does not offer
    if transport == TORNADO:
        return

    def get_http_server(case: AsyncHTTPTestCase) -> HTTPServer:
        from src.server.managed_http_server import ManagedHTTPServer  # noqa: PLC0415 - imported when serving

        return ManagedHTTPServer(case._app, http_parser=transport, **case.get_httpserver_options())

    AsyncHTTPTestCase.get_http_server = get_http_server  # type: ignore[method-assign,assignment]
