"""`Feature`: one unit of the product (the todo list, the examples...), registered in one place.

A feature says everything the server needs to know about it: its routes (path -> handler, with the services each
handler receives through `initialize()`), the services it builds once per process from the `Components`, its
`/health` checks, its start-up work (creating indexes, scheduling jobs) and its routes' part of the OpenAPI
document. The `Router` gathers the features; nothing else names them. Example features are marked
`example=True` and all go with one switch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from tornado.web import RequestHandler

from src.jobs.scheduler_startup import JobSetUp
from src.lifecycle import HealthCheck
from src.request_handlers.openapi.describe import PathDescription

if TYPE_CHECKING:
    from src.server.components import Components

# A route's handler, with the keyword arguments Tornado hands to its `initialize()` (the services it uses).
RouteTarget = type[RequestHandler] | tuple[type[RequestHandler], dict[str, Any]]
# Path pattern -> handler, in matching order (Tornado tries the patterns in this order).
RouteMap = dict[str, RouteTarget]
StartUpWork = Callable[["Components"], Awaitable[None]]


def _no_services(_components: Components) -> Sequence[object]:
    return ()


def _no_health_checks(_components: Components) -> Mapping[str, HealthCheck]:
    return {}


class Feature(NamedTuple):
    """What a feature brings to a worker: routes, services, health checks, start-up work, jobs, OpenAPI."""

    name: str
    # The route map; handlers get their services from `components.services` here, built once per process.
    routes: Callable[[Components], RouteMap]
    services: Callable[[Components], Sequence[object]] = _no_services
    health_checks: Callable[[Components], Mapping[str, HealthCheck]] = _no_health_checks
    # Run once per worker at start-up, in order, after every feature's services are built.
    start_up: Sequence[StartUpWork] = ()
    # Jobs it schedules on the worker's Scheduler when that starts.
    jobs: JobSetUp | None = None
    example: bool = False
    # What its routes answer, per route template and method: its part of the OpenAPI document (/openapi.json).
    openapi: Mapping[str, PathDescription] = MappingProxyType({})
