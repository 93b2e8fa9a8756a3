"""The database layer loads only the parts of bson it uses (ObjectId, its errors), not all of BSON; MongoDB's
driver, imported after it, still gets the whole package, C extension included."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support.server_process import PROJECT_ROOT

SCRIPT = """
import json, sys
import src.server.server
from src.database.generic_dao import GenericDAO
embedded = sorted(name for name in sys.modules if name.split(".")[0] in ("bson", "decimal", "uuid"))
object_id = GenericDAO.id_from_text("5f0c8e1b9d3e4a2b1c0d9e8f")
import bson
import pymongo
print(json.dumps({"embedded": embedded, "c": bson.has_c(), "driver_has_decimal": "bson.decimal128" in sys.modules,
                  "round_trip": bson.decode(bson.encode({"_id": object_id}))["_id"] == object_id,
                  "same_type": bson.ObjectId is type(object_id), "client": bool(pymongo.MongoClient)}))
"""


def test_the_embedded_store_loads_objectid_not_all_of_bson_and_the_driver_still_gets_all_of_it() -> None:
    # Without coverage's start-up in the child (`make test` measures subprocesses): coverage itself imports decimal.
    environment = {name: value for name, value in os.environ.items() if not name.startswith("COVERAGE_")}
    finished = subprocess.run([sys.executable, "-c", SCRIPT], cwd=PROJECT_ROOT, env=environment, capture_output=True,
                              text=True, timeout=60, check=False)
    assert finished.returncode == 0, finished.stderr
    seen = json.loads(finished.stdout)
    assert "bson.objectid" in seen["embedded"]
    assert {"bson.decimal128", "bson.json_util", "decimal"} & set(seen["embedded"]) == set()
    assert seen == {**seen, "c": True, "driver_has_decimal": True, "round_trip": True, "same_type": True,
                    "client": True}
