"""Features: the Router gathers their routes into one path -> handler map, in order; services are built once;
`--no-examples` leaves every example out while the rest of the server keeps working."""

from __future__ import annotations

import json

import pytest
from tornado.testing import AsyncHTTPTestCase
from tornado.web import Application

from src.request_handlers.health_check import HealthCheckHandler
from src.server.application_factory import ApplicationFactory
from src.server.components import Services
from src.server.feature import Feature
from src.server.features import examples
from src.server.router import FEATURES, Router
from src.service.task_service import TaskService
from src.settings import ApplicationContext
from src.utils.command_line.argument_parsing_utils import replace_settings
from tests.support.components import make_components

WITHOUT_EXAMPLES = replace_settings(ApplicationContext(), server={"examples": False})


def test_the_route_map_is_a_dict_of_every_features_paths_in_order() -> None:
    components = make_components()
    route_map = Router.route_map(components)
    expected = [path for feature in FEATURES for path in feature.routes(components)]
    assert list(route_map) == expected
    assert [rule[0] for rule in Router.routes(components)] == expected
    assert route_map["/ping"] is not None and "/tasks/(?P<task_id>[^/]+)" in route_map


def test_handlers_share_the_services_built_once_at_start_up() -> None:
    components = make_components()
    tasks = components.services.get(TaskService)
    handed = [target[1]["tasks"] for path, target in Router.route_map(components).items()
              if path.startswith("/tasks") and isinstance(target, tuple)]
    assert len(handed) == 2 and all(service is tasks for service in handed)


def test_a_path_two_features_claim_is_refused() -> None:
    twin = Feature("twin", lambda _components: {r"/ping": HealthCheckHandler})
    with pytest.raises(ValueError, match="already taken"):
        Router.route_map(make_components(), [*FEATURES, twin])


def test_a_service_no_feature_built_is_a_clear_error() -> None:
    with pytest.raises(LookupError, match="TaskService"):
        Services().get(TaskService)
    with pytest.raises(ValueError, match="two services"):
        Services([object(), object()])


def test_no_examples_leaves_out_every_example_feature() -> None:
    kept = Router.features(WITHOUT_EXAMPLES)
    assert kept and not any(feature.example for feature in kept)
    assert examples.FEATURE in Router.features(ApplicationContext())
    assert examples.FEATURE not in kept
    assert [feature.jobs for feature in kept if feature.jobs is not None] == []  # no example jobs either


class TestWithoutExamples(AsyncHTTPTestCase):
    def get_app(self) -> Application:
        return ApplicationFactory.create(make_components(WITHOUT_EXAMPLES))

    def test_example_routes_are_404_and_the_rest_still_serves(self) -> None:
        for path in ("/", "/cors", "/client", "/locking/a"):
            response = self.fetch(path)
            assert response.code == 404, path
            assert json.loads(response.body)["code"] == 404
        assert self.fetch("/ping").code == 200
        assert self.fetch("/health").code == 200
        # The document holds the features this server runs, so it builds without the examples' routes.
        document = self.fetch("/openapi.json")
        assert document.code == 200
        assert "/cors" not in json.loads(document.body)["paths"]
