"""What an error looks like to a client: the message for a status, and a raised error's exc_info."""

from __future__ import annotations

from http.client import responses as http_reasons
from types import TracebackType
from typing import cast

from tornado.web import HTTPError

from src.model.errors import ApiError

ExcInfo = tuple[type[BaseException], BaseException, TracebackType]


def exc_info_of(error: BaseException) -> ExcInfo:
    """`error` raised once, so it carries a traceback as errors Tornado catches do."""
    try:
        raise error
    except BaseException as raised:  # noqa: BLE001 - only to attach a traceback to `error`
        return (type(raised), raised, cast(TracebackType, raised.__traceback__))


def client_message(status_code: int, error: BaseException | None) -> str:
    """An ApiError's own message, a 4xx HTTPError's reason, else the standard reason phrase (never internals)."""
    if isinstance(error, ApiError):
        return error.message
    if isinstance(error, HTTPError) and error.reason and status_code < 500:
        return str(error.reason)
    return http_reasons.get(status_code, "Unknown Error")
