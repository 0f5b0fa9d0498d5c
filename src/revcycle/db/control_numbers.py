"""X12 control numbers (ISA13, GS06, ST02) from the database: one sequence per trading partner
and kind, each number taken in its own committed transaction so it is never handed out twice,
also across processes, even when the work that asked for it fails."""

from __future__ import annotations

from sqlalchemy import Engine

from revcycle.db.repositories import Sequences

GLOBAL = 0  # the sequences table's practice id for numbers shared by every practice


class SqlControlNumbers:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def next(self, partner: str, kind: str) -> int:
        name = f"x12:{partner}:{kind}"[:40]
        with self.engine.begin() as conn:
            return Sequences(conn).next(GLOBAL, name)
