"""The one route table: a dictionary relating each path pattern with its handler, gathered from the features.

Patterns are anchored by Tornado (`^...$`), and ids are one path segment (`[^/]+`), so `/tasksXYZ` or
`/tasks/a/b` never reach a handler by accident; they fall through to the JSON 404 of `NotFoundHandler`.
A feature adds its routes in its own module (`src/server/features/`) and one line in `FEATURES` below.
Files under `/static/` are routed by Tornado itself from the `static_path` setting (ApplicationFactory), which
also gives `static_url()` its cache-busting version hashes.
"""

from __future__ import annotations

from typing import Any

from tornado.web import RequestHandler

from src.request_handlers.openapi.describe import PathDescriptions
from src.server.components import Components
from src.server.feature import Feature, RouteMap
from src.server.features import api_docs, examples, health, metrics, resources, tasks
from src.settings import PROJECT_ROOT, ApplicationContext

STATIC_PATH = PROJECT_ROOT / "views" / "static"
TEMPLATE_PATH = PROJECT_ROOT / "views" / "templates"

Route = tuple[str, type[RequestHandler]] | tuple[str, type[RequestHandler], dict[str, Any]]

# Every feature of the server, in route-matching order: a new feature is one more line here.
FEATURES: tuple[Feature, ...] = (
    health.FEATURE,
    tasks.FEATURE,
    examples.FEATURE,
    resources.FEATURE,
    metrics.FEATURE,
    api_docs.FEATURE,
)


class Router:
    """Gathers the features' routes into the map handed to `tornado.web.Application`."""

    @staticmethod
    def features(context: ApplicationContext) -> list[Feature]:
        """The features this server runs: every one, without the examples under `--no-examples`."""
        return [feature for feature in FEATURES if context.server.examples or not feature.example]

    @staticmethod
    def route_map(components: Components, features: list[Feature] | None = None) -> RouteMap:
        """Path pattern -> handler (with its `initialize()` arguments), in matching order."""
        route_map: RouteMap = {}
        for feature in Router.features(components.context) if features is None else features:
            for path, target in feature.routes(components).items():
                if path in route_map:
                    raise ValueError(f"route {path!r} of feature {feature.name!r} is already taken")
                route_map[path] = target
        return route_map

    @staticmethod
    def openapi(features: list[Feature]) -> PathDescriptions:
        """Route template -> its OpenAPI description, from `features` (those a server runs: `features()`)."""
        descriptions: PathDescriptions = {}
        for feature in features:
            for template, description in feature.openapi.items():
                if template in descriptions:
                    raise ValueError(f"path {template!r} of feature {feature.name!r} is already described")
                descriptions[template] = description
        return descriptions

    @staticmethod
    def routes(components: Components, features: list[Feature] | None = None) -> list[Route]:
        """The route map as the list of rules `tornado.web.Application` takes."""
        rules: list[Route] = []
        for path, target in Router.route_map(components, features).items():
            rules.append((path, *target) if isinstance(target, tuple) else (path, target))
        return rules
