""".dockerignore, applied with the Docker SDK's own matcher (the one docker-compose v1 builds contexts with): the
build context holds what the Dockerfile copies and none of the venvs, data, logs, keys, tests or .git."""

from __future__ import annotations

from pathlib import Path

from docker.utils.build import exclude_paths

from src.settings import PROJECT_ROOT
from tests.support.deployment_files import dockerfile_instructions, dockerignore_patterns

# A checkout as a developer's machine has it, with everything that must stay out of an image.
CHECKOUT = {
    "server.py": "", "requirements.txt": "", "requirements-dev.txt": "", "Dockerfile": "", "Makefile": "",
    "src/__init__.py": "", "src/server/server.py": "", "src/server/__pycache__/server.cpython-311.pyc": "",
    "views/templates/index.html": "", "views/static/style.css": "", "configs/local.yaml": "",
    ".venv/bin/python": "", "venv/lib/site.py": "", ".git/config": "", "data/tasks.json": "",
    "logs/server.log": "", "keys/server.key": "PRIVATE KEY", "keys/server.crt": "", "keys/README.md": "",
    "tests/unit/test_x.py": "", ".env": "MONGODB_PASSWORD=x", ".mypy_cache/3.11/x.json": "",
    ".pytest_cache/v/cache": "", ".coverage": "", "htmlcov/index.html": "", "node_modules/x/index.js": "",
}
SENT = {"server.py", "requirements.txt", "Dockerfile", "src/__init__.py", "src/server/server.py",
        "views/templates/index.html", "views/static/style.css", "configs/local.yaml"}


def context_files(root: Path) -> set[str]:
    """Regular files the Docker client would send as the build context of `root`."""
    included = exclude_paths(str(root), dockerignore_patterns())
    return {path for path in included if (root / path).is_file()}


def test_only_the_running_code_enters_the_build_context(tmp_path: Path) -> None:
    for relative, content in CHECKOUT.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(content)
    assert context_files(tmp_path) == SENT


def test_every_file_the_dockerfile_copies_is_in_the_real_checkouts_context() -> None:
    sent = context_files(PROJECT_ROOT)
    for instruction in dockerfile_instructions():
        if instruction.name != "COPY" or "--from=" in instruction.value:
            continue
        for source in (part.rstrip("/") for part in instruction.value.split()[:-1]):
            assert source in sent or any(path.startswith(source + "/") for path in sent), \
                f"COPY {source} is excluded by .dockerignore (or missing from the checkout)"
    assert "src/server/server.py" in sent
    assert not [path for path in sent if path.startswith((".venv/", "tests/", "keys/", "logs/", ".git/"))]
