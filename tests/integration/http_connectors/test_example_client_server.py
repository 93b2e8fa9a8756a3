"""`GET /client` on the real `python server.py`: the default upstream (its own `/ping`, over HTTP and over HTTPS
with a self-signed pair), `--example_client_url`, and the shared client's shutdown hook."""

from __future__ import annotations

import json
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.support.server_process import PROJECT_ROOT, ServerProcess, free_port


def get(url: str, context: ssl.SSLContext | None = None) -> tuple[int, dict[str, object], str]:
    request = urllib.request.Request(url, headers={"X-Request-ID": "subprocess-trace-1"})
    try:
        with urllib.request.urlopen(request, timeout=10, context=context) as response:
            return response.status, json.loads(response.read()), response.headers["X-Request-ID"]
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers["X-Request-ID"]


def test_client_calls_the_servers_own_ping_by_default():
    with ServerProcess() as server:
        status, body, request_id = get(server.url + "/client")
        assert (status, body, request_id) == (200, {"status": "ok"}, "subprocess-trace-1")
        assert server.stop() == 0
    log = server.output()
    assert f"outbound method=GET url=http://127.0.0.1:{server.port}/ping status=200" in log
    assert "shutdown hook http_client failed" not in log


def test_client_over_https_reaches_its_own_self_signed_ping(tmp_path: Path):
    subprocess.run(["make", "-s", "certs", f"KEYS_DIR={tmp_path}"], cwd=PROJECT_ROOT, check=True,
                   capture_output=True, timeout=60)
    args = ["--ssl", "--certfile", str(tmp_path / "server.crt"), "--keyfile", str(tmp_path / "server.key")]
    with ServerProcess(args, scheme="https") as server:
        trusted = ssl.create_default_context(cafile=str(tmp_path / "server.crt"))
        status, body, _ = get(server.url + "/client", context=trusted)
        assert (status, body) == (200, {"status": "ok"})
        assert server.stop() == 0


def test_example_client_url_points_at_another_upstream():
    closed_port = free_port()
    with ServerProcess(["--example_client_url", f"http://127.0.0.1:{closed_port}/status"]) as server:
        started = time.monotonic()
        status, body, request_id = get(server.url + "/client")
        assert time.monotonic() - started < 5
        assert status == 502
        assert body["code"] == 502 and "refused the connection" in str(body["message"])
        assert request_id == "subprocess-trace-1"
        assert server.stop() == 0
    assert server.output().count(f"url=http://127.0.0.1:{closed_port}/status status=-") == 3
