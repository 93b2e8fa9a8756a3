"""`Versioned`: a stored object together with the entity tag of the state it was read or written in.

The tag is what HTTP calls an ETag: opaque, different after every write, and the value a client sends back in
`If-Match` so a write only happens if nobody changed the object in between (optimistic concurrency).
"""

from __future__ import annotations

from typing import Generic, NamedTuple, TypeVar

ValueT = TypeVar("ValueT")


class Versioned(NamedTuple, Generic[ValueT]):
    """A value and the entity tag of the state it was read or written in."""

    value: ValueT
    etag: str
