"""`Mongo`: the back end chosen from the settings, the client created once, the ping, close, and a start-up
that never waits for MongoDB."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from motor.motor_asyncio import AsyncIOMotorDatabase
from pymongo.errors import ServerSelectionTimeoutError

from src.database.database_startup import database_component, describe
from src.database.embedded import EmbeddedDatabase
from src.database.mongo import Mongo
from src.lifecycle import Lifecycle
from src.settings import DatabaseSettings
from tests.support.server_process import free_port


@pytest.fixture(autouse=True)
def no_client_left() -> Iterator[None]:
    yield
    assert Mongo._client is None, "a test left Mongo initialised"


async def test_embedded_store_by_default(tmp_path: Path) -> None:
    database = Mongo.init(DatabaseSettings(path=tmp_path, name="app"))
    try:
        assert isinstance(database, EmbeddedDatabase)
        assert Mongo.get() is database
        assert Mongo.init(DatabaseSettings(path=tmp_path / "other")) is database  # once per process
        assert Mongo.is_embedded()
        await Mongo.ping()
        await database["things"].insert_one({"_id": 1})
        assert (tmp_path / "app.sqlite3").exists()
    finally:
        await Mongo.close()
    with pytest.raises(RuntimeError, match="init"):
        Mongo.get()
    with pytest.raises(RuntimeError, match="init"):
        await Mongo.ping()


async def test_motor_when_a_host_is_configured_with_the_server_selection_timeout() -> None:
    settings = DatabaseSettings(host="127.0.0.1", port=free_port(), name="orders", user="app", password="p@ss:w/rd",
                                timeout_ms=300)
    database = Mongo.init(settings)
    try:
        assert not Mongo.is_embedded()
        assert database.name == "orders"
        assert isinstance(database, AsyncIOMotorDatabase)
        # Motor's stub types `options` as a method; at run time it is pymongo's ClientOptions.
        assert database.client.options.server_selection_timeout == 0.3  # type: ignore[attr-defined]
        started = time.monotonic()
        with pytest.raises(ServerSelectionTimeoutError):
            await Mongo.ping()  # nothing listens there: fails after the selection timeout, not 30 s
        assert time.monotonic() - started < 5
    finally:
        await Mongo.close()


async def test_a_uri_names_its_own_database() -> None:
    database = Mongo.init(DatabaseSettings(uri=f"mongodb://127.0.0.1:{free_port()}/from_uri", timeout_ms=200))
    try:
        assert database.name == "from_uri"
    finally:
        await Mongo.close()


async def test_the_database_component_opens_at_set_up_and_closes_at_teardown(tmp_path: Path) -> None:
    lifecycle = Lifecycle()
    database = await lifecycle.start("database", database_component(DatabaseSettings(path=tmp_path)))
    assert database is Mongo.get()
    await Mongo.ping()
    await lifecycle.shutdown()
    assert Mongo._client is None


async def test_start_up_does_not_wait_for_an_unreachable_mongodb() -> None:
    settings = DatabaseSettings(host="127.0.0.1", port=free_port(), timeout_ms=2000)
    lifecycle = Lifecycle()
    started = time.monotonic()
    await lifecycle.start("database", database_component(settings))
    assert time.monotonic() - started < 0.5
    await lifecycle.shutdown()


async def test_start_up_reports_an_unusable_embedded_folder(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "file").write_text("not a folder")
    lifecycle = Lifecycle()
    await lifecycle.start("database", database_component(DatabaseSettings(path=tmp_path / "file" / "data")))
    assert "cannot be opened" in caplog.text
    await lifecycle.shutdown()


def test_description_never_shows_credentials(tmp_path: Path) -> None:
    assert describe(DatabaseSettings(path=tmp_path)) == f"embedded store {tmp_path / 'tornado_boilerplate.sqlite3'}"
    shown = describe(DatabaseSettings(host="db.example", user="app", password="s3cret"))
    assert "s3cret" not in shown and "app" not in shown
    assert "db.example:27017/tornado_boilerplate" in shown
    from_uri = describe(DatabaseSettings(uri="mongodb+srv://u:topsecret@cluster.example/prod?retryWrites=true"))
    assert from_uri.startswith("MongoDB mongodb+srv://cluster.example/prod")
    assert "topsecret" not in from_uri
