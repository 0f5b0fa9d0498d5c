"""Bulk inserts of many rows inside the current transaction.

On PostgreSQL the rows go through ``COPY ... FROM STDIN`` on the connection's own psycopg
connection, so they commit or roll back with everything else the unit of work wrote. A
multi-row ``INSERT`` of tens of thousands of rows spends most of its time in the driver
converting the enormous statement text; COPY streams the values instead. Elsewhere (SQLite)
it is an ordinary ``executemany``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from sqlalchemy import JSON, Connection, Table, func, insert, select
from sqlalchemy.exc import IntegrityError

COPY_THRESHOLD = 200  # below this, a plain INSERT costs less than setting up COPY
RETURNING_CHUNK = 500  # rows a multi-row INSERT ... RETURNING (SQLite limits its parameters)


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table``."""
    if not rows:
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


def insert_with_ids(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` and return their new ids, in the order given.

    On PostgreSQL the ids are drawn from the table's sequence first and the rows then go in
    without ``RETURNING`` (by ``insert_rows``, COPY): a multi-row ``INSERT ... RETURNING`` of
    thousands of rows costs psycopg more to convert than the database to run. Elsewhere it is
    ``INSERT ... RETURNING``, 500 rows a statement. The ``rows`` dicts gain their ``id``."""
    if not rows:
        return []
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
