"""Process logging set-up. Placeholder until the logging feature lands: plain console logging at the level set."""

from __future__ import annotations

import logging

from src.server.application_context import ApplicationContext


def configure_logging(context: ApplicationContext, worker_id: int | None = None, supervisor: bool = False) -> None:
    logging.basicConfig(level=context.logging.level,
                        format=f"%(asctime)s pid=%(process)d worker={worker_id} %(name)s %(levelname)s %(message)s")


def flush_logging() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()
