"""Planner statistics kept current during a batch job (``db.engine.analyze_stale``): on
PostgreSQL the tables grown past the threshold since their last ANALYZE are analyzed, and only
those; on SQLite nothing is done."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, insert, text

from revcycle.db.engine import analyze_stale

META = MetaData()
ITEMS = Table(
    "stats_test_items",
    META,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(40), nullable=False),
)


@pytest.fixture
def items(engine: Engine) -> Iterator[Table]:
    META.create_all(engine)
    yield ITEMS
    META.drop_all(engine)


def _load(engine: Engine, n: int) -> None:
    with engine.begin() as conn:
        conn.execute(insert(ITEMS), [{"name": f"item {i}"} for i in range(n)])
        if engine.dialect.name == "postgresql":  # the counters reach pg_stat at commit
            conn.execute(text("SELECT pg_stat_force_next_flush()"))


def _reltuples(engine: Engine) -> float:
    with engine.connect() as conn:
        value = conn.execute(
            text("SELECT reltuples FROM pg_class WHERE relname = 'stats_test_items'")
        ).scalar_one()
    return float(value)


def test_grown_tables_are_analyzed_and_then_are_current(engine: Engine, items: Table) -> None:
    if engine.dialect.name != "postgresql":
        _load(engine, 500)
        assert analyze_stale(engine) == []
        return
    analyze_stale(engine)  # whatever the fresh database held
    _load(engine, 2_000)
    assert _reltuples(engine) <= 0  # never analyzed: the planner does not know its size
    assert "stats_test_items" in analyze_stale(engine)
    assert _reltuples(engine) == 2_000
    assert "stats_test_items" not in analyze_stale(engine)  # current now
    _load(engine, 1_000)  # half as many again: under the threshold (50 + 2,000)
    assert "stats_test_items" not in analyze_stale(engine)
    _load(engine, 1_500)  # 2,500 changed since: stale
    assert "stats_test_items" in analyze_stale(engine)
    assert _reltuples(engine) == 4_500


def test_postgresql_sessions_cost_random_reads_as_ssds_do_and_plan_each_execution(
    engine: Engine,
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL session setting")
    with engine.connect() as conn:
        assert conn.execute(text("SHOW random_page_cost")).scalar_one() == "1.1"
        # PostgreSQL's own cached plans (the foreign-key checks) are left to it ...
        assert conn.execute(text("SHOW plan_cache_mode")).scalar_one() == "auto"
        # ... and no statement of ours is prepared, however often it runs: each is planned
        # for its values and the table's size at the time
        for n in range(10):
            conn.execute(text("SELECT count(*) FROM pg_class WHERE relpages > :n"), {"n": n})
        assert conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one() == 0
