"""Route patterns become the templates metrics and the OpenAPI document name paths by."""

from __future__ import annotations

import pytest

from src.server.router import Router
from src.utils.route_templates import route_template, route_templates
from tests.support.components import make_components


@pytest.mark.parametrize(("pattern", "template"), [
    (r"/ping", "/ping"),
    (r"/tasks/(?P<task_id>[^/]+)", "/tasks/{task_id}"),
    (r"/tasks/?", "/tasks"),
    (r"^/a/(?P<x>(?:b|c)+)/(\d+)$", "/a/{x}/{param}"),
    (r"/files\.json", "/files.json"),
    (r"/", "/"),
])
def test_template_of_pattern(pattern: str, template: str) -> None:
    assert route_template(pattern) == template


def test_unbalanced_pattern_is_refused() -> None:
    with pytest.raises(ValueError, match="unbalanced"):
        route_template(r"/a/(?P<x>[^/]+")


def test_every_route_has_a_template_without_regex_syntax() -> None:
    for route in Router.routes(make_components()):
        template = route_template(route[0])
        assert not set(template) & set("()[]?*+\\^$"), (route[0], template)


def test_the_specs_optional_id_route_serves_two_paths_under_one_label() -> None:
    pattern = r"/resources/?(?P<resource_id>[^/]+)?"
    assert route_templates(pattern) == ["/resources", "/resources/{resource_id}"]
    assert route_template(pattern) == "/resources{/resource_id}"  # RFC 6570 path-segment expansion
    assert route_templates(r"/tasks/?") == ["/tasks"]
    assert route_templates(r"/tasks/(?P<task_id>[^/]+)") == ["/tasks/{task_id}"]
