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
from src.request_handlers.openapi.describe import JSON, PathDescriptions, answer, errors
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


# What /, /cors, /client, /locking/{lock_id} answer, in the OpenAPI document (/openapi.json).
OPENAPI: PathDescriptions = {
    "/": {
        "get": {"summary": "The todo-list page", "tags": ["pages"],
                "responses": {"200": answer("The HTML page", media_type="text/html",
                                            raw_schema={"type": "string"})}},
    },
    "/cors": {
        "get": {"summary": "A CORS-enabled resource", "tags": ["examples"],
                "responses": {"200": answer("A message", "CorsMessage")}},
        "post": {"summary": "Echo a JSON object back", "tags": ["examples"],
                 "requestBody": {"required": True, "content": {JSON: {"schema": {"type": "object"}}}},
                 "responses": {"200": answer("What was received", "CorsEcho"), **errors(400, 413)}},
    },
    "/client": {
        "get": {"summary": "Call the configured upstream and answer its JSON", "tags": ["examples"],
                "responses": {"200": answer("The upstream's JSON document", raw_schema={}),
                              **errors(502, 503, 504)}},
    },
    "/locking/{lock_id}": {
        "parameters": {"lock_id": "the name of the lock"},
        "get": {"summary": "Hold a distributed lock for --locking_hold_seconds", "tags": ["examples"],
                "responses": {"200": answer("The lock was held and released", "Lock"), **errors(409, 503)}},
    },
}


FEATURE = Feature("examples", routes, services, jobs=schedule_jobs, example=True, openapi=OPENAPI)
