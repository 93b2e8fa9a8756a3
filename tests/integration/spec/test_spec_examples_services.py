"""The boilerplate spec, its later sections (Logging, Requesting external services, MongoDB support, Distributed
lock manager, Scheduler), written as the text shows them and asserting what the text says; the first sections are
in test_spec_examples.py. Each test is named after the section it checks."""

from __future__ import annotations

import asyncio
import inspect
import logging
import logging.handlers
from pathlib import Path
from typing import Any

import pytest
from mongomock_motor import AsyncMongoMockClient

from src.database.daos.example_dao import ExampleDAO, ExampleDao
from src.database.generic_dao import GenericDAO
from src.database.mongo import Mongo
from src.http_connectors.example_client_connector import ExampleClientConnector
from src.http_connectors.generic_http_connector import GenericHTTPConnector
from src.jobs.concurrent_example_job import ConcurrentExampleJob
from src.jobs.example_job import ExampleJob
from src.jobs.scheduler import Scheduler
from src.model.example_resource import ExampleResource
from src.service.example_client_service import ExampleClientService
from src.settings import DatabaseSettings
from src.utils.annotations.retry_coroutine import retry_coroutine
from src.utils.command_line.argument_parsing_utils import ArgumentParsingUtils
from src.utils.concurrency.lock_manager import LockManager
from src.utils.concurrency.single_process_coroutine import single_process_name
from src.utils.logging.buffered_handlers import BufferedRotatingFileHandler, BufferedStreamHandler
from src.utils.logging.logger import Logger
from tests.integration.tasks.http_calls import call
from tests.support.etcd_process import EtcdProcess
from tests.support.server_process import ServerProcess

# ---- Logging ---------------------------------------------------------------------------------------------------

def test_logging_class_attributes_are_the_basic_configuration() -> None:
    assert "%(message)s" in Logger.FORMATTING_STRING
    assert (Logger.LOGGING_LEVEL, Logger.LOGGING_FILE_NAME) == ("INFO", "server.log")
    assert (Logger.MAX_BYTE, Logger.BACKUP_COUNT) == (10 * 1024 * 1024, 5)


def test_log_handlers_console_and_rotating_file_in_logs_plus_syslog(tmp_path: Path) -> None:
    from src.utils.logging.logging_setup import configure_logging  # noqa: PLC0415 - replaces the process's handlers

    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        configure_logging(ArgumentParsingUtils.parse(["--log_dir", str(tmp_path / "logs"), "--log_host",
                                                      "127.0.0.1", "--log_port", "5514"], {}))
        console, file, syslog = root.handlers
        assert (tmp_path / "logs").is_dir()  # "created on startup if it doesn't exist"
        # The StreamHandler and RotatingFileHandler, as buffered equivalents that write in batches.
        assert isinstance(console, BufferedStreamHandler)
        assert isinstance(file, BufferedRotatingFileHandler) and file.path == tmp_path / "logs" / "server.log"
        assert (file.max_bytes, file.backup_count) == (Logger.MAX_BYTE, Logger.BACKUP_COUNT)
        assert isinstance(syslog, logging.handlers.SysLogHandler)
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def test_logger_instancing_fills_the_name_field(caplog: pytest.LogCaptureFixture) -> None:
    logger = Logger("aName")
    with caplog.at_level(logging.INFO, logger="aName"):
        logger.info("hello")
    assert [(record.name, record.getMessage()) for record in caplog.records] == [("aName", "hello")]


# ---- Requesting external services ------------------------------------------------------------------------------

def test_requesting_external_services_example_flow(server: ServerProcess) -> None:
    assert issubclass(ExampleClientConnector, GenericHTTPConnector)
    assert ExampleClientService is not None
    answer = call(server.port, "GET", "/client")  # ExampleClientHandler -> service -> connector -> /ping
    assert (answer.status, answer.json()) == (200, {"status": "ok"})


