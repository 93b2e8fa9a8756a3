from src.model.errors.api_error import (
    ApiError,
    BadGatewayError,
    BadRequestError,
    ConflictError,
    GatewayTimeoutError,
    NotFoundError,
    PayloadTooLargeError,
    RequestHeaderFieldsTooLargeError,
    RequestTimeoutError,
    ServiceUnavailableError,
    UnauthorizedError,
)

__all__ = [
    "ApiError",
    "BadGatewayError",
    "BadRequestError",
    "ConflictError",
    "GatewayTimeoutError",
    "NotFoundError",
    "PayloadTooLargeError",
    "RequestHeaderFieldsTooLargeError",
    "RequestTimeoutError",
    "ServiceUnavailableError",
    "UnauthorizedError",
]
