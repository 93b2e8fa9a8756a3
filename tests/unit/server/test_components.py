"""`start_components` gives each worker one outbound client from the settings and closes it at shutdown."""

from __future__ import annotations

from pathlib import Path

import pytest

from src.http_connectors.generic_http_connector import GenericHTTPConnector
from src.jobs.scheduler import Scheduler
from src.lifecycle import Lifecycle
from src.server.components import start_components
from src.server.router import Router
from src.settings import ApplicationContext, HttpClientSettings
from src.utils.command_line.argument_parsing_utils import ArgumentParsingUtils


async def test_the_worker_client_follows_the_settings_and_closes_at_shutdown(tmp_path: Path) -> None:
    context = ArgumentParsingUtils.parse(
        ["--http_max_clients", "12", "--http_connect_timeout", "0.4", "--http_request_timeout", "1.25",
         "--db_path", str(tmp_path), "--no-example_jobs"], environ={})
    lifecycle = Lifecycle()
    try:
        components = await start_components(context, lifecycle, Router.features(context))
        client = components.http_client
        assert client is GenericHTTPConnector.shared_client()
        assert client.max_clients == 12  # type: ignore[attr-defined]
        assert (client.defaults["connect_timeout"], client.defaults["request_timeout"]) == (0.4, 1.25)
        assert isinstance(components.scheduler, Scheduler)
        assert set(components.health_checks) == {"database"}
    finally:
        await lifecycle.shutdown()
        GenericHTTPConnector._shared_settings = HttpClientSettings()
    with pytest.raises(RuntimeError, match="not started"):
        GenericHTTPConnector.shared_client()
    with pytest.raises(RuntimeError, match="closed"):
        await client.fetch("http://127.0.0.1:9/")


def test_the_default_upstream_is_this_servers_own_ping():
    assert ApplicationContext().example_client_url == "http://127.0.0.1:5000/ping"
