"""What a default run imports: the libraries of features it does not use (MongoDB drivers, the lock server's
etcd clients, YAML for `--config`, template engines) stay unloaded through start-up and the requests a default
run answers, so they cost it neither start-up time nor memory. The default transport's parser (httptools) and
the default loop (uvloop) load; with `--http_parser tornado` and `--loop asyncio` they do not."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.server_process import PROJECT_ROOT

# Each is imported where its feature starts (the Mongo client, the lock manager, the config file...).
UNUSED_BY_DEFAULT = {"motor", "pymongo", "etcd", "etcd3gw", "urllib3", "requests", "yaml", "jinja2"}


def loaded_packages(*settings: str) -> set[str]:
    finished = subprocess.run([sys.executable, "-m", "tests.support.loaded_modules", *settings], cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=120, check=False)
    assert finished.returncode == 0, finished.stderr
    return set(json.loads(finished.stdout.splitlines()[-1]))


def test_a_default_run_loads_no_library_of_an_unused_feature(tmp_path: Path) -> None:
    loaded = loaded_packages("--db_path", str(tmp_path))
    assert loaded & UNUSED_BY_DEFAULT == set()
    # What it does use is seen.
    assert {"tornado", "httptools", "uvloop", "sqlite3", "bson", "prometheus_client"} <= loaded
    assert "swagger_ui_bundle" not in loaded  # Swagger UI's folder is looked up at the first /docs/assets request


def test_a_library_loads_with_the_feature_that_needs_it(tmp_path: Path) -> None:
    assert "prometheus_client" not in loaded_packages("--db_path", str(tmp_path), "--no-metrics")
    assert "httptools" not in loaded_packages("--db_path", str(tmp_path), "--http_parser", "tornado")
    assert "uvloop" not in loaded_packages("--db_path", str(tmp_path), "--loop", "asyncio")
