"""Fixtures of the logging tests: a clean logging set-up per test, and records captured as formatted lines."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from src.utils.logging.record_attributes import install_record_factory, set_worker_label
from tests.unit.utils.logging.helpers import LineCollector


@pytest.fixture
def clean_logging() -> Iterator[None]:
    """Whatever a test configures is closed and detached afterwards (pytest's own capture handlers stay)."""
    root = logging.getLogger()
    saved_level = root.level
    yield
    loggers = [root, *(item for item in logging.Logger.manager.loggerDict.values() if isinstance(item, logging.Logger))]
    for logger in loggers:
        for handler in list(logger.handlers):
            if not type(handler).__module__.startswith("_pytest"):
                logger.removeHandler(handler)
                handler.close()
    for name in ("tornado.access", "tornado.application", "tornado.general", "tornado_boilerplate"):
        logging.getLogger(name).setLevel(logging.NOTSET)
        logging.getLogger(name).propagate = True
    root.setLevel(saved_level)
    set_worker_label("0")
    logging.captureWarnings(False)


@pytest.fixture
def collector(clean_logging: None) -> Iterator[LineCollector]:
    """Every record (DEBUG and up) reaching the root logger, formatted by `LogfmtFormatter`."""
    install_record_factory()
    handler = LineCollector()
    root = logging.getLogger()
    saved_level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    root.setLevel(saved_level)
