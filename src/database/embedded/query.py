"""Query filters: compiled once per call into SQL on the primary key plus a Python predicate for the rest.

Conditions on `_id` (equality, `$in`, `$nin`, `$ne`, ranges) run in SQL on the primary-key index, so finding
one document by id costs the same with ten or ten million documents. A condition SQL decides exactly (a
top-level field against a JSON scalar, see `exact_filters`) runs in SQL too; any other is tested in Python on
the decoded documents, with MongoDB's semantics (see `values`). Equality, `$in` and ranges on a top-level field
also narrow the rows in SQL on the expressions a `create_index` on that field indexes (see `index_keys`), so an
indexed lookup reads only the matching rows. Operators outside the supported set raise
`UnsupportedOperationError` naming the operator, never a silently wrong answer.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from src.database.embedded import mongo_errors, values
from src.database.embedded.codec import Document, id_key
from src.database.embedded.errors import UnsupportedOperationError
from src.database.embedded.exact_filters import exact_condition
from src.database.embedded.index_keys import narrowing

Predicate = Callable[[Document], bool]

SUPPORTED_QUERY_OPERATORS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$and", "$or")
_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "$gt": operator.gt, "$gte": operator.ge, "$lt": operator.lt, "$lte": operator.le,
}
_SQL_COMPARISONS = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}


@dataclass
class Query:
    """`sql` (ANDed conditions on the `id` column and on indexed expressions) narrows the rows; `predicate`, when
    set, decides the rest."""

    sql: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    predicate: Predicate | None = None

    @property
    def where(self) -> str:
        return " WHERE " + " AND ".join(self.sql) if self.sql else ""

    def matches(self, document: Document) -> bool:
        return self.predicate is None or self.predicate(document)


def compile_query(filter_: Mapping[str, Any] | None) -> Query:
    if filter_ is None:
        return Query()
    if not isinstance(filter_, Mapping):
        raise TypeError(f"filter must be an instance of dict, bson.son.SON, or any other type that inherits from "
                        f"collections.Mapping, not {type(filter_).__name__}")
    query = Query()
    predicates: list[Predicate] = []
    for key, condition in filter_.items():
        if key == "_id" and _push_down_id(condition, query):
            continue
        predicate = _compile_clause(key, condition)  # first: it reports an invalid filter
        # Both spell the expressions an index on the field holds, so SQLite can answer either from it.
        in_sql = exact_condition(key, condition) if isinstance(key, str) else None
        if in_sql is None:
            predicates.append(predicate)
            in_sql = narrowing(key, condition) if isinstance(key, str) else None
        if in_sql is not None:
            query.sql.append(in_sql.sql)
            query.params.extend(in_sql.params)
    if predicates:
        query.predicate = predicates[0] if len(predicates) == 1 else _all_of(predicates)
    return query


def python_predicate(filter_: Mapping[str, Any]) -> Predicate:
    """The whole filter as a Python predicate on decoded documents, nothing in SQL: the reference the SQL forms
    of a filter must agree with."""
    return _compile_filter(filter_)


def _all_of(predicates: list[Predicate]) -> Predicate:
    return lambda document: all(predicate(document) for predicate in predicates)


def _compile_filter(filter_: Any) -> Predicate:
    if not isinstance(filter_, Mapping):
        raise mongo_errors.OperationFailure("$and/$or entries need to be full objects", code=2)
    predicates = [_compile_clause(key, condition) for key, condition in filter_.items()]
    return _all_of(predicates)


def _compile_clause(key: str, condition: Any) -> Predicate:
    if key in ("$and", "$or"):
        if not isinstance(condition, list | tuple) or not condition:
            raise mongo_errors.OperationFailure(f"{key} must be a nonempty array", code=2)
        branches = [_compile_filter(branch) for branch in condition]
        if key == "$and":
            return _all_of(branches)
        return lambda document: any(branch(document) for branch in branches)
    if key.startswith("$"):
        raise _unsupported(key)
    parts = values.split_path(key)
    if _is_operator_document(condition):
        tests = [_compile_operator(parts, name, argument) for name, argument in condition.items()]
        return tests[0] if len(tests) == 1 else _all_of(tests)
    return _equality(parts, _literal(condition))


def _is_operator_document(condition: Any) -> bool:
    if not isinstance(condition, Mapping) or not condition:
        return False
    dollar = [str(name).startswith("$") for name in condition]
    if any(dollar) and not all(dollar):
        unknown = next(name for name in condition if not str(name).startswith("$"))
        raise mongo_errors.OperationFailure(f"unknown operator: {unknown}", code=2)
    return all(dollar)


def _compile_operator(parts: tuple[str, ...], name: str, argument: Any) -> Predicate:
    if name == "$eq":
        return _equality(parts, _literal(argument))
    if name == "$ne":
        test = _equality(parts, _literal(argument))
        return lambda document: not test(document)
    if name in ("$in", "$nin"):
        if not isinstance(argument, list | tuple):
            raise mongo_errors.OperationFailure(f"{name} needs an array", code=2)
        options = [_equality(parts, _literal(option)) for option in argument]
        if name == "$in":
            return lambda document: any(test(document) for test in options)
        return lambda document: not any(test(document) for test in options)
    if name in _COMPARISONS:
        return _comparison(parts, _COMPARISONS[name], _literal(argument))
    if name == "$exists":
        wanted = bool(argument)
        return lambda document: (next(values.resolve(document, parts), _MISSING) is not _MISSING) == wanted
    raise _unsupported(name)


_MISSING = object()


def _equality(parts: tuple[str, ...], wanted: Any) -> Predicate:
    if wanted is None:
        # null matches a missing field as well as an explicit null.
        def matches_null(document: Document) -> bool:
            found = False
            for value in values.candidates(document, parts):
                found = True
                if value is None:
                    return True
            return not found

        return matches_null
    return lambda document: any(values.equal(value, wanted) for value in values.candidates(document, parts))


def _comparison(parts: tuple[str, ...], compare: Callable[[Any, Any], bool], bound: Any) -> Predicate:
    kind = values.rank(bound)
    bound_key = values.order_key(bound)
    null_inclusive = bound is None and compare in (operator.ge, operator.le)

    def matches(document: Document) -> bool:
        found = False
        for value in values.candidates(document, parts):
            found = True
            if values.rank(value) == kind and compare(values.order_key(value), bound_key):
                return True
        return null_inclusive and not found

    return matches


def _literal(value: Any) -> Any:
    if isinstance(value, re.Pattern):
        raise _unsupported("$regex")
    return values.normalise(value)


def _unsupported(name: str) -> UnsupportedOperationError:
    return UnsupportedOperationError(
        f"query operator {name} is not supported by the embedded store "
        f"(supported: {', '.join(SUPPORTED_QUERY_OPERATORS)}; use MongoDB for more)")


# ---- _id conditions in SQL ----------------------------------------------------------------------------------


def _push_down_id(condition: Any, query: Query) -> bool:
    """Add `condition` on `_id` to the SQL part when it maps exactly onto the primary key; else leave it."""
    sql: list[str] = []
    params: list[Any] = []
    try:
        if not _is_operator_document(condition):
            if not _is_id_scalar(condition):
                return False
            sql.append("id = ?")
            params.append(id_key(values.normalise(condition)))
        else:
            for name, argument in condition.items():
                if not _push_down_id_operator(name, argument, sql, params):
                    return False
    except UnsupportedOperationError:
        return False  # the Python predicate reports it with the general rules
    except mongo_errors.OperationFailure:  # a clause apart: naming the type loads pymongo, only on this path
        return False  # the Python predicate reports it (or matches nothing) with the general rules
    query.sql.extend(sql)
    query.params.extend(params)
    return True


def _push_down_id_operator(name: str, argument: Any, sql: list[str], params: list[Any]) -> bool:
    if name == "$exists":
        sql.append("1" if argument else "0")  # every document has an _id
        return True
    if name in ("$in", "$nin"):
        return _push_down_id_membership(name, argument, sql, params)
    if name not in ("$eq", "$ne", *_SQL_COMPARISONS) or not _is_id_scalar(argument):
        return False
    key = id_key(values.normalise(argument))
    if name in ("$eq", "$ne"):
        sql.append("id = ?" if name == "$eq" else "id != ?")
        params.append(key)
    else:
        # Range operators only match values of the same type: keep the key within its type-rank prefix.
        rank_prefix = key[0]
        sql.append(f"id {_SQL_COMPARISONS[name]} ? AND id >= ? AND id < ?")
        params.extend([key, rank_prefix, chr(ord(rank_prefix) + 1)])
    return True


def _push_down_id_membership(name: str, argument: Any, sql: list[str], params: list[Any]) -> bool:
    if not isinstance(argument, list | tuple) or not all(_is_id_scalar(option) for option in argument):
        return False
    keys = [id_key(values.normalise(option)) for option in argument]
    if not keys:
        sql.append("0" if name == "$in" else "1")
        return True
    marks = ", ".join("?" * len(keys))
    sql.append(f"id IN ({marks})" if name == "$in" else f"id NOT IN ({marks})")
    params.extend(keys)
    return True


def _is_id_scalar(value: Any) -> bool:
    return not isinstance(value, Mapping | list | tuple | re.Pattern)
