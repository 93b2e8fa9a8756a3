"""The import direction of `src/` (docs/architecture.md), as data, and the imports that run against it.

Layers from the bottom: each module may import its own layer and the layers below, never one above. Two rules
come on top: handlers reach storage and outbound HTTP only through services, and services stay free of
Tornado's web layer.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

LAYERS: tuple[tuple[str, ...], ...] = (
    ("src.settings", "src.lifecycle"),                    # ground floor: imports nothing of src
    ("src.model",),                                       # plain data and errors
    ("src.utils",),                                       # cross-cutting helpers
    ("src.database", "src.http_connectors", "src.jobs"),  # storage, outbound HTTP, the scheduler
    ("src.service",),                                     # business logic
    ("src.request_handlers",),                            # HTTP surface
    ("src.server",),                                      # composition: start-up, features, Router
)
FORBIDDEN: tuple[tuple[str, str], ...] = (
    ("src.request_handlers", "src.database"),
    ("src.request_handlers", "src.http_connectors"),
    ("src.service", "tornado.web"),
)


@dataclass(frozen=True)
class Violation:
    module: str
    line: int
    imported: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.imported}"


def _under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def layer_of(module: str) -> int | None:
    for rank, packages in enumerate(LAYERS):
        if any(_under(module, package) for package in packages):
            return rank
    return None


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) of every import in the file, type-checking-only ones included."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def violations(source_root: Path) -> list[Violation]:
    """Every import of `source_root/src` that goes up a layer or breaks a FORBIDDEN rule."""
    result = []
    for path in sorted((source_root / "src").rglob("*.py")):
        module = ".".join(path.relative_to(source_root).with_suffix("").parts).removesuffix(".__init__")
        own = layer_of(module)
        for line, imported in imports_of(path):
            target = layer_of(imported)
            upward = own is not None and target is not None and target > own
            forbidden = any(_under(module, low) and _under(imported, high) for low, high in FORBIDDEN)
            if upward or forbidden:
                result.append(Violation(module, line, imported))
    return result
