"""What the spec-example modules share: JSON calls against the real server they run against."""

from __future__ import annotations

import json
from typing import Any

from tests.integration.tasks.http_calls import Answer, call
from tests.support.server_process import ServerProcess


def json_call(server: ServerProcess, method: str, path: str, body: Any = None,
              headers: dict[str, str] | None = None) -> Answer:
    sent = {"Content-Type": "application/json", **(headers or {})}
    return call(server.port, method, path, None if body is None else json.dumps(body), sent)
