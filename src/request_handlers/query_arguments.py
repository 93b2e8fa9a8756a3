"""Query arguments every handler may read the same way: whole numbers in range, booleans, and the paging pair."""

from __future__ import annotations

from tornado.web import RequestHandler

from src.model.errors import BadRequestError
from src.model.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


class QueryArguments(RequestHandler):
    """A 400 naming the argument and its bounds for a value that is not a whole number in range."""

    def integer_argument(self, name: str, default: int, minimum: int, maximum: int | None = None) -> int:
        """A query argument that must be a whole number in range; 400 naming it otherwise."""
        text = self.get_query_argument(name, None)
        if text is None or text == "":
            return default
        bounds = f"{minimum}-{maximum}" if maximum is not None else f">= {minimum}"
        try:
            value = int(text)
        except ValueError:
            raise BadRequestError(f"query argument '{name}' must be a whole number ({bounds})") from None
        if value < minimum or (maximum is not None and value > maximum):
            raise BadRequestError(f"query argument '{name}' must be {bounds} (got {value})")
        return value

    def boolean_argument(self, name: str) -> bool | None:
        """A query argument that must be `true` or `false` (OpenAPI's form of a boolean); None when it is absent
        or empty, a 400 naming it for any other value."""
        text = self.get_query_argument(name, None)
        if text is None or text == "":
            return None
        if text not in ("true", "false"):
            raise BadRequestError(f"query argument '{name}' must be true or false")
        return text == "true"

    def paging_arguments(self) -> tuple[int, int]:
        """`(offset, limit)` from `?offset=&limit=`, within the bounds every list shares (`src.model.paging`)."""
        limit = self.integer_argument("limit", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        return self.integer_argument("offset", 0, 0), limit
