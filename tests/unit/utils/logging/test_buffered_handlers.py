"""Buffered handlers: lines are written in batches (timer, size, ERROR, no loop, flush, close), none is lost,
and the file rotates at line boundaries."""

from __future__ import annotations

import asyncio
import io
import logging
import time
from pathlib import Path

import pytest

from src.utils.logging import buffered_handlers
from src.utils.logging.buffered_handlers import (
    PIPE_BUF,
    BufferedRotatingFileHandler,
    BufferedStreamHandler,
    _line_aligned_pieces,
)


def record(message: str, level: int = logging.INFO) -> logging.LogRecord:
    return logging.LogRecord("test", level, __file__, 1, message, None, None)


def file_handler(path: Path, **options: object) -> BufferedRotatingFileHandler:
    handler = BufferedRotatingFileHandler(path, **options)  # type: ignore[arg-type]
    handler.setFormatter(logging.Formatter("%(message)s"))
    return handler


def test_the_file_exists_from_the_start_and_lines_are_written_at_once_without_a_loop(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "server.log"
    handler = file_handler(path)
    try:
        assert path.exists()
        handler.handle(record("one"))
        assert path.read_text() == "one\n"
    finally:
        handler.close()


async def test_in_an_event_loop_lines_wait_for_the_timer(tmp_path: Path) -> None:
    path = tmp_path / "server.log"
    handler = file_handler(path, flush_interval=0.05)

    try:
        handler.handle(record("one"))
        handler.handle(record("two"))
        before = path.read_text()
        for _ in range(100):
            await asyncio.sleep(0.02)
            if path.read_text():
                break
        after = path.read_text()
    finally:
        handler.close()
    assert before == ""
    assert after == "one\ntwo\n"


async def test_errors_and_a_full_buffer_are_written_at_once(tmp_path: Path) -> None:
    path = tmp_path / "server.log"
    handler = file_handler(path, flush_interval=60, capacity=50)

    try:
        seen = []
        handler.handle(record("info"))
        seen.append(path.read_text())
        handler.handle(record("error", logging.ERROR))
        seen.append(path.read_text())
        handler.handle(record("x" * 60))
        seen.append(path.read_text())
    finally:
        handler.close()
    assert seen == ["", "info\nerror\n", "info\nerror\n" + "x" * 60 + "\n"]


async def test_flush_and_close_write_what_is_buffered(tmp_path: Path) -> None:
    path = tmp_path / "server.log"
    handler = file_handler(path, flush_interval=60)

    handler.handle(record("a"))
    assert path.read_text() == ""
    handler.flush()
    assert path.read_text() == "a\n"
    handler.handle(record("b"))
    handler.close()
    assert path.read_text() == "a\nb\n"


def test_a_timer_lost_with_its_closed_loop_is_made_up_by_the_next_record(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # The timer (60 s) never fires in these short loops, and a flush counts as lost as soon as it is due.
    monkeypatch.setattr(buffered_handlers, "OVERDUE_AFTER", -60.0)
    path = tmp_path / "server.log"
    handler = file_handler(path, flush_interval=60)

    async def log(message: str) -> str:
        handler.handle(record(message))
        return path.read_text()

    try:
        assert asyncio.run(log("first")) == ""  # the loop closes before its timer fires
        time.sleep(0.01)
        assert asyncio.run(log("second")) == "first\nsecond\n"
    finally:
        handler.close()


async def test_rotation_keeps_every_line_once_and_in_order(tmp_path: Path) -> None:
    path = tmp_path / "server.log"
    handler = file_handler(path, maxBytes=200, backupCount=50, flush_interval=60)
    lines = [f"line-{index:03d} " + "x" * (index % 37) for index in range(120)]

    for index, line in enumerate(lines):
        handler.handle(record(line))
        if index % 25 == 0:
            handler.flush()
    handler.close()
    files = [*sorted(tmp_path.glob("server.log.*"), key=lambda p: -int(p.suffix[1:])), path]
    written = [line for file in files for line in file.read_text().splitlines()]
    assert written == lines
    assert all(file.stat().st_size <= 200 for file in files)
    assert len(files) > 10


def test_only_backup_count_old_files_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "server.log"
    handler = file_handler(path, maxBytes=100, backupCount=2)
    for index in range(30):
        handler.handle(record(f"line {index:02d} " + "y" * 20))
    handler.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["server.log", "server.log.1", "server.log.2"]
    assert path.read_text().splitlines()[-1].startswith("line 29")


def test_a_line_longer_than_max_bytes_still_gets_written_whole(tmp_path: Path) -> None:
    path = tmp_path / "server.log"
    handler = file_handler(path, maxBytes=50, backupCount=3)
    handler.handle(record("short"))
    handler.handle(record("z" * 120))
    handler.handle(record("after"))
    handler.close()
    assert (tmp_path / "server.log.2").read_text() == "short\n"
    assert (tmp_path / "server.log.1").read_text() == "z" * 120 + "\n"
    assert path.read_text() == "after\n"


def test_without_rotation_the_file_only_grows(tmp_path: Path) -> None:
    path = tmp_path / "server.log"
    handler = file_handler(path, maxBytes=10, backupCount=0)
    for index in range(5):
        handler.handle(record(f"line {index}"))
    handler.close()
    assert len(path.read_text().splitlines()) == 5
    assert list(tmp_path.iterdir()) == [path]


def test_appending_counts_what_the_file_already_holds(tmp_path: Path) -> None:
    path = tmp_path / "server.log"
    path.write_text("p" * 90 + "\n")
    handler = file_handler(path, maxBytes=100, backupCount=1)
    handler.handle(record("q" * 20))
    handler.close()
    assert (tmp_path / "server.log.1").read_text() == "p" * 90 + "\n"
    assert path.read_text() == "q" * 20 + "\n"


async def test_stream_writes_are_line_aligned_and_at_most_pipe_buf() -> None:
    raw = io.BytesIO()
    writes: list[bytes] = []

    class Recording(io.BufferedWriter):
        def write(self, data: object) -> int:
            writes.append(bytes(data))  # type: ignore[call-overload]
            return super().write(data)  # type: ignore[arg-type]

    stream = io.TextIOWrapper(Recording(raw), encoding="utf-8")
    handler = BufferedStreamHandler(stream, flush_interval=60, capacity=1_000_000)
    handler.setFormatter(logging.Formatter("%(message)s"))
    lines = [f"{index:04d} " + "é" * 100 for index in range(100)]

    for line in lines:
        handler.handle(record(line))
    handler.flush()
    assert len(writes) > 1
    assert all(len(piece) <= PIPE_BUF and piece.endswith(b"\n") for piece in writes)
    assert raw.getvalue().decode().splitlines() == lines


def test_a_text_only_stream_gets_the_text() -> None:
    stream = io.StringIO()
    handler = BufferedStreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.handle(record("hello"))
    assert stream.getvalue() == "INFO hello\n"
    assert "BufferedStreamHandler" in repr(handler)


@pytest.mark.parametrize("size", [1, 100, 4096, 10_000])
def test_line_aligned_pieces_cover_the_data(size: int) -> None:
    data = b"".join(b"%d" % index + b"-" * (index % 50) + b"\n" for index in range(size))
    pieces = _line_aligned_pieces(data, 512)
    assert b"".join(pieces) == data
    assert all(len(piece) <= 512 and piece.endswith(b"\n") for piece in pieces)
    long_line = b"L" * 2000 + b"\nshort\n"
    assert _line_aligned_pieces(long_line, 512) == [b"L" * 2000 + b"\n", b"short\n"]


def test_a_failing_write_is_reported_not_raised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    handler = file_handler(tmp_path / "server.log")

    def fail(data: bytes) -> None:
        raise OSError(28, "No space left on device")

    handler._write = fail  # type: ignore[method-assign]
    handler.handle(record("lost"))
    handler.close()
    assert "dropped 1 line(s): OSError" in capsys.readouterr().err
