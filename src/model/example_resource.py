"""`ExampleResource`: the model of the CRUD example (`/resources`), stored in the `example` collection.

A name, an optional description and free-form `properties` (a JSON object, so a JSON merge patch can change
one property without resending the others). The id is not a field: it is the resource's URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ExampleResource:
    """A resource of the CRUD example; `id` is None until it is stored."""

    name: str
    description: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    id: str | None = None

    def with_id(self, resource_id: str) -> ExampleResource:
        """This resource with the id `resource_id` (`dataclasses.replace` costs several times as much)."""
        return ExampleResource(self.name, self.description, self.properties, resource_id)
