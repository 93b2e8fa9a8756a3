"""`load_parts_only`: a package's modules import without its `__init__`, and the package used whole still works.

Each case runs in a fresh interpreter, on a small package written for it, so what is imported can be seen."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.server_process import PROJECT_ROOT

PACKAGE = {
    "__init__.py": "from . import heavy\nfrom .light import value\nWHOLE = True\n",
    "heavy.py": "import json\n",
    "light.py": "from . import helper\nvalue = helper.VALUE\n",
    "helper.py": "VALUE = 42\n",
}


def _run(tmp_path: Path, code: str) -> dict[str, object]:
    for name, text in PACKAGE.items():
        (tmp_path / "partly" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "partly" / name).write_text(text)
    script = ("import sys, json\nsys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
              "from src.utils.package_parts import load_parts_only\n" + code)
    finished = subprocess.run([sys.executable, "-c", script, str(tmp_path), str(PROJECT_ROOT)], capture_output=True,
                              text=True, timeout=60, check=False)
    assert finished.returncode == 0, finished.stderr
    return dict(json.loads(finished.stdout))


def test_a_module_imports_alone_even_one_that_imports_its_siblings_relatively(tmp_path: Path) -> None:
    seen = _run(tmp_path, "load_parts_only('partly')\nimport partly.light\n"
                "print(json.dumps({'value': partly.light.value, 'mods': sorted(m for m in sys.modules "
                "if m.startswith('partly')), 'whole': 'WHOLE' in vars(sys.modules['partly'])}))")
    assert seen == {"value": 42, "mods": ["partly", "partly.helper", "partly.light"], "whole": False}


def test_a_name_of_the_package_itself_runs_its_init(tmp_path: Path) -> None:
    seen = _run(tmp_path, "load_parts_only('partly')\nimport partly.light\nfrom partly import WHOLE, value\n"
                "print(json.dumps({'whole': WHOLE, 'value': value, 'heavy': 'partly.heavy' in sys.modules}))")
    assert seen == {"whole": True, "value": 42, "heavy": True}


def test_a_package_already_imported_is_left_as_it_is(tmp_path: Path) -> None:
    seen = _run(tmp_path, "import partly\nassert load_parts_only('partly') is partly\n"
                "print(json.dumps({'whole': partly.WHOLE}))")
    assert seen == {"whole": True}


def test_a_missing_name_is_an_attribute_error_after_the_init_ran(tmp_path: Path) -> None:
    seen = _run(tmp_path, "load_parts_only('partly')\ntry:\n    import partly\n    partly.nothing\n"
                "except AttributeError:\n    print(json.dumps({'whole': partly.WHOLE}))")
    assert seen == {"whole": True}
