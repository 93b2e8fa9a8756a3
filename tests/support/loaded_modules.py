"""`python -m tests.support.loaded_modules [settings...]`: serves the way a worker of `server.py` does (settings,
components, Application, `Worker.serve` on the loop its `--loop` names), sends the requests a default run answers
(a task written, read and listed, `/ping`, `/health`, `/metrics`), stops with SIGTERM, then prints the top-level
packages it had loaded as a JSON list: which libraries a run with these settings pays for, without timing
anything."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Sequence
from urllib.parse import urljoin

from tornado.httpclient import AsyncHTTPClient
from tornado.netutil import bind_sockets

from src.server.server import Worker, event_loop_factory
from src.utils.command_line.argument_parsing_utils import ArgumentParsingUtils

READY_SECONDS = 30.0


async def _serve_and_call(argv: Sequence[str]) -> int:
    context = ArgumentParsingUtils.parse(argv, environ={})
    sockets = bind_sockets(0, "127.0.0.1")
    base = f"http://127.0.0.1:{sockets[0].getsockname()[1]}"
    serving = asyncio.create_task(Worker(context, None, None).serve(sockets))
    client = AsyncHTTPClient()
    deadline = asyncio.get_running_loop().time() + READY_SECONDS
    while (await client.fetch(base + "/ping", raise_error=False)).code != 200:
        if serving.done() or asyncio.get_running_loop().time() > deadline:
            raise RuntimeError("the worker did not answer /ping")
        await asyncio.sleep(0.05)
    created = await client.fetch(base + "/tasks", method="POST", body=json.dumps({"title": "imports"}),
                                 headers={"Content-Type": "application/json"})
    for path in (urljoin(base + "/", created.headers["Location"]), "/tasks", "/health", "/metrics"):
        await client.fetch(urljoin(base, path), raise_error=False)
    os.kill(os.getpid(), signal.SIGTERM)  # the worker's own stop: drain, teardowns
    return await serving


def main(argv: Sequence[str]) -> int:
    loop = ArgumentParsingUtils.parse(argv, environ={}).server.loop
    with asyncio.Runner(loop_factory=event_loop_factory(loop)) as runner:
        code = runner.run(_serve_and_call(argv))
    print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
