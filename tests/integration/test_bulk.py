"""Bulk inserts (``db.bulk``): the COPY path on PostgreSQL stores what an INSERT stores, JSON
columns included, and ``insert_with_ids`` returns the new ids in the order given."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import JSON, Column, Engine, Integer, MetaData, String, Table, insert, select
from sqlalchemy.exc import IntegrityError

from revcycle.db.bulk import COPY_THRESHOLD, insert_rows, insert_with_ids

META = MetaData()
ITEMS = Table(
    "bulk_test_items",
    META,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(40), nullable=False),
    Column("doc", JSON, nullable=True),
)


@pytest.fixture
def items(engine: Engine) -> Iterator[Table]:
    META.create_all(engine)
    yield ITEMS
    META.drop_all(engine)


def _rows(n: int, start: int = 0) -> list[dict[str, Any]]:
    docs: list[Any] = [{"codes": ["CO-45", "PR-1"], "n": 1}, [1, 2], None, "text", {}]
    return [{"name": f"item {i}", "doc": docs[i % len(docs)]} for i in range(start, start + n)]


def _stored(engine: Engine) -> list[tuple[int, str, Any]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(ITEMS).order_by(ITEMS.c.id))]


@pytest.mark.parametrize("n", [3, COPY_THRESHOLD + 50, 1_234])
def test_insert_with_ids_returns_the_ids_in_order_and_stores_every_row(
    engine: Engine, items: Table, n: int
) -> None:
    rows = _rows(n)
    with engine.begin() as conn:
        ids = insert_with_ids(conn, items, [dict(r) for r in rows])
    assert len(ids) == n and ids == sorted(ids) and len(set(ids)) == n
    stored = _stored(engine)
    assert [s[0] for s in stored] == ids
    assert [(s[1], s[2]) for s in stored] == [(r["name"], r["doc"]) for r in rows]


def test_bulk_rows_are_stored_as_a_plain_insert_stores_them(engine: Engine, items: Table) -> None:
    rows = _rows(COPY_THRESHOLD + 10)
    with engine.begin() as conn:
        conn.execute(insert(items), [dict(r) for r in rows])  # the reference: an INSERT
        insert_rows(conn, items, [dict(r) for r in rows])  # COPY on PostgreSQL
    stored = _stored(engine)
    half = len(rows)
    assert [(s[1], s[2]) for s in stored[:half]] == [(s[1], s[2]) for s in stored[half:]]
    with engine.connect() as conn:  # the stored JSON text itself, not only its value
        texts = [
            r[0]
            for r in conn.exec_driver_sql(
                "SELECT CAST(doc AS TEXT) FROM bulk_test_items ORDER BY id"
            )
        ]
    assert texts[:half] == texts[half:]


def test_a_failed_bulk_insert_raises_as_an_insert_does_and_leaves_nothing(
    engine: Engine, items: Table
) -> None:
    rows = _rows(COPY_THRESHOLD + 5)
    rows[-1]["name"] = None  # NOT NULL: the whole insert fails
    with pytest.raises(IntegrityError), engine.begin() as conn:
        insert_with_ids(conn, items, rows)
    assert _stored(engine) == []
