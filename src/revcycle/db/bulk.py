"""Bulk inserts of many rows inside the current transaction.

On PostgreSQL the rows go through ``COPY ... FROM STDIN`` on the connection's own psycopg
connection, so they commit or roll back with everything else the unit of work wrote. A
multi-row ``INSERT`` of tens of thousands of rows spends most of its time in the driver
converting the enormous statement text; COPY streams the values instead.

On SQLite it is the DBAPI's ``executemany`` of the statement SQLAlchemy compiles, with each
value converted by the same bind processor SQLAlchemy would apply (dates and datetimes to
their text, ``Numeric`` as SQLAlchemy binds it, JSON to its text): the rows are stored byte
for byte as ``conn.execute(insert(table), rows)`` stores them, without SQLAlchemy's
per-row, per-parameter bookkeeping, which cost more than SQLite's own insert. A table with a
Python-side default the rows leave out goes the ordinary way (SQLAlchemy computes defaults).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

import psycopg
from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    String,
    Table,
    bindparam,
    cast,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError

COPY_THRESHOLD = 200  # below this, a plain INSERT costs less than setting up COPY
RETURNING_CHUNK = 500  # rows a multi-row INSERT ... RETURNING (SQLite limits its parameters)
SQLITE_MAX_PARAMETERS = 32_000  # SQLite (3.32 and later) binds at most 32,766 per statement
UPDATE_CHUNK = 5_000  # rows a PostgreSQL UPDATE ... FROM unnest(...) carries


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table``."""
    if not rows:
        return
    if conn.dialect.name == "sqlite" and len(rows) > 1:
        plan = _sqlite_plan(conn, table, tuple(rows[0]))
        if plan is not None:
            conn.exec_driver_sql(plan[0], [_bound(plan, row) for row in rows])
            return
    if conn.dialect.name != "postgresql" or len(rows) < COPY_THRESHOLD:
        conn.execute(insert(table), list(rows))
        return
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    # JSON columns go as their text, serialised as SQLAlchemy's JSON type does for an INSERT
    as_json = [isinstance(table.c[c].type, JSON) for c in columns]
    driver = conn.connection.driver_connection
    assert driver is not None
    statement = f'COPY "{table.name}" ({names}) FROM STDIN'
    try:
        with driver.cursor() as cur, cur.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row[c]) if j else row[c]
                        for c, j in zip(columns, as_json, strict=True)
                    ]
                )
    except psycopg.errors.IntegrityError as error:  # as an INSERT would raise it
        raise IntegrityError(statement, None, error) from error


_Plan = tuple[str, Callable[[Mapping[str, Any]], Sequence[Any]], list[tuple[int, Any]]]
_SQLITE_PLANS: dict[tuple[Table, tuple[str, ...]], _Plan | None] = {}


def _sqlite_plan(conn: Connection, table: Table, keys: tuple[str, ...]) -> _Plan | None:
    """The compiled ``INSERT`` for rows with ``keys`` (its SQL, a getter of a row's values in
    the statement's order, and the bind processors by position), or None when SQLAlchemy would
    add values of its own (a Python-side default of a column the rows leave out)."""
    cache_key = (table, keys)
    if cache_key not in _SQLITE_PLANS:
        compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(keys))
        names = list(compiled.positiontup or ())
        plan: _Plan | None = None
        if names and set(names) == set(keys) and len(names) == len(keys):
            processors = compiled._bind_processors
            get: Callable[[Mapping[str, Any]], Sequence[Any]] = (
                itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
            )
            plan = (
                compiled.string,
                get,
                [(i, processors[n]) for i, n in enumerate(names) if processors.get(n)],
            )
        _SQLITE_PLANS[cache_key] = plan
    return _SQLITE_PLANS[cache_key]


def _bound(plan: _Plan, row: Mapping[str, Any]) -> tuple[Any, ...]:
    """``row``'s values in the statement's order, each as its bind processor converts it."""
    values = plan[1](row)
    if not plan[2]:
        return tuple(values)
    converted = list(values)
    for i, process in plan[2]:
        converted[i] = process(converted[i])
    return tuple(converted)


