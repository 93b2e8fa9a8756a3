"""Sort specifications and projections, with MongoDB's semantics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from src.database.embedded import mongo_errors, values
from src.database.embedded.codec import Document
from src.database.embedded.errors import UnsupportedOperationError

SortSpec = list[tuple[str, int]]


def normalise_sort(key_or_list: Any, direction: Any = None) -> SortSpec:
    """The arguments of `cursor.sort()` (a key and direction, a list of pairs, or a mapping) as pairs."""
    if isinstance(key_or_list, str):
        pairs = [(key_or_list, 1 if direction is None else direction)]
    elif isinstance(key_or_list, Mapping):
        pairs = list(key_or_list.items())
    elif isinstance(key_or_list, Sequence):
        pairs = [(item, 1) if isinstance(item, str) else tuple(item) for item in key_or_list]
    else:
        raise TypeError("if no direction is specified, key_or_list must be an instance of list")
    spec: SortSpec = []
    for key, order in pairs:
        if isinstance(order, bool) or order not in (1, -1):
            raise UnsupportedOperationError(
                f"sort direction {order!r} for {key!r} is not supported by the embedded store (use 1 or -1)")
        values.split_path(key)
        spec.append((key, int(order)))
    return spec


def sort_documents(documents: list[Document], spec: SortSpec) -> None:
    """Sort in place: MongoDB order across types, missing fields as null, arrays by their smallest (ascending) or
    largest (descending) element. Stable, so ties keep the natural order."""
    for key, direction in reversed(spec):
        parts = values.split_path(key)
        descending = direction == -1
        documents.sort(key=lambda document: _sort_key(document, parts, descending), reverse=descending)


def _sort_key(document: Document, parts: tuple[str, ...], descending: bool) -> tuple[Any, ...]:
    found = list(values.resolve(document, parts))
    if not found:
        return values.order_key(None)
    flat: list[Any] = []
    for value in found:
        flat.extend(value if isinstance(value, list) else [value])
    if not flat:
        return values.EMPTY_ARRAY_KEY
    keys = [values.order_key(value) for value in flat]
    return max(keys) if descending else min(keys)


# A projection tree: field name -> True for a whole field, or a subtree for dotted paths below it.
Tree = dict[str, Any]


class Projection(NamedTuple):
    """Which fields a find returns: inclusion (`{"a": 1}` or `["a"]`) or exclusion (`{"a": 0}`); `_id` is
    returned unless excluded explicitly."""

    tree: Tree
    inclusion: bool
    include_id: bool

    def apply(self, document: Document) -> Document:
        if self.inclusion:
            shaped = _include(document, self.tree)
            if self.include_id and "_id" in document:
                shaped = {"_id": document["_id"], **shaped}
            return shaped
        shaped = _exclude(document, self.tree)
        if not self.include_id:
            shaped.pop("_id", None)
        return shaped


def compile_projection(spec: Any) -> Projection | None:
    if spec is None:
        return None
    if isinstance(spec, Mapping):
        items = list(spec.items())
    elif isinstance(spec, Sequence) and not isinstance(spec, str):
        items = [(name, True) for name in spec]
    else:
        raise TypeError("projection must be an instance of dict, list or tuple")
    include_id = True
    included: list[str] = []
    excluded: list[str] = []
    for name, flag in items:
        if not isinstance(flag, bool | int | float):
            raise UnsupportedOperationError(
                f"projection value {flag!r} for {name!r} is not supported by the embedded store (use 1 or 0)")
        if name == "_id":
            include_id = bool(flag)
        else:
            (included if flag else excluded).append(name)
    if included and excluded:
        raise mongo_errors.OperationFailure(
            f"Cannot do exclusion on field {excluded[0]} in inclusion projection", code=31254)
    if not included and not excluded:
        # {} returns everything; {"_id": 1} returns only the _id; {"_id": 0} everything else.
        return Projection({}, inclusion=include_id and bool(items), include_id=include_id)
    return Projection(_tree(included or excluded), inclusion=bool(included), include_id=include_id)


def _tree(paths: list[str]) -> Tree:
    tree: Tree = {}
    for path in paths:
        parts = values.split_path(path)
        node = tree
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            existing = node.get(part)
            if existing is True or (last and existing is not None):
                raise mongo_errors.OperationFailure(f"Path collision at {path}", code=31250)
            if last:
                node[part] = True
            else:
                node = node.setdefault(part, {})
    return tree


def _include(node: Mapping[str, Any], tree: Tree) -> Document:
    shaped: Document = {}
    for key, value in node.items():
        subtree = tree.get(key)
        if subtree is None:
            continue
        if subtree is True:
            shaped[key] = value
        elif isinstance(value, Mapping):
            shaped[key] = _include(value, subtree)
        elif isinstance(value, list):
            shaped[key] = [_include(item, subtree) for item in value if isinstance(item, Mapping)]
    return shaped


def _exclude(node: Mapping[str, Any], tree: Tree) -> Document:
    shaped: Document = {}
    for key, value in node.items():
        subtree = tree.get(key)
        if subtree is True:
            continue
        if subtree is None:
            shaped[key] = value
        elif isinstance(value, Mapping):
            shaped[key] = _exclude(value, subtree)
        elif isinstance(value, list):
            shaped[key] = [_exclude(item, subtree) if isinstance(item, Mapping) else item for item in value]
        else:
            shaped[key] = value
    return shaped
