"""The start-up line: one INFO line saying which service serves where, with which store.

    message=STARTING service_name=tornado-boilerplate port=5000 url=http://localhost:5000 store=embedded
    db=data/tornado_boilerplate.sqlite3 proc=1

It is the tutorial's `message="STARTING" service_name=... port=...` line, pre-formatted as logfmt so it reads the
same under any formatter (a YAML dictConfig's too). The server writes it once: the single process when it
listens, or the supervisor of `--proc N` when it starts its workers.
"""

from __future__ import annotations

import logging

from src.database.database_startup import store_location
from src.settings import ApplicationContext
from src.utils.logging import logfmt


def starting_message(context: ApplicationContext, processes: int) -> str:
    server = context.server
    store, location = store_location(context.database)
    fields: dict[str, object] = {"message": "STARTING", "service_name": server.service_name, "port": server.port,
                                 "url": server.url, "store": store, "db": location}
    if store == "mongodb":
        fields["driver"] = context.database.driver
    fields["proc"] = processes
    return logfmt.format_pairs(fields)


def log_starting(context: ApplicationContext, processes: int) -> None:
    logger = logging.getLogger("tornado_boilerplate.server")
    if logger.isEnabledFor(logging.INFO):
        logger.info(starting_message(context, processes), extra={"logfmt": True})
