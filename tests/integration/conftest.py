"""Fixtures of the integration tests that several folders use."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.server_process import PROJECT_ROOT


@pytest.fixture(scope="session")
def key_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed TLS pair (certificate, key) made by the README's own `make certs`."""
    folder = tmp_path_factory.mktemp("keys")
    subprocess.run(["make", "-s", "certs", f"KEYS_DIR={folder}"], cwd=PROJECT_ROOT, check=True,
                   capture_output=True, timeout=60)
    return folder / "server.crt", folder / "server.key"
