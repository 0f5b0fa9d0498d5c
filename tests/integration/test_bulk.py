"""Bulk inserts (``db.bulk``): the COPY path on PostgreSQL stores what an INSERT stores, JSON
columns included, and ``insert_with_ids`` returns the new ids in the order given."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Engine,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    insert,
    select,
)
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
TYPED = Table(
    "bulk_test_typed",
    META,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(40), nullable=False),
    Column("day", Date, nullable=True),
    Column("at", DateTime(timezone=True), nullable=True),
    Column("naive", DateTime, nullable=True),
    Column("amount", Numeric(12, 2), nullable=True),
    Column("count", Integer, nullable=True),
    Column("doc", JSON, nullable=True),
)
DEFAULTED = Table(
    "bulk_test_defaulted",
    META,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(40), nullable=False),
    Column("tag", String(40), nullable=False, default="from python"),
)


@pytest.fixture
def items(engine: Engine) -> Iterator[Table]:
    META.create_all(engine)
    yield ITEMS
    META.drop_all(engine)


def _typed_rows(n: int) -> list[dict[str, Any]]:
    zones = [UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))]
    amounts = [Decimal("0.00"), Decimal("-12.50"), Decimal("1234567.89"), Decimal("0.1"), None]
    docs: list[Any] = [{"paid": "10.00", "codes": ["CO-45"]}, [1, "é"], None, "text", {}]
    return [
        {
            "name": f"row {i}",
            "day": date(2026, 1, 1) + timedelta(days=i) if i % 7 else None,
            "at": datetime(2026, 9, 28, 10, 30, 15, i * 1000 % 1_000_000, tzinfo=zones[i % 3])
            if i % 5
            else None,
            "naive": datetime(2026, 9, 28, 8, 0, i % 60, 123456, tzinfo=UTC).replace(tzinfo=None)
            if i % 4
            else None,
            "amount": amounts[i % len(amounts)],
            "count": i if i % 3 else None,
            "doc": docs[i % len(docs)],
        }
        for i in range(n)
    ]


def _raw_values(engine: Engine, table: Table) -> list[tuple[Any, ...]]:
    """The stored values as the database holds them (SQLite: storage class and literal)."""
    names = [c.name for c in table.columns if c.name != "id"]
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            cols = ", ".join(f"typeof({n}), quote({n})" for n in names)
        else:
            cols = ", ".join(f"CAST({n} AS TEXT)" for n in names)
        return [
            tuple(r) for r in conn.exec_driver_sql(f"SELECT {cols} FROM {table.name} ORDER BY id")
        ]


@pytest.mark.parametrize("with_ids", [False, True])
@pytest.mark.parametrize("n", [2, 25, COPY_THRESHOLD + 10, 1_234])
def test_bulk_rows_of_every_type_are_stored_byte_for_byte_as_an_insert_stores_them(
    engine: Engine, items: Table, n: int, with_ids: bool
) -> None:
    rows = _typed_rows(n)
    with engine.begin() as conn:
        conn.execute(insert(TYPED), [dict(r) for r in rows])  # the reference: an INSERT
    reference = _raw_values(engine, TYPED)
    with engine.begin() as conn:
        conn.execute(TYPED.delete())
    with engine.begin() as conn:  # executemany, multi-row RETURNING or COPY
        if with_ids:
            ids = insert_with_ids(conn, TYPED, [dict(r) for r in rows])
        else:
            insert_rows(conn, TYPED, [dict(r) for r in rows])
    assert _raw_values(engine, TYPED) == reference and len(reference) == n
    if with_ids:
        with engine.connect() as conn:
            by_name = dict(conn.execute(select(TYPED.c.name, TYPED.c.id)).all())
        assert ids == [by_name[r["name"]] for r in rows]


def test_bulk_rows_get_the_python_side_defaults_an_insert_gives_them(
    engine: Engine, items: Table
) -> None:
    with engine.begin() as conn:
        insert_rows(conn, DEFAULTED, [{"name": "a"}, {"name": "b"}, {"name": "c"}])
        insert_rows(conn, DEFAULTED, [{"name": "d", "tag": "given"}, {"name": "e", "tag": "x"}])
    with engine.connect() as conn:
        stored = [tuple(r) for r in conn.execute(select(DEFAULTED.c.name, DEFAULTED.c.tag))]
    assert sorted(stored) == [
        ("a", "from python"),
        ("b", "from python"),
        ("c", "from python"),
        ("d", "given"),
        ("e", "x"),
    ]


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
