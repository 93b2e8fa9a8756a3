"""The attributes every log record carries besides the standard ones, so any format string can use them:

- `worker`: which serving process wrote it (`0`..`N-1`, or `supervisor`); the pid is the standard `process`.
- `service_name`: the service's name (`--service_name`, the YAML `service: name:`), the same on every line.
- `req_id`: the id of the request being handled when the record was made (None outside a request).
- `request_fields`: the fields that request added with `request_context.add_fields` (None when there are none).

They are set by a LogRecord factory, so they are there whatever handlers and formatters a dictConfig sets up.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from src.settings import ServerSettings
from src.utils.logging import logfmt, request_context

_worker_label = "0"
_service_name = ServerSettings().service_name
_service_name_field = "service_name=" + logfmt.format_value(_service_name)
_base_factory = logging.getLogRecordFactory()


def set_worker_label(label: str) -> None:
    global _worker_label  # noqa: PLW0603 - one label per process, set once after the fork
    _worker_label = label
    _refresh_identity()


def worker_label() -> str:
    return _worker_label


def set_service_name(name: str) -> None:
    global _service_name, _service_name_field  # noqa: PLW0603 - one name per process, set by the logging set-up
    _service_name = name
    _service_name_field = "service_name=" + logfmt.format_value(name)
    _refresh_identity()


def service_name() -> str:
    return _service_name


def service_name_field() -> str:
    """`service_name=<name>` as a logfmt pair, formatted once (pre-formatted lines append it)."""
    return _service_name_field


def process_id() -> int:
    """`os.getpid()`, cached (it is a system call, and the canonical line needs it for every request)."""
    return _process_id


def identity() -> tuple[int, str, str]:
    """(pid, worker label, service name): a new tuple whenever one of them changes, so a cache of lines made
    with them can tell it is stale by identity."""
    return _identity


def _refresh_identity() -> None:
    global _identity  # noqa: PLW0603 - rebuilt when the pid, the label or the name change
    _identity = (_process_id, _worker_label, _service_name)


def _refresh_process_id() -> None:
    global _process_id  # noqa: PLW0603 - a forked child has a new pid
    _process_id = os.getpid()
    _refresh_identity()


_process_id = os.getpid()
_identity = (_process_id, _worker_label, _service_name)
os.register_at_fork(after_in_child=_refresh_process_id)


def _make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    record.worker = _worker_label
    record.service_name = _service_name
    record.req_id = request_context.request_id()
    record.request_fields = request_context.fields() or None
    return record


def install_record_factory() -> None:
    """Make every new record carry the attributes above (idempotent)."""
    if logging.getLogRecordFactory() is not _make_record:
        logging.setLogRecordFactory(_make_record)
