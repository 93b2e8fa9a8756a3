"""The event loops a server can run on (`--loop asyncio|uvloop`), for the tests.

The suite runs on the server's default loop, or on the one `TB_TEST_LOOP` names (`make test-asyncio`): every
`ServerProcess` then starts `server.py --loop <that>`, and every loop the tests make in this process (a plain
`async def` test under `asyncio.run`, an `AsyncTestCase`'s IOLoop) is made by that loop's policy
(`run_in_process_tests_on`, called by tests/conftest.py).
"""

from __future__ import annotations

import asyncio

from src.settings import ServerSettings
from tests.support.server_switch import ServerSwitch

ENVIRONMENT_VARIABLE = "TB_TEST_LOOP"
DEFAULT: str = ServerSettings().loop
LOOPS = ("asyncio", "uvloop")
_SWITCH = ServerSwitch(ENVIRONMENT_VARIABLE, "--loop", LOOPS, DEFAULT)
selected = _SWITCH.selected
in_use = _SWITCH.in_use
server_args = _SWITCH.server_args


def run_in_process_tests_on(loop: str | None) -> None:
    """Every event loop made in this process from now on is `loop`'s (None: the server's default)."""
    loop = loop or DEFAULT
    server_args(loop)  # fails at once on a loop the server does not offer
    if loop == "uvloop":
        import uvloop  # noqa: PLC0415 - optional; imported only when asked for

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    else:
        asyncio.set_event_loop_policy(None)
