"""`Components` for an in-process Application, composed from the Router's features the way start-up composes
them, from objects the test owns (nothing is started or closed here)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tornado.httpclient import AsyncHTTPClient

from src.database.store import StoreCollection, StoreDatabase
from src.jobs.scheduler import Scheduler
from src.lifecycle import HealthCheck, NotStartedError
from src.server.components import Components, compose
from src.server.feature import Feature
from src.server.metrics_startup import RequestAccounting
from src.server.router import Router
from src.settings import ApplicationContext
from src.utils.concurrency.lock_manager import LockManager


class NotStartedDatabase:
    """Stands for a database that start-up never made: every use is the one "not started" error."""

    @property
    def name(self) -> str:
        raise NotStartedError("the database")

    def __getitem__(self, name: str, /) -> StoreCollection:
        raise NotStartedError("the database")


def make_components(context: ApplicationContext | None = None, *, database: StoreDatabase | None = None,
                    http_client: AsyncHTTPClient | None = None, lock_manager: LockManager | None = None,
                    health_checks: Mapping[str, HealthCheck] | None = None,
                    features: Sequence[Feature] | None = None) -> Components:
    """`database` defaults to one that is not started; `http_client` to the loop's shared `AsyncHTTPClient()`
    (which `AsyncHTTPTestCase` closes)."""
    context = context or ApplicationContext()
    infrastructure = Components(
        context, NotStartedDatabase() if database is None else database,
        AsyncHTTPClient() if http_client is None else http_client, Scheduler(), RequestAccounting.without_metrics(),
        lock_manager, dict(health_checks or {}))
    return compose(infrastructure, Router.features(context) if features is None else features)
