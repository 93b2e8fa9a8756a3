"""Conditional requests (RFC 9110 8.8.3, 13.1): entity tags in `ETag`, `If-Match` and `If-None-Match`.

`ConditionalRequests` gives every handler (through `CustomRequestHandler`) `set_entity_tag`, `not_modified`
for reads and `if_match` for writes; the comparison against the stored state is the DAO's (atomically).

`If-Match` uses the strong comparison (a weak tag `W/"..."` never matches), `If-None-Match` the weak one (the
`W/` prefix is ignored). `*` means "any current representation". Tags are kept without their quotes.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from tornado.web import RequestHandler

from src.request_handlers.request_framing import header_value

# A quoted tag (commas are legal inside the quotes), or, leniently, a bare token some clients send.
_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*|\s*([^\s,"]+)\s*')


class EntityTagList(NamedTuple):
    """The tags of an `If-Match` or `If-None-Match` header, strong and weak apart; `any` for `*`."""

    any: bool
    strong: tuple[str, ...]
    weak: tuple[str, ...]

    def matches_weakly(self, etag: str) -> bool:
        return self.any or etag in self.strong or etag in self.weak


def parse_entity_tags(header: str) -> EntityTagList:
    if header.strip() == "*":
        return EntityTagList(any=True, strong=(), weak=())
    strong: list[str] = []
    weak: list[str] = []
    for part in _split(header):
        match = _TAG.fullmatch(part)
        if match is None:
            continue  # unreadable element: it matches nothing
        is_weak, quoted, bare = match.groups()
        (weak if is_weak else strong).append(quoted if quoted is not None else bare)
    return EntityTagList(any=False, strong=tuple(strong), weak=tuple(weak))


def quoted(etag: str) -> str:
    return f'"{etag}"'


def _split(header: str) -> list[str]:
    """Split on the commas that are not inside a quoted tag."""
    parts: list[str] = []
    current: list[str] = []
    in_quotes = False
    for char in header:
        if char == '"':
            in_quotes = not in_quotes
        if char == "," and not in_quotes:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part for part in parts if part.strip()]


class ConditionalRequests(RequestHandler):
    """ETag and precondition helpers for handlers of resources with entity tags (stored revisions)."""

    def if_match(self) -> list[str] | None:
        """The tags of `If-Match` a write must match, or None for no condition (no header, or `*`: writes here
        never create, so "any current representation" is what every write needs anyway)."""
        header = header_value(self.request.headers, "If-Match")
        if header is None:
            return None
        tags = parse_entity_tags(header)
        return None if tags.any else list(tags.strong)

    def set_entity_tag(self, etag: str) -> None:
        self.set_header("Etag", quoted(etag))

    def not_modified(self, etag: str) -> bool:
        """Set the ETag; True when `If-None-Match` holds it, and the caller answers 304 with no body."""
        self.set_entity_tag(etag)
        header = header_value(self.request.headers, "If-None-Match")
        return header is not None and parse_entity_tags(header).matches_weakly(etag)
