"""The layering of docs/architecture.md holds: no module of src/ imports against the documented direction."""

from __future__ import annotations

from pathlib import Path

from src.settings import PROJECT_ROOT
from tests.support.import_layers import LAYERS, imports_of, layer_of, violations


def test_no_import_runs_against_the_layers() -> None:
    found = violations(PROJECT_ROOT)
    assert not found, "imports against docs/architecture.md:\n" + "\n".join(map(str, found))


def test_every_src_package_has_a_layer() -> None:
    packages = {path.name for path in (PROJECT_ROOT / "src").iterdir()
                if path.is_dir() and (path / "__init__.py").exists()}
    packages |= {path.stem for path in (PROJECT_ROOT / "src").glob("*.py") if path.stem != "__init__"}
    assert {name for name in packages if layer_of(f"src.{name}") is None} == set()
    assert len({package for layer in LAYERS for package in layer}) == len(packages)


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    model = tmp_path / "src" / "model"
    model.mkdir(parents=True)
    (model / "bad.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                  "    from src.server.router import Router\n")
    handlers = tmp_path / "src" / "request_handlers"
    handlers.mkdir()
    (handlers / "reach.py").write_text("import src.database.mongo\nfrom src.service import task_service\n")
    assert imports_of(model / "bad.py") == [(1, "typing"), (3, "src.server.router")]
    assert [str(found) for found in violations(tmp_path)] == [
        "src.model.bad:3 imports src.server.router", "src.request_handlers.reach:1 imports src.database.mongo"]
