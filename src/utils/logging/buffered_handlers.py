"""Log handlers that format each record at once but write in batches.

Writing every line with its own `write()` (and, for `RotatingFileHandler`, a seek and a second formatting to
decide on rotation) was measured to cost about a quarter of a trivial endpoint's throughput. These handlers
append the formatted line to a list and write the list in one call:

- `FLUSH_INTERVAL` seconds after the first buffered line, on a timer of the event loop running in the thread
  that logged it (lines from other threads meanwhile join the same batch);
- at once when the buffer holds `CAPACITY` characters, or for a record at ERROR or above;
- at once when no flush is scheduled and no event loop runs in the emitting thread (start-up, the supervisor,
  executor threads);
- on `flush()`/`close()`: `flush_logging()` at shutdown, and `logging.shutdown()` at interpreter exit.

So a graceful shutdown loses nothing; a process killed with SIGKILL loses at most the last interval's lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import time
from pathlib import Path
from typing import IO, Any

FLUSH_INTERVAL = 0.2
CAPACITY = 64 * 1024
# A write of at most PIPE_BUF bytes to a pipe is atomic, so lines of workers sharing one stderr never interleave.
PIPE_BUF = 4096
# A scheduled flush this many seconds late is taken as lost (its event loop closed) and done by the next record.
OVERDUE_AFTER = 2.0


class BufferedHandler(logging.Handler):
    """Base class: buffers formatted lines; subclasses implement `_write(data: bytes)`."""

    def __init__(self, level: int | str = logging.NOTSET, flush_interval: float = FLUSH_INTERVAL,
                 capacity: int = CAPACITY, flush_level: int | str = logging.ERROR, encoding: str = "utf-8") -> None:
        super().__init__(level)
        self.flush_interval = flush_interval
        self.capacity = capacity
        self.flush_level: int = flush_level if isinstance(flush_level, int) else logging.getLevelName(flush_level)
        self.encoding = encoding
        self._lines: list[str] = []
        self._buffered = 0
        self._timer_loop: asyncio.AbstractEventLoop | None = None
        self._flush_due = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:  # noqa: BLE001 - logging must never raise into the caller
            self.handleError(record)
            return
        self.add_line(line, record.levelno)

    def add_line(self, line: str, levelno: int) -> None:
        """Buffer one formatted line of a record at `levelno` (what `emit` does after formatting); the caller
        holds the handler's lock, as `Handler.handle` does around `emit`."""
        self._lines.append(line)
        self._buffered += len(line) + 1
        if levelno >= self.flush_level or self._buffered >= self.capacity:
            self.flush()
            return
        if self._timer_loop is not None:  # a flush is already scheduled
            if time.monotonic() > self._flush_due:  # ... but overdue: its loop closed before it ran
                self._timer_loop = None
                self.flush()
            return
        loop = asyncio._get_running_loop()
        if loop is None:
            self.flush()
            return
        self._timer_loop = loop
        self._flush_due = time.monotonic() + self.flush_interval + OVERDUE_AFTER
        loop.call_later(self.flush_interval, self._flush_on_timer)

    def _flush_on_timer(self) -> None:
        self.acquire()
        try:
            self._timer_loop = None
            self.flush()
        finally:
            self.release()

    def flush(self) -> None:
        self.acquire()
        try:
            if not self._lines:
                return
            lines, self._lines, self._buffered = self._lines, [], 0
            data = ("\n".join(lines) + "\n").encode(self.encoding, "backslashreplace")
            try:
                self._write(data)
            except Exception as error:  # noqa: BLE001 - a full disk must not break request handling
                _report_write_error(self, error, len(lines))
        finally:
            self.release()

    def _write(self, data: bytes) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.acquire()
        try:
            self.flush()
        finally:
            self.release()
        super().close()


