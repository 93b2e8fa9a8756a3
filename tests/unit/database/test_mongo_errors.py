"""`mongo_errors`: pymongo's own exception types, loaded only when the embedded store first names one."""

from __future__ import annotations

import subprocess
import sys

import pymongo.errors
import pytest

from src.database.embedded import mongo_errors
from tests.support.server_process import PROJECT_ROOT


def test_the_types_are_pymongos_own() -> None:
    for name in mongo_errors.__all__:
        assert getattr(mongo_errors, name) is getattr(pymongo.errors, name)
    with pytest.raises(AttributeError, match="ConnectionFailure"):
        _ = mongo_errors.ConnectionFailure


def test_pymongo_loads_when_an_error_is_first_named_not_with_the_store() -> None:
    script = ("import sys\nimport src.database.embedded, src.database.driver_errors\n"
              "from src.database.embedded import mongo_errors\n"
              "before = 'pymongo' in sys.modules\nmongo_errors.DuplicateKeyError\n"
              "print(before, 'pymongo' in sys.modules)\n")
    finished = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
                              timeout=60, check=True)
    assert finished.stdout.split() == ["False", "True"]
