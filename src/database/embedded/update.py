"""Update documents (`$set`, `$unset`, `$inc`, `$setOnInsert`), replacements, and upsert seeds.

Validation mirrors pymongo (client-side `ValueError`s) and the server (`WriteError` with MongoDB's codes), so
callers see the same exceptions from both back ends.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from src.database.embedded import mongo_errors, values
from src.database.embedded.codec import Document
from src.database.embedded.errors import UnsupportedOperationError

SUPPORTED_UPDATE_OPERATORS = ("$set", "$unset", "$inc", "$setOnInsert")

Path = tuple[str, ...]


class Update(NamedTuple):
    """A validated update document; `apply` changes a document in place."""

    operations: tuple[tuple[str, Path, Any], ...]

    def apply(self, document: Document, inserting: bool = False) -> None:
        for name, path, argument in self.operations:
            if name == "$set" or (name == "$setOnInsert" and inserting):
                _set(document, path, argument)
            elif name == "$unset":
                _unset(document, path)
            elif name == "$inc":
                _increment(document, path, argument)


def compile_update(update: Any) -> Update:
    if isinstance(update, list):
        raise UnsupportedOperationError("aggregation pipeline updates are not supported by the embedded store")
    if not isinstance(update, Mapping):
        raise TypeError("update must be an instance of dict, bson.son.SON, or any other type that inherits from "
                        "collections.Mapping")
    if not update:
        raise ValueError("update cannot be empty")
    if not str(next(iter(update))).startswith("$"):
        raise ValueError("update only works with $ operators")
    operations: list[tuple[str, Path, Any]] = []
    for name, fields in update.items():
        if name not in SUPPORTED_UPDATE_OPERATORS:
            raise UnsupportedOperationError(
                f"update operator {name} is not supported by the embedded store "
                f"(supported: {', '.join(SUPPORTED_UPDATE_OPERATORS)}; use MongoDB for more)")
        if not isinstance(fields, Mapping):
            raise mongo_errors.WriteError(
                f"Modifiers operate on fields but we found type {type(fields).__name__} instead. "
                f"For example: {{$mod: {{<field>: ...}}}} not {{{name}: {fields!r}}}", code=9)
        for key, argument in fields.items():
            if not key or any(not part for part in str(key).split(".")):
                raise mongo_errors.WriteError(f"An empty update path is not valid: {key!r}", code=56)
            if name == "$inc" and not _is_number(argument):
                raise mongo_errors.WriteError(
                    f"Cannot increment with non-numeric argument: {{{key}: {argument!r}}}", code=14)
            operations.append((name, tuple(str(key).split(".")), values.normalise(argument)))
    _check_conflicts([path for _, path, _ in operations])
    return Update(tuple(operations))


def check_replacement(replacement: Any) -> None:
    if type(replacement) is not dict and not isinstance(replacement, Mapping):  # a dict skips the ABC's check
        raise TypeError("replacement must be an instance of dict, bson.son.SON, or any other type that inherits "
                        "from collections.Mapping")
    if replacement and str(next(iter(replacement))).startswith("$"):
        raise ValueError("replacement can not include $ operators")


def upsert_seed(filter_: Mapping[str, Any] | None) -> Document:
    """The document an upsert starts from: the filter's equality conditions (`{"a": 1}`, `{"a": {"$eq": 1}}`,
    also inside `$and`), as MongoDB does."""
    seed: Document = {}
    for key, condition in (filter_ or {}).items():
        if key == "$and" and isinstance(condition, list | tuple):
            for branch in condition:
                if isinstance(branch, Mapping):
                    seed.update(upsert_seed(branch))
        elif key.startswith("$"):
            continue
        elif isinstance(condition, Mapping) and condition and all(str(k).startswith("$") for k in condition):
            if "$eq" in condition:
                _set(seed, tuple(key.split(".")), values.normalise(condition["$eq"]))
        else:
            _set(seed, tuple(key.split(".")), values.normalise(condition))
    return seed


def _check_conflicts(paths: list[Path]) -> None:
    ordered = sorted(paths)
    for shorter, longer in itertools.pairwise(ordered):
        if longer[: len(shorter)] == shorter:
            raise mongo_errors.WriteError(f"Updating the path '{'.'.join(longer)}' would create a conflict at "
                                          f"'{'.'.join(shorter)}'", code=40)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _container(document: Document, path: Path, create: bool) -> Any:
    """The object or array that holds the last part of `path`; None when missing and not `create`d."""
    node: Any = document
    for depth, part in enumerate(path[:-1]):
        if isinstance(node, dict):
            if part not in node:
                if not create:
                    return None
                node[part] = {}
            node = node[part]
        elif isinstance(node, list) and part.isdigit():
            index = int(part)
            if index >= len(node):
                if not create:
                    return None
                node.extend([None] * (index + 1 - len(node)))
                node[index] = {}
            node = node[index]
        elif create:
            raise mongo_errors.WriteError(f"Cannot create field '{part}' in element "
                                          f"{{{path[depth - 1] if depth else ''}: {node!r}}}", code=28)
        else:
            return None
    return node


def _set(document: Document, path: Path, value: Any) -> None:
    _assign(_container(document, path, create=True), path, lambda _old: value)


def _increment(document: Document, path: Path, amount: Any) -> None:
    def add(current: Any) -> Any:
        if current is _ABSENT:
            return amount
        if not _is_number(current):
            raise mongo_errors.WriteError(
                f"Cannot apply $inc to a value of non-numeric type. The field '{path[-1]}' has "
                f"type {type(current).__name__}", code=14)
        return current + amount

    _assign(_container(document, path, create=True), path, add)


_ABSENT = object()


def _assign(container: Any, path: Path, compute: Callable[[Any], Any]) -> None:
    last = path[-1]
    if isinstance(container, dict):
        container[last] = compute(container.get(last, _ABSENT))
    elif isinstance(container, list) and last.isdigit():
        index = int(last)
        if index >= len(container):
            container.extend([None] * (index + 1 - len(container)))
            container[index] = compute(_ABSENT)
        else:
            container[index] = compute(container[index])
    else:
        raise mongo_errors.WriteError(
            f"Cannot create field '{last}' in element {{{'.'.join(path[:-1])}: {container!r}}}",
            code=28)


def _unset(document: Document, path: Path) -> None:
    container = _container(document, path, create=False)
    last = path[-1]
    if isinstance(container, dict):
        container.pop(last, None)
    elif isinstance(container, list) and last.isdigit() and int(last) < len(container):
        container[int(last)] = None  # MongoDB keeps array positions: the element becomes null


@dataclass(frozen=True)
class UpdateSpec:
    """An update (`update`) or a replacement document (`replacement`), and how to apply it."""

    update: Update | None = None
    replacement: Document | None = None
    multi: bool = False
    upsert: bool = False
    seed: Document = field(default_factory=dict)

    def applied(self, document: Document, inserting: bool = False) -> Document:
        """The document after the update (changed in place) or the replacement (keeping the `_id`)."""
        if self.update is not None:
            self.update.apply(document, inserting=inserting)
            return document
        assert self.replacement is not None
        replaced = dict(self.replacement)
        new_id = replaced.pop("_id", document.get("_id"))
        if new_id is None and "_id" not in document:
            return replaced
        return {"_id": new_id, **replaced}