class BufferedStreamHandler(BufferedHandler):
    """Buffered lines to a stream (default `sys.stderr`), in writes of at most PIPE_BUF bytes ending a line."""

    terminator = "\n"

    def __init__(self, stream: IO[str] | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.stream = stream if stream is not None else sys.stderr

    def _write(self, data: bytes) -> None:
        binary: IO[bytes] | None = getattr(self.stream, "buffer", None)
        if binary is None:
            self.stream.write(data.decode(self.encoding))
            self.stream.flush()
            return
        self.stream.flush()  # text written to the stream by others goes first
        for piece in _line_aligned_pieces(data, PIPE_BUF):
            binary.write(piece)
            binary.flush()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {getattr(self.stream, 'name', '')!s} ({logging.getLevelName(self.level)})>"


class BufferedRotatingFileHandler(BufferedHandler):
    """Buffered lines to `filename`, rotated like `RotatingFileHandler`: when a line would take the file past
    `maxBytes`, `filename` becomes `filename.1` (`.1` becomes `.2`, ... up to `backupCount`) and a new file is
    started. Rotation never happens when either is 0. The file size is tracked in memory, so each process must
    own its file (see `logging_setup` for the per-worker names)."""

    def __init__(self, filename: str | os.PathLike[str], maxBytes: int = 0, backupCount: int = 0,  # noqa: N803 - RotatingFileHandler's names, for dictConfig
                 **options: Any) -> None:
        super().__init__(**options)
        self.path = Path(filename).resolve()
        self.baseFilename = str(self.path)
        self.max_bytes = maxBytes
        self.backup_count = backupCount
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self._open()
        self._size = os.fstat(self._file.fileno()).st_size

    def _open(self) -> IO[bytes]:
        return open(self.path, "ab", buffering=0)

    def _write(self, data: bytes) -> None:
        if self._file.closed:
            self._file = self._open()
            self._size = os.fstat(self._file.fileno()).st_size
        rotates = self.max_bytes > 0 and self.backup_count > 0
        if not rotates or self._size + len(data) <= self.max_bytes:
            self._write_all(data)
            return
        start = 0
        while start < len(data):
            # The longest run of whole lines that still fits (at least one line, even if it alone is too long).
            room = max(self.max_bytes - self._size, 0)
            end = data.rfind(b"\n", start, start + room) + 1 if room else 0
            if end <= start:
                if self._size > 0:
                    self._rotate()
                    continue
                end = data.find(b"\n", start) + 1 or len(data)
            self._write_all(data[start:end])
            start = end

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = self._file.write(view)
            view = view[written or 0:]
        self._size += len(data)

    def _rotate(self) -> None:
        self._file.close()
        for index in range(self.backup_count - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{index}")
            if older.exists():
                older.replace(self.path.with_name(f"{self.path.name}.{index + 1}"))
        if self.path.exists():
            self.path.replace(self.path.with_name(f"{self.path.name}.1"))
        self._file = self._open()
        self._size = 0

    def close(self) -> None:
        super().close()
        self.acquire()
        try:
            if not self._file.closed:
                self._file.close()
        finally:
            self.release()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.path} ({logging.getLevelName(self.level)})>"


def _line_aligned_pieces(data: bytes, limit: int) -> list[bytes]:
    """`data` cut after newlines into pieces of at most `limit` bytes (a longer single line stays whole)."""
    if len(data) <= limit:
        return [data]
    pieces = []
    start = 0
    while start < len(data):
        if len(data) - start <= limit:
            end = len(data)
        else:
            end = data.rfind(b"\n", start, start + limit) + 1
            if end <= start:
                end = data.find(b"\n", start + limit) + 1 or len(data)
        pieces.append(data[start:end])
        start = end
    return pieces


def _report_write_error(handler: logging.Handler, error: Exception, lines: int) -> None:
    if logging.raiseExceptions and sys.stderr is not None:
        with contextlib.suppress(Exception):  # nowhere left to report to
            sys.stderr.write(f"--- logging: {handler!r} dropped {lines} line(s): {type(error).__name__}: {error}\n")
