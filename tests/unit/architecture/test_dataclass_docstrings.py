"""Every dataclass in src/ has a docstring. Without one the `dataclass` decorator writes one at import time from
`inspect.signature(cls)`: for the settings' six classes alone that was ~40M instructions (about 12 ms) of every
start-up (docs/performance.md)."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

from src.settings import PROJECT_ROOT


def undocumented_dataclasses(root: Path) -> list[str]:
    found = []
    for path in sorted((root / "src").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.ClassDef) and ast.get_docstring(node) is None
                    and any("dataclass" in ast.unparse(decorator) for decorator in node.decorator_list)):
                found.append(f"{path.relative_to(root)}:{node.lineno} {node.name}")
    return found


def test_every_dataclass_has_a_docstring() -> None:
    assert undocumented_dataclasses(PROJECT_ROOT) == []


def test_the_check_sees_a_dataclass_without_one(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "shapes.py").write_text(
        "from dataclasses import dataclass\n\n@dataclass(frozen=True)\nclass Point:\n    x: int\n\n"
        "@dataclass\nclass Size:\n    '''Width and height.'''\n    width: int\n")
    assert undocumented_dataclasses(tmp_path) == ["src/shapes.py:4 Point"]


def test_a_docstring_spares_the_decorator_the_signature() -> None:
    @dataclasses.dataclass
    class Documented:
        """Said here."""

        x: int

    assert Documented.__doc__ == "Said here."
