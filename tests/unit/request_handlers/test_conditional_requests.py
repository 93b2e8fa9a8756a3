"""Entity-tag lists as `If-Match` / `If-None-Match` carry them (RFC 9110 8.8.3): quoted, weak, `*`, lists,
commas inside quotes, and the bare tokens some clients send."""

from __future__ import annotations

from src.request_handlers.conditional_requests import EntityTagList, parse_entity_tags


def test_star_strong_weak_and_lists() -> None:
    assert parse_entity_tags(" * ") == EntityTagList(any=True, strong=(), weak=())
    assert parse_entity_tags('"abc"') == EntityTagList(any=False, strong=("abc",), weak=())
    assert parse_entity_tags('W/"abc"') == EntityTagList(any=False, strong=(), weak=("abc",))
    assert parse_entity_tags('"a", W/"b" ,"c"') == EntityTagList(any=False, strong=("a", "c"), weak=("b",))


def test_commas_inside_quotes_and_bare_tokens() -> None:
    assert parse_entity_tags('"a,b", "c"').strong == ("a,b", "c")
    assert parse_entity_tags("abc").strong == ("abc",)
    assert parse_entity_tags('"unterminated').strong == ()
    assert parse_entity_tags("").strong == ()


def test_weak_comparison_ignores_the_weak_prefix() -> None:
    tags = parse_entity_tags('W/"abc", "def"')
    assert tags.matches_weakly("abc") and tags.matches_weakly("def")
    assert not tags.matches_weakly("ghi")
    assert parse_entity_tags("*").matches_weakly("anything")
