"""Paging a collection by `offset` and `limit` (`?offset=200&limit=100`): the bounds every list endpoint shares."""

from __future__ import annotations

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def check_page(offset: int, limit: int) -> None:
    """`ValueError` outside the bounds (handlers answer 400 before asking: this guards other callers)."""
    if not 1 <= limit <= MAX_PAGE_SIZE or offset < 0:
        raise ValueError(f"limit must be 1-{MAX_PAGE_SIZE} and offset >= 0")

