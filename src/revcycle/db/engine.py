"""Database engines: URL normalization, SQLite pragmas, and schema readiness on first use.

``open_engine(url)`` returns an engine whose schema is at the newest migration: an embedded
SQLite file is created and migrated on first use, so no separate init step is needed. A
PostgreSQL database is migrated the same way (Alembic is the only way the schema changes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text

DEFAULT_SQLITE_FILE = "revcycle.db"


def normalize_url(url: str) -> str:
    """Accept the spellings people use and pick our drivers (psycopg 3 for PostgreSQL)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if "://" not in url:  # a bare file path means an embedded SQLite file
        url = f"sqlite:///{url}"
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin: otherwise
    # SAVEPOINTs do not nest inside the outer transaction and a rollback can miss writes.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


PG_SETTINGS = {"random_page_cost": "1.1"}
"""Settings of each PostgreSQL session revcycle opens.

- ``random_page_cost`` 1.1 (PostgreSQL's default is 4, for spinning disks) is the usual value
  for SSDs and for data held in memory: with 4, a chunk's look-up of 250 patients' encounters
  by their index was planned as a scan of the whole ``encounters`` table, so each chunk of a
  month's scrub cost more than the last (87 ms a chunk at 100,000 encounters, 25 ms with 1.1).
"""

PG_PREPARE_THRESHOLD = None
"""psycopg's ``prepare_threshold`` for revcycle's connections: None, never prepare.

psycopg prepares a statement on the server after its fifth use, and PostgreSQL then keeps
one generic plan for it, made for the table sizes of that moment. A batch that fills a table
in one transaction (a month's claims) never gets a new one: the look-up of claims by control
number stayed a scan of a table that was empty when it was planned. Unprepared, each
statement is planned for its own values and the table's current size.

The session setting ``plan_cache_mode=force_custom_plan`` did the same before, but it also
applies to the plans PostgreSQL keeps for itself, above all the foreign-key checks: each
inserted row's check was planned again, once per key. A COPY of 4,929 claim responses (four
keys each) took 0.42-0.45 s with it and 0.16-0.17 s without.
"""


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(
        url,
        pool_pre_ping=True,
        connect_args={
            "options": " ".join(f"-c {k}={v}" for k, v in PG_SETTINGS.items()),
            "prepare_threshold": PG_PREPARE_THRESHOLD,
        },
    )
    # Batched inserts (claims, lines, history, audit) as multi-row VALUES, not one statement
    # per row: several times faster on PostgreSQL.
    engine.dialect.use_insertmanyvalues_wo_returning = True
    return engine


def refresh_statistics(engine: Engine) -> None:
    """``ANALYZE``: the planner's table statistics brought up to date after a bulk load.
    Without them SQLite guesses between indexes that share a leading column and can pick one
    that reads the whole practice (a patient's postings by the claim-line index, a patient's
    open claims by the status index); PostgreSQL's autovacuum gets there later on its own."""
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def open_engine(url: str) -> Engine:
    """An engine on ``url`` with the schema migrated to the newest revision."""
    from revcycle.db.migrate import ensure_schema

    engine = make_engine(url)
    ensure_schema(engine)
    return engine


STALE_FRACTION = 1.0
"""A table's statistics are stale once the rows changed since its last ``ANALYZE`` exceed 50
plus this fraction of its row count then (autovacuum's rule, with 1.0 for its 0.1: a table
growing from nothing to millions of rows is analyzed about twenty times, not two hundred)."""

_STALE_TABLES = text(
    """
    SELECT s.relname
    FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
    WHERE s.n_mod_since_analyze > 50 + :fraction * greatest(c.reltuples, 0)
    ORDER BY s.relname
    """
)


def analyze_stale(engine: Engine) -> list[str]:
    """``ANALYZE`` the PostgreSQL tables whose statistics are stale (see ``STALE_FRACTION``);
    returns their names. This is autovacuum's job, but it may be off (as on the test machines)
    or behind a long bulk load, and then the planner works from the sizes it saw last: a
    statement psycopg has prepared keeps a plan made when its tables were empty (a scan of the
    whole table for a lookup by a unique key) until the table is analyzed again. A batch job
    calls this every few seconds. SQLite keeps no plans across statements and its statistics
    are refreshed by ``refresh_statistics`` between stages: nothing is done there."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as conn:
        stale = [str(r[0]) for r in conn.execute(_STALE_TABLES, {"fraction": STALE_FRACTION})]
        for name in stale:
            conn.exec_driver_sql(f'ANALYZE "{name}"')
        conn.commit()
    return stale
