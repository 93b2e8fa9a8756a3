"""A worker's metrics load only the parts of prometheus-client they use: not its HTTP servers, push gateway or
WSGI/ASGI apps at start-up, and the text exposition only at the first scrape, which then renders every value."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.server_process import PROJECT_ROOT

SCRIPT = """
import json, sys
from src.server.metrics_startup import _create_recorder
from src.settings import ApplicationContext
from src.utils.metrics import hooks

recorder = _create_recorder(ApplicationContext(), lambda: 0)
hooks.install(recorder)
hooks.database_operation("find_one", "ok", 0.002)
recorder.flush()
before = sorted(name for name in sys.modules if name.split(".")[0] in ("prometheus_client", "http", "wsgiref"))
text = recorder.render().decode()
print(json.dumps({"before": before, "whole": "generate_latest" in vars(sys.modules["prometheus_client"]),
                  "scraped": "prometheus_client.exposition" in sys.modules, "text": text}))
"""


def test_start_up_loads_only_the_parts_used_and_the_first_scrape_renders_every_value() -> None:
    finished = subprocess.run([sys.executable, "-c", SCRIPT], cwd=PROJECT_ROOT, capture_output=True, text=True,
                              timeout=60, check=False)
    assert finished.returncode == 0, finished.stderr
    seen = json.loads(finished.stdout)
    assert "prometheus_client.metrics" in seen["before"]
    unused = {"prometheus_client.exposition", "prometheus_client.gc_collector", "prometheus_client.asgi",
              "http.server", "wsgiref"}
    assert unused & set(seen["before"]) == set()
    assert seen["whole"] is False  # the package's __init__ never ran
    assert seen["scraped"] is True
    assert 'db_operations_total{operation="find_one",outcome="ok"} 1.0' in seen["text"]
    assert "tornado_boilerplate_build_info{" in seen["text"]
    assert "process_resident_memory_bytes" in seen["text"]
    assert "python_info{" in seen["text"]
