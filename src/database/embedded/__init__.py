"""The embedded document store: MongoDB's collection API (the subset `GenericDAO` uses) on SQLite.

Used when no MongoDB is configured, so the server runs on a fresh machine with nothing else installed.
`EmbeddedClient(folder)[database][collection]` behaves like Motor's `client[database][collection]`.
"""

from src.database.embedded.client import EmbeddedClient, EmbeddedDatabase
from src.database.embedded.collection import EmbeddedCollection
from src.database.embedded.cursor import EmbeddedCursor
from src.database.embedded.errors import EmbeddedStoreUnavailableError, UnsupportedOperationError

__all__ = [
    "EmbeddedClient",
    "EmbeddedCollection",
    "EmbeddedCursor",
    "EmbeddedDatabase",
    "EmbeddedStoreUnavailableError",
    "UnsupportedOperationError",
]