async def test_request_retry_annotation_retries_and_logs_every_try(caplog: pytest.LogCaptureFixture) -> None:
    tries: list[int] = []

    @retry_coroutine(retry_on=(ConnectionError,), base_delay=0.0)
    async def flaky_request() -> str:
        tries.append(len(tries) + 1)
        if len(tries) < 3:
            raise ConnectionError("upstream down")
        return "answer"

    @retry_coroutine
    async def bare() -> str:
        return "bare"

    with caplog.at_level(logging.DEBUG, logger="tornado_boilerplate.retry"):
        assert await flaky_request() == "answer"
    assert tries == [1, 2, 3]
    assert len([record for record in caplog.records if "attempt" in record.getMessage()]) == 3
    assert await bare() == "bare"
    with pytest.raises(TypeError, match="retry_on"):
        retry_coroutine(ConnectionError)  # type: ignore[arg-type]  # misuse fails here, not later


# ---- MongoDB support -------------------------------------------------------------------------------------------

async def test_mongo_server_connection_and_db_global_handler() -> None:
    # `Mongo.init()` builds the URI from the database parameters and a Motor client with it (no round trip yet).
    database = Mongo.init(DatabaseSettings(host="127.0.0.1", port=1, name="tornado_boilerplate"))
    try:
        assert type(database).__module__.startswith("motor")
        assert database.name == "tornado_boilerplate"
        assert Mongo.get() is database  # "by calling `Mongo.get()` from anywhere in our code"
    finally:
        await Mongo.close()


async def test_generic_dao_example_dao_on_the_example_collection() -> None:
    assert ExampleDao is ExampleDAO and issubclass(ExampleDao, GenericDAO)
    assert "collection" in GenericDAO.__abstractmethods__  # "a method to be implemented by it's subclasses"
    database: Any = AsyncMongoMockClient()["tornado_boilerplate"]
    await ExampleDao(database).insert(ExampleResource("stored"))
    assert await database["example"].count_documents({"name": "stored"}) == 1  # "it is the `example` collection"


# ---- Scheduler -------------------------------------------------------------------------------------------------

def test_scheduler_three_ways_and_example_set_up_before_the_loop_runs() -> None:
    ran: list[str] = []

    async def job() -> None:
        ran.append("ran")

    handles = [Scheduler.run_every_millis(job, delta_millis=20), Scheduler.run_in_millis(job, millis=0),
               Scheduler.schedule_for_time(job, hour=0, minute=0, second=0), *Scheduler.example_set_up()]
    scheduler = Scheduler.get()

    async def loop_runs() -> None:  # the server's start-up starts the process's scheduler with its loop
        scheduler.start()
        while ran.count("ran") < 3:
            await asyncio.sleep(0.01)
        await scheduler.shutdown()

    asyncio.run(asyncio.wait_for(loop_runs(), 30))  # the set-up above ran before any loop, as the spec has it
    assert sorted(handle.kind for handle in handles) == ["daily", "daily", "every", "every", "every", "once",
                                                         "once"]
    assert single_process_name(ConcurrentExampleJob.run) == "concurrent-example-job"
    assert inspect.iscoroutinefunction(ExampleJob.run)


# ---- Distributed lock manager ----------------------------------------------------------------------------------

async def test_lockmanager_class_acquire_and_release_awaited_and_the_synchronous_habit_fails_loudly() -> None:
    with EtcdProcess() as etcd:
        manager = LockManager(etcd.host, etcd.port, timeout=2.0)
        try:
            with pytest.raises(TypeError, match="await it"):
                if manager.acquire("aLock"):  # the spec's habit, without await: never silently "held"
                    pytest.fail("an un-awaited acquire must not read as held")
            assert await manager.acquire("aLock") is True
            assert await manager.acquire("aLock", blocking=False, silent=True) is False  # held: no wait, no raise
            assert await manager.release("aLock") is True
        finally:
            await manager.close()


def test_single_process_coroutine_annotation_acquire_parameters() -> None:
    parameters = inspect.signature(LockManager.acquire).parameters
    assert (parameters["blocking"].default, parameters["silent"].default) == (True, False)
    assert single_process_name(ConcurrentExampleJob.run) == "concurrent-example-job"
