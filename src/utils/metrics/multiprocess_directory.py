"""The folder where, with `--proc N`, every worker's prometheus-client values live, so any worker answering a
scrape reports the sum over all of them (the library's multiprocess mode).

The supervisor makes a fresh folder at each start (in /dev/shm when there is one: the values are memory-mapped
files) and removes it when it exits; folders left by a supervisor that was killed are removed at the next start.
When a worker dies its live gauges are dropped (`mark_process_dead`); its counters stay, as counters must.
"""

from __future__ import annotations

import os
from pathlib import Path

ENVIRONMENT_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"  # read by prometheus-client in each worker
_PREFIX = "tornado-boilerplate-metrics-"


# shutil and tempfile are imported where a supervisor of `--proc N` uses them: a single process never does, and
# shutil brings bz2 and lzma (~9M instructions of a start-up).
def base_folder() -> Path:
    import tempfile  # noqa: PLC0415 - see above

    shared_memory = Path("/dev/shm")  # noqa: S108 - the folder inside it is made by mkdtemp (private, unique)
    return shared_memory if shared_memory.is_dir() and os.access(shared_memory, os.W_OK) else Path(
        tempfile.gettempdir())


def create() -> Path:
    """A new, empty folder for this start, named after the supervisor's pid, and exported to the workers."""
    import shutil  # noqa: PLC0415 - see above
    import tempfile  # noqa: PLC0415

    base = base_folder()
    for stale in base.glob(_PREFIX + "*"):
        if not _alive(stale.name.removeprefix(_PREFIX).partition("-")[0]):
            shutil.rmtree(stale, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-", dir=base))
    os.environ[ENVIRONMENT_VARIABLE] = str(folder)
    return folder


def worker_died(folder: Path, pid: int) -> None:
    from prometheus_client.multiprocess import mark_process_dead  # noqa: PLC0415 - only in a supervisor

    mark_process_dead(pid, str(folder))  # type: ignore[no-untyped-call]


def remove(folder: Path) -> None:
    import shutil  # noqa: PLC0415 - see above

    os.environ.pop(ENVIRONMENT_VARIABLE, None)
    shutil.rmtree(folder, ignore_errors=True)


def current() -> Path | None:
    """This worker's folder, when it was forked by a supervisor that made one."""
    value = os.environ.get(ENVIRONMENT_VARIABLE)
    return Path(value) if value else None


def _alive(pid_text: str) -> bool:
    try:
        os.kill(int(pid_text), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True
