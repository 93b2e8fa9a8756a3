"""The FastAPI async peer of `make bench`: the tasks endpoints on this server's store design
(`tests.benchmarks.peer_store`) through aiosqlite, served by uvicorn in one process with its access log on.
Its dependencies are the bench's own (tests/benchmarks/requirements.txt), installed only into the bench venv.

    python -m tests.benchmarks.fastapi_app --port 8888 --db tasks.sqlite3
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite
import uvicorn
from fastapi import FastAPI, HTTPException, Request, Response

from tests.benchmarks import peer_store

JSON_TYPE = "application/json"


def make_app(db: Path) -> FastAPI:
    connection: list[aiosqlite.Connection] = []

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        opened = await aiosqlite.connect(db, isolation_level=None)
        for statement in (*peer_store.PRAGMAS, peer_store.CREATE_TABLE):
            await opened.execute(statement)
        connection.append(opened)
        yield
        await opened.close()

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)

    async def document(request: Request) -> str:
        try:
            return json.dumps(peer_store.task_document(await request.body()))
        except peer_store.BadTaskError as error:
            raise HTTPException(400, str(error)) from None

    @app.get("/ping")
    async def ping() -> Response:
        return Response(b'{"status": "ok"}', media_type=JSON_TYPE)

    @app.get("/tasks/{task_id}")
    async def get_task(task_id: str) -> Response:
        async with connection[0].execute(peer_store.SELECT_ONE, (task_id,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            raise HTTPException(404)
        return Response(row[0], media_type=JSON_TYPE)

    @app.get("/tasks")
    async def list_tasks(limit: str | None = None) -> Response:
        try:
            size = peer_store.page_limit(limit)
        except peer_store.BadTaskError as error:
            raise HTTPException(400, str(error)) from None
        async with connection[0].execute(peer_store.COUNT) as cursor:
            total = (await cursor.fetchone() or (0,))[0]
        async with connection[0].execute(peer_store.SELECT_PAGE, (size,)) as cursor:
            rows = await cursor.fetchall()
        return Response(peer_store.page_body((str(row[0]), str(row[1])) for row in rows), media_type=JSON_TYPE,
                        headers={"X-Total-Count": str(total)})

    @app.post("/tasks", status_code=201)
    async def create_task(request: Request) -> Response:
        task_id = uuid.uuid4().hex
        await connection[0].execute(peer_store.INSERT, (task_id, await document(request)))
        return Response(status_code=201, headers={"Location": f"/tasks/{task_id}"})

    @app.put("/tasks/{task_id}", status_code=204)
    async def replace_task(task_id: str, request: Request) -> Response:
        cursor = await connection[0].execute(peer_store.UPDATE, (await document(request), task_id))
        if cursor.rowcount == 0:
            raise HTTPException(404)
        return Response(status_code=204)

    return app


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="FastAPI async + aiosqlite peer of the bench")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--db", type=Path, required=True)
    options = parser.parse_args(argv)
    # uvicorn's defaults as deployed (`uvicorn[standard]`): httptools and uvloop when installed, the access log on.
    uvicorn.run(make_app(options.db), host=options.address, port=options.port, access_log=True, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
