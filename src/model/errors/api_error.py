"""Errors that carry their HTTP meaning. Raised anywhere below a handler; `CustomRequestHandler.write_error`
turns each into the documented JSON error body with its status. `service` code raises these without importing
Tornado."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """Base class: `status` is the HTTP status, `message` the client-facing text, `fields` go to the log line."""

    status = 500

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


class BadRequestError(ApiError):
    status = 400


class NotFoundError(ApiError):
    status = 404


class ConflictError(ApiError):
    status = 409


class PreconditionFailedError(ApiError):
    """An `If-Match` that no longer matches: the resource changed since the client read it."""

    status = 412


class PayloadTooLargeError(ApiError):
    status = 413


class UnsupportedMediaTypeError(ApiError):
    status = 415


class BadGatewayError(ApiError):
    status = 502


class ServiceUnavailableError(ApiError):
    status = 503


class GatewayTimeoutError(ApiError):
    status = 504


class RequestTimeoutError(ApiError):
    status = 408


class RequestHeaderFieldsTooLargeError(ApiError):
    status = 431


class UnauthorizedError(ApiError):
    status = 401