def _sqlite_insert_returning(
    conn: Connection, table: Table, plan: _Plan, rows: Sequence[Mapping[str, Any]]
) -> list[int]:
    """Multi-row ``INSERT ... VALUES (...), (...) RETURNING id``, as SQLAlchemy's
    "insertmanyvalues" writes it for ``insert_with_ids``, the values bound as in ``insert_rows``.
    SQLite numbers the rows of one statement in the order of its VALUES, so the returned ids
    in ascending order are the rows' ids in the order given (what SQLAlchemy's
    ``sort_by_parameter_order`` relies on for SQLite too)."""
    head, _, single = plan[0].rpartition(" VALUES ")
    width = single.count("?")
    per = max(1, min(RETURNING_CHUNK, SQLITE_MAX_PARAMETERS // max(width, 1)))
    returning = conn.dialect.identifier_preparer.quote(table.c.id.name)
    ids: list[int] = []
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        sql = f"{head} VALUES {', '.join([single] * len(chunk))} RETURNING {returning}"
        params = tuple(v for row in chunk for v in _bound(plan, row))
        ids += sorted(int(r[0]) for r in conn.exec_driver_sql(sql, params))
    return ids


def insert_with_ids(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` and return their new ids, in the order given.

    On PostgreSQL the ids are drawn from the table's sequence first and the rows then go in
    without ``RETURNING`` (by ``insert_rows``, COPY): a multi-row ``INSERT ... RETURNING`` of
    thousands of rows costs psycopg more to convert than the database to run; the ``rows``
    dicts gain their ``id``. Elsewhere it is ``INSERT ... RETURNING``, 500 rows a statement
    (on SQLite written and bound here, as ``insert_rows`` binds its rows)."""
    if not rows:
        return []
    if conn.dialect.name == "sqlite" and len(rows) > 1:
        plan = _sqlite_plan(conn, table, tuple(rows[0]))
        if plan is not None:
            return _sqlite_insert_returning(conn, table, plan, rows)
    if conn.dialect.name != "postgresql" or len(rows) < COPY_THRESHOLD:
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [
            int(r.id)
            for start in range(0, len(rows), RETURNING_CHUNK)
            for r in conn.execute(stmt, list(rows[start : start + RETURNING_CHUNK]))
        ]
    ids = [
        int(i)
        for i in conn.execute(
            select(
                func.nextval(func.pg_get_serial_sequence(table.name, table.c.id.name))
            ).select_from(func.generate_series(1, len(rows)))
        ).scalars()
    ]
    for row, new_id in zip(rows, ids, strict=True):
        row["id"] = new_id
    insert_rows(conn, table, rows)
    return ids


def _unsized(kind: Any) -> Any:
    """A column type without its length: an explicit cast to ``VARCHAR(n)`` cuts a longer
    value silently, while assigning it to the column raises, as a single ``UPDATE`` does."""
    return String() if isinstance(kind, String) and kind.length else kind


def update_rows(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    where: Sequence[ColumnElement[bool]] = (),
    fixed: Mapping[str, Any] | None = None,
) -> None:
    """Update the rows of ``table`` whose ``id`` is each row's ``"id"`` (and that match
    ``where``), setting the row's other keys, plus ``fixed`` (the same for every row).

    On PostgreSQL one ``UPDATE ... FROM unnest(ids, column1, ...)`` per ``UPDATE_CHUNK``
    rows: each column's values travel as one array parameter cast to the column's type (an
    all-NULL column too), so the statement text is the same for every chunk (compiled once,
    cached) and neither SQLAlchemy nor psycopg converts a statement of thousands of
    placeholders, which is what a ``VALUES`` list cost. Elsewhere one statement executed for
    each row."""
    if not rows:
        return
    keys = [k for k in rows[0] if k != "id"]
    extra = dict(fixed or {})
    if conn.dialect.name == "postgresql":
        names = ("id", *keys)
        arrays = {k: ARRAY(_unsized(table.c[k].type)) for k in names}
        for start in range(0, len(rows), UPDATE_CHUNK):
            chunk = rows[start : start + UPDATE_CHUNK]
            params = [
                cast(bindparam(f"u_{k}", [row[k] for row in chunk], type_=arrays[k]), arrays[k])
                for k in names
            ]
            v = func.unnest(*params).table_valued(*names).render_derived(name="v")
            conn.execute(
                update(table)
                .where(*where, table.c.id == v.c.id)
                .values({**{k: v.c[k] for k in keys}, **extra})
            )
        return
    conn.execute(
        update(table)
        .where(*where, table.c.id == bindparam("b_id"))
        .values({**{k: bindparam(f"b_{k}") for k in keys}, **extra}),
        [{f"b_{k}": value for k, value in row.items()} for row in rows],
    )
