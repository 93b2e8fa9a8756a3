"""The examples: the page at `/`, CORS at `/cors`, a distributed lock at `/locking/{id}`, an outbound call at
`/client`, and the example jobs. Marked `example=True`: `--no-examples` leaves them out, and deleting this
feature's line from the Router (then its modules) removes them all."""

from __future__ import annotations

from collections.abc import Sequence

from src.http_connectors.example_client_connector import ExampleClientConnector
from src.jobs.scheduler import Scheduler
from src.request_handlers.cors_example import ExampleCORSHandler
from src.request_handlers.example_client import ExampleClientHandler
from src.request_handlers.locking_example import ExampleLockingHandler
from src.request_handlers.view_example import ExampleViewHandler
from src.server.components import Components
from src.server.feature import Feature, RouteMap
from src.service.example_client_service import ExampleClientService
from src.settings import ApplicationContext


def services(components: Components) -> Sequence[object]:
    context = components.context
    settings = context.http_client
    # No client given: the connector calls through the shared client (the same object as components.http_client).
    connector = ExampleClientConnector(
        context.example_client_url, connect_timeout=settings.connect_timeout,
        request_timeout=settings.request_timeout,
        # The default upstream is this very server; with --ssl its certificate is usually self-signed.
        validate_cert=settings.example_client_url is not None)
    return [ExampleClientService(connector)]


def routes(components: Components) -> RouteMap:
    return {
        r"/": ExampleViewHandler,
        r"/cors": ExampleCORSHandler,
        r"/locking/(?P<lock_id>[^/]+)": (ExampleLockingHandler, {"lock_manager": components.lock_manager}),
        r"/client": (ExampleClientHandler, {"service": components.services.get(ExampleClientService)}),
    }


def schedule_jobs(scheduler: Scheduler, context: ApplicationContext) -> None:
    """The spec's example jobs, unless --no-example_jobs."""
    if context.server.example_jobs:
        scheduler.example_set_up()


FEATURE = Feature("examples", routes, services, jobs=schedule_jobs, example=True)
