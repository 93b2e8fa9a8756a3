"""The bench compiles what its servers import before it times a start: the tree's src/ and benchmark modules and the
packages of the interpreter that runs them, so no start pays for compiling (PYTHONDONTWRITEBYTECODE on CI)."""

from __future__ import annotations

import importlib.util
import sysconfig
from pathlib import Path

import pytest

from tests.benchmarks import servers


def _module(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("VALUE = 1\n")
    return path


def test_compiles_the_tree_and_the_interpreters_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    packages = tmp_path / "site-packages"
    monkeypatch.setattr(sysconfig, "get_paths", lambda: {"purelib": str(packages)})
    sources = [_module(tmp_path / "tree" / "src" / "server", "module.py"),
               _module(tmp_path / "tree" / "tests" / "benchmarks", "peer.py"),
               _module(packages / "library", "part.py")]
    outside = _module(tmp_path / "tree" / "docs", "example.py")

    servers.compile_bytecode(tmp_path / "tree")

    assert all(Path(importlib.util.cache_from_source(str(source))).is_file() for source in sources)
    assert not Path(importlib.util.cache_from_source(str(outside))).exists()

