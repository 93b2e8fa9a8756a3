#!/opt/nx-27017/bin/python
"""`mongosh --quiet --eval "db.runCommand({ping:1})"` for the stand-in MongoDB image: the one command the compose
healthcheck runs, answered with a real ping over the wire; anything else is refused, so a changed healthcheck
fails loudly instead of passing."""

import sys
from typing import Any

from pymongo import MongoClient

PING = "db.runCommand({ping:1})"

arguments = [argument for argument in sys.argv[1:] if argument != "--quiet"]
if arguments != ["--eval", PING]:
    sys.exit(f"mongosh stand-in: only --eval {PING!r} is understood, got {sys.argv[1:]}")
client: MongoClient[dict[str, Any]] = MongoClient("mongodb://127.0.0.1:27017", serverSelectionTimeoutMS=3000)
try:
    print(client.admin.command("ping"))
except Exception as error:  # any failure is an unhealthy answer, as mongosh's non-zero exit
    sys.exit(f"ping failed: {error}")
