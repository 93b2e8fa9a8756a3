"""The OpenAPI document: valid OpenAPI 3.1 (openapi-spec-validator), served at /openapi.json, and unable to drift
from the code: every route and method, every model field, and nothing the code lacks."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from typing import Any

import pytest
from openapi_spec_validator import validate
from tornado.testing import AsyncHTTPTestCase
from tornado.web import Application, RequestHandler, StaticFileHandler

from src.model.task import FIELDS, Task
from src.request_handlers.conditional_requests import parse_entity_tags
from src.request_handlers.custom_request_handler import CustomRequestHandler
from src.request_handlers.openapi.document import DocumentDriftError, build_document, implemented_methods
from src.server.application_factory import ApplicationFactory
from src.server.feature import Feature
from src.server.router import FEATURES, Router
from src.settings import ApplicationContext
from src.utils.command_line.argument_parsing_utils import replace_settings
from src.utils.route_templates import route_template, route_templates
from tests.support.components import make_components

DESCRIPTIONS = Router.openapi(list(FEATURES))
WITHOUT_EXAMPLES = replace_settings(ApplicationContext(), server={"examples": False})


def router_document() -> dict[str, Any]:
    return build_document([(route[0], route[1]) for route in Router.routes(make_components())], DESCRIPTIONS)


def test_the_document_is_valid_openapi_3_1() -> None:
    document = router_document()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_routed_path_and_method_is_described() -> None:
    paths = router_document()["paths"]
    for route in Router.routes(make_components()):
        handler = route[1]
        if route[0].startswith("/docs/assets"):
            continue  # Swagger UI's files, not the API
        for template in route_templates(route[0]):
            assert template in paths, template
            documented = {method for method in paths[template] if method != "parameters"}
            assert documented == {m.lower() for m in implemented_methods(handler, template)} | {"options"}, template


def test_every_model_field_is_in_the_task_schemas_and_no_other() -> None:
    schemas = router_document()["components"]["schemas"]
    model_fields = {field.name for field in fields(Task)} - {"id"}  # the id is the URL, not a field
    assert model_fields == set(FIELDS)
    for name in ("Task", "TaskInput", "TaskPatch"):
        assert set(schemas[name]["properties"]) == model_fields, name
        assert schemas[name]["additionalProperties"] is False


def test_every_error_status_a_route_answers_has_the_error_shape() -> None:
    document = router_document()
    for template, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert "default" in operation["responses"], (template, method)
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")) and template != "/health":
                    assert response["$ref"].startswith("#/components/responses/Error"), (template, status)


class Unlisted(CustomRequestHandler):
    def get(self) -> None:
        self.make_response({})


class OnlyGet(CustomRequestHandler):
    def get(self) -> None:
        self.make_response({})


def test_a_route_without_a_description_fails() -> None:
    routes: list[tuple[str, type[RequestHandler]]] = [(r"/not-described", Unlisted)]
    with pytest.raises(DocumentDriftError, match="/not-described"):
        build_document([(route[0], route[1]) for route in Router.routes(make_components())] + routes, DESCRIPTIONS)


def test_a_described_method_the_code_lacks_fails() -> None:
    routes = [(route[0], OnlyGet if route_template(route[0]) == "/cors" else route[1])
              for route in Router.routes(make_components())]
    with pytest.raises(DocumentDriftError, match=r"/cors: the code answers \['get'\]"):
        build_document(routes, DESCRIPTIONS)


def test_a_described_route_the_code_lacks_fails() -> None:
    routes = [(route[0], route[1]) for route in Router.routes(make_components()) if route_template(route[0]) != "/ping"]
    with pytest.raises(DocumentDriftError, match="/ping"):
        build_document(routes, DESCRIPTIONS)


def test_each_feature_describes_exactly_its_own_routes() -> None:
    components = make_components()
    for feature in FEATURES:
        templates = {template for pattern, target in feature.routes(components).items()
                     if not issubclass(target[0] if isinstance(target, tuple) else target, StaticFileHandler)
                     for template in route_templates(pattern)}
        assert set(feature.openapi) == templates, feature.name


def test_a_path_two_features_describe_is_refused() -> None:
    twin = Feature("twin", lambda _components: {}, openapi={"/ping": {}})
    with pytest.raises(ValueError, match="already described"):
        Router.openapi([*FEATURES, twin])


def test_without_the_examples_the_document_describes_the_other_features() -> None:
    components = make_components(WITHOUT_EXAMPLES)
    features = Router.features(WITHOUT_EXAMPLES)
    document = build_document([(route[0], route[1]) for route in Router.routes(components, features)],
                              Router.openapi(features))
    validate(document)
    assert "/tasks/{task_id}" in document["paths"]
    assert not {"/", "/cors", "/client", "/resources"} & set(document["paths"])


class TestServedDocument(AsyncHTTPTestCase):
    def get_app(self) -> Application:
        return ApplicationFactory.create(make_components())

    def test_openapi_json_is_the_document_of_the_served_routes(self) -> None:
        response = self.fetch("/openapi.json")
        assert response.code == 200
        assert response.headers["Content-Type"].startswith("application/json")
        assert json.loads(response.body) == router_document()

    def test_docs_page_loads_swagger_ui_from_this_server_under_the_csp(self) -> None:
        response = self.fetch("/docs")
        assert response.code == 200
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
        page = response.body.decode()
        assert "<script>" not in page and "style=" not in page and "http" not in page.split("<body>")[0]
        assert self.fetch("/docs/assets/swagger-ui-bundle.js").code == 200
        assert self.fetch("/docs/assets/swagger-ui.css").code == 200
        missing = self.fetch("/docs/assets/no-such-file.js")
        assert missing.code == 404 and json.loads(missing.body)["code"] == 404


def test_every_link_leads_to_an_operation_with_the_parameters_it_fills() -> None:
    document = router_document()
    parameters = document["components"]["parameters"]
    by_id = {}
    for item in document["paths"].values():
        for method, operation in item.items():
            if method != "parameters":
                names = [parameters[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p
                         for p in [*item.get("parameters", ()), *operation["parameters"]]]
                by_id[operation["operationId"]] = {f"{'' if p['in'] == 'path' else p['in'] + '.'}{p['name']}"
                                                   for p in names}
    links = [link for item in document["paths"].values() for method, operation in item.items()
             if method != "parameters" for response in operation["responses"].values()
             for link in response.get("links", {}).values()]
    assert len(links) == 5  # PUT, PATCH, DELETE of a task and PATCH, DELETE of a resource, each after a read
    for link in links:
        assert set(link["parameters"]) <= by_id[link["operationId"]], link


@pytest.mark.parametrize(("header", "well_formed"), [
    ('"6b0ec-1"', True), ('W/"a", "b"', True), ("*", True), ('"a",\t"b"', True), ("abc", True),
    ("", False), ('"a" "b"', False), ('a"b', False), ("a b", False), (",", False)])
def test_if_match_takes_star_or_a_list_of_tags(header: str, well_formed: bool) -> None:
    parameters = router_document()["components"]["parameters"]
    assert bool(re.search(parameters["If-Match"]["schema"]["pattern"], header)) is well_formed
    # A well-formed header is read as a list of tags; a malformed one as a list matching nothing (a 412).
    tags = parse_entity_tags(header)
    assert tags.any or bool(tags.strong or tags.weak) is well_formed
    # A malformed If-None-Match is ignored (the read answers 200), so the document gives it no pattern to refuse.
    assert "pattern" not in parameters["If-None-Match"]["schema"]
