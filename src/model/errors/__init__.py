from src.model.errors.api_error import (
    ApiError,
    BadGatewayError,
    BadRequestError,
    ConflictError,
    GatewayTimeoutError,
    NotFoundError,
    PayloadTooLargeError,
    ServiceUnavailableError,
)

__all__ = [
    "ApiError",
    "BadGatewayError",
    "BadRequestError",
    "ConflictError",
    "GatewayTimeoutError",
    "NotFoundError",
    "PayloadTooLargeError",
    "ServiceUnavailableError",
]
