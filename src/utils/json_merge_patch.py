"""JSON merge patch (RFC 7396): the patch document mirrors the target, `null` removes a member, objects merge
recursively, and anything else (strings, numbers, arrays) replaces the member whole."""

from __future__ import annotations

from typing import Any


def apply_merge_patch(target: Any, patch: Any) -> Any:
    """The result of applying `patch` to `target`; neither argument is modified."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = apply_merge_patch(result.get(name), value)
    return result
