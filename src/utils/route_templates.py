"""Route patterns as path templates: `/tasks/(?P<task_id>[^/]+)` -> `/tasks/{task_id}`.

Metrics label requests by template (never by raw path, whose ids would make a series per task) and the OpenAPI
document names its paths the same way, so both come from the route table through these functions.

The spec's optional-id pattern `/resources/?(?P<resource_id>[^/]+)?` serves two paths: `route_templates` gives
both (`/resources`, `/resources/{resource_id}`), and `route_template` one label for the pair, in URI-template
path-segment form (`/resources{/resource_id}`, RFC 6570).
"""

from __future__ import annotations

import re

_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>")
# `<prefix>/?(?P<name>[^/]+)?`: the collection and, optionally, one of its members.
_OPTIONAL_LAST_SEGMENT = re.compile(r"^\^?(?P<prefix>.*)/\?\(\?P<(?P<name>\w+)>\[\^/\]\+\)\?\$?$")


def route_templates(pattern: str) -> list[str]:
    """Every path a pattern serves: two for an optional last segment, else one."""
    optional = _OPTIONAL_LAST_SEGMENT.match(pattern)
    if optional is None:
        return [route_template(pattern)]
    prefix = route_template(optional["prefix"])
    return [prefix, f"{prefix.rstrip('/')}/{{{optional['name']}}}"]


def route_template(pattern: str) -> str:
    """The template of a Tornado route pattern: named groups become `{name}`, unnamed ones `{param}`;
    an optional trailing slash (`/?`) and the anchors are dropped, escapes undone."""
    optional = _OPTIONAL_LAST_SEGMENT.match(pattern)
    if optional is not None:
        return f"{route_template(optional['prefix']).rstrip('/')}{{/{optional['name']}}}"
    text = pattern.removeprefix("^").removesuffix("$").removesuffix("/?")
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            out.append(text[index + 1])
            index += 2
        elif char == "(":
            named = _NAMED_GROUP.match(text, index)
            out.append("{" + (named.group(1) if named else "param") + "}")
            index = _group_end(text, index)
        else:
            out.append(char)
            index += 1
    return "".join(out) or "/"


def _group_end(text: str, start: int) -> int:
    """The index just past the parenthesis closing the group that opens at `start`."""
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    raise ValueError(f"unbalanced parentheses in route pattern {text!r}")
