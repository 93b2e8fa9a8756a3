"""The peers' store design and request checks: what bare Tornado on SQLite and the FastAPI peer share."""

import json
import sqlite3

import pytest

from tests.benchmarks import peer_store
from tests.benchmarks.peer_store import BadTaskError, page_body, page_limit, task_document


def test_a_task_needs_a_non_empty_string_title_and_known_fields():
    assert task_document(b'{"title": "a", "priority": "high"}') == {"title": "a", "priority": "high"}
    for body, message in ((b"[1]", "JSON object"), (b"{", "not JSON"), (b'{"title": " "}', "title"),
                          (b'{"title": 3}', "title"), (b'{"title": "a", "colour": 1}', "unknown fields colour")):
        with pytest.raises(BadTaskError, match=message):
            task_document(body)


def test_limit_defaults_to_100_and_is_bounded():
    assert page_limit(None) == 100
    assert page_limit("7") == 7
    for text in ("0", "1001", "x", "1.5"):
        with pytest.raises(BadTaskError, match="limit"):
            page_limit(text)


def test_page_is_keyed_by_id_in_row_order():
    body = page_body([("b", '{"title": "B"}'), ("a", '{"title": "A"}')])
    assert list(json.loads(body).items()) == [("b", {"title": "B"}), ("a", {"title": "A"})]


def test_seeded_store_holds_the_given_ids_in_order_in_wal_mode(tmp_path):
    path = tmp_path / "peer" / "tasks.sqlite3"
    peer_store.create_seeded_store(path, ["id-1", "id-2", "id-3"])
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        rows = connection.execute(peer_store.SELECT_PAGE, (2,)).fetchall()
        assert [task_id for task_id, _ in rows] == ["id-1", "id-2"]
        assert json.loads(rows[1][1]) == peer_store.seeded_document(2)
        assert connection.execute(peer_store.COUNT).fetchone() == (3,)
    finally:
        connection.close()

