"""Bulk inserts of many rows inside the current transaction.

On PostgreSQL the rows go through ``COPY ... FROM STDIN`` on the connection's own psycopg
connection, so they commit or roll back with everything else the unit of work wrote. A
multi-row ``INSERT`` of tens of thousands of rows spends most of its time in the driver
converting the enormous statement text; COPY streams the values instead. Elsewhere (SQLite)
it is an ordinary ``executemany``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert

COPY_THRESHOLD = 200  # below this, a plain INSERT costs less than setting up COPY


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table``."""
    if not rows:
        return
    if conn.dialect.name != "postgresql" or len(rows) < COPY_THRESHOLD:
        conn.execute(insert(table), list(rows))
        return
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])
