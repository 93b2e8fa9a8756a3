"""`TaskDAO`: the `tasks` collection, written from `Task` objects; read as `Task`s, or (the read path of the
API) from the stored JSON text straight to the JSON of the answer, with no `Task` (validation is for writes).

A task this DAO wrote is stored as `{"_id":...,<its representation's members>,"_rev":"..."}`, in the compact
form the answers use too, so its representation is a slice of the stored text, checked by `_WRITTEN_HERE` and
sent as it is. Any other document (written by hand, or by an older version) is decoded and read tolerantly.
The embedded store writes that text with `stored_json`, from the task's fields, not its general encoder.
"""

from __future__ import annotations

import re
from json.encoder import encode_basestring

from bson.objectid import ObjectId

from src.database.generic_dao import GenericDAO
from src.database.json_reads import document_from_json
from src.database.revisions import REVISION_FIELD, revision_of
from src.database.store import Document, DocumentEncoder, Filter, StoreCollection
from src.model.json_types import JSONText, encode_json
from src.model.task import PRIORITY_BY_VALUE, Priority, Task, representation
from src.model.versioned import Versioned

# The list is ordered by creation: ObjectIds grow with time, and `_id` is indexed in both back ends.
CREATION_ORDER = (("_id", 1),)

# A JSON string, its loop unrolled: runs of plain characters are matched without backtracking, several times
# faster than `(?:[^"\\]|\\.)*` on Python's regex engine.
_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_WRITTEN_HERE = re.compile(
    r'\{"_id":(?:\{"\$oid":"(?P<object_id>[0-9a-f]{24})"\}|(?P<text_id>' + _STRING + r')),'
    r'(?P<members>"title":' + _STRING + r'(?:,"description":' + _STRING + r')?'
    r',"priority":"(?:' + "|".join(PRIORITY_BY_VALUE) + r')","completed":(?:true|false)'
    r'(?:,"due_date":-?(?:0|[1-9][0-9]*))?),"_rev":"(?P<revision>[^"\\]*)"\}', re.DOTALL)


class TaskDAO(GenericDAO[Task]):
    resource = "task"

    def collection(self) -> StoreCollection:
        return self.database["tasks"]

    def to_document(self, model: Task) -> Document:
        return model.to_json()

    def document_encoder(self) -> DocumentEncoder:
        return stored_json

    def from_document(self, document: Document) -> Task:
        return Task(*_stored_fields(document), id=self.id_to_text(document["_id"]))

    @staticmethod
    def to_representation(document: Document) -> Document:
        """What `from_document(document).to_json()` gives, without building the `Task`: reads need no model
        object (validation is for writes)."""
        return representation(*_stored_fields(document))

    async def list_page(self, offset: int, limit: int) -> list[Task]:
        return await self.find(sort=CREATION_ORDER, skip=offset, limit=limit)

    async def get_json(self, id_text: str) -> Versioned[JSONText]:
        """The task's representation as JSON text, and its entity tag; `NotFoundError` when there is none."""
        _, representation, revision = self._read_stored(await self.find_json(id_text))
        return Versioned(JSONText(representation), revision)

    async def list_page_json(self, offset: int, limit: int,
                             completed: bool | None = None) -> tuple[int, JSONText]:
        """How many tasks there are, and `list_page` as the list's JSON text: `{id: representation, ...}` in
        creation order, from one read of the stored texts. With `completed`, only the tasks read as done (True)
        or as not done (False), and how many of those there are."""
        total, texts = await self.page_json(CREATION_ORDER, offset, limit, completed_filter(completed))
        members = []
        for text in texts:
            key, representation, _ = self._read_stored(text)
            members.append(key + ":" + representation)
        return total, JSONText("{" + ",".join(members) + "}")

    def _read_stored(self, text: str) -> tuple[str, str, str]:
        """A stored text's id (a JSON string), representation (JSON) and revision: sliced from the text when
        this DAO wrote it, else decoded and read tolerantly."""
        written = _WRITTEN_HERE.fullmatch(text)
        if written is not None:
            key = written["text_id"] or '"' + written["object_id"] + '"'
            return key, "{" + written["members"] + "}", written["revision"]
        document = document_from_json(text)
        return (encode_json(self.id_to_text(document["_id"])), encode_json(self.to_representation(document)),
                revision_of(document))


# The fields of a stored task in the order this DAO writes them: `_id`, the representation's, the revision.
_STORED_FIELDS = frozenset(
    ("_id", "title", *description, "priority", "completed", *due_date, REVISION_FIELD)
    for description in ((), ("description",)) for due_date in ((), ("due_date",)))
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def stored_json(document: Document) -> str | None:
    """The embedded store's text of a task document as this DAO writes it: what its general encoder gives
    (`codec.encode`), built from the fields at a fifth of the cost; None for any other document, which the
    store encodes itself."""
    if tuple(document) not in _STORED_FIELDS:
        return None
    id_, title, priority = document["_id"], document["title"], document["priority"]
    completed, revision = document["completed"], document[REVISION_FIELD]
    if type(id_) is ObjectId:
        id_json = '{"$oid":"' + str(id_) + '"}'
    elif type(id_) is str:
        id_json = encode_basestring(id_)
    else:
        return None
    if not (type(title) is str and type(priority) is str and type(completed) is bool and type(revision) is str):
        return None
    description_json = due_date_json = ""
    if "description" in document:
        description = document["description"]
        if type(description) is not str:
            return None
        description_json = ',"description":' + encode_basestring(description)
    if "due_date" in document:
        due_date = document["due_date"]
        if type(due_date) is not int or not _INT64_MIN <= due_date <= _INT64_MAX:
            return None
        due_date_json = ',"due_date":' + int.__repr__(due_date)
    # One f-string: the text is built once, not copied at every `+`.
    return (f'{{"_id":{id_json},"title":{encode_basestring(title)}{description_json},"priority":'
            f'{encode_basestring(priority)},"completed":{"true" if completed else "false"}{due_date_json},'
            f'"_rev":{encode_basestring(revision)}}}')


def completed_filter(completed: bool | None) -> Filter:
    """The stored tasks read as done (True) or not (False): `_stored_fields` reads only a stored `true` as done,
    so "not done" is anything else, a document without the field included. None: every task."""
    if completed is None:
        return {}
    return {"completed": True} if completed else {"completed": {"$ne": True}}


def _stored_fields(document: Document) -> tuple[str, str | None, Priority, bool, int | None]:
    """A task's fields from its stored document. Tolerant: a document written by hand or by an older version
    still reads, with defaults."""
    priority = document.get("priority")
    description = document.get("description")
    due_date = document.get("due_date")
    return (str(document.get("title", "")),
            description if isinstance(description, str) else None,
            PRIORITY_BY_VALUE.get(priority, Priority.NONE) if isinstance(priority, str) else Priority.NONE,
            document.get("completed") is True,
            due_date if isinstance(due_date, int) and not isinstance(due_date, bool) else None)
