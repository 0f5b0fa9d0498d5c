"""``SqlCodeSetStore``: loaded code-set versions and their rows, in the ``codeset_*`` tables.

Each code table of ``revcycle.codesets`` is written through its ``rows()`` and read back with its
``from_rows``.  ``save`` is one transaction: the version record, all of its rows, and the
retirement of the versions it supersedes commit together or not at all, so a failure half-way
(a broken connection, a constraint) leaves the previous version active and complete.

Decimals and dates inside JSON rows travel as strings (``"0.93"``, ``"2026-01-01"``), never
as floats.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Table, delete, func, insert, select, update

from revcycle.codesets.hcpcs import HcpcsFile, ProcedureCode, ProcedureTable
from revcycle.codesets.icd10cm import Icd10CmCode, Icd10CmVersion
from revcycle.codesets.ncci import MueEdit, MueTable, PtpEdit, PtpTable
from revcycle.codesets.pfs import Gpci, GpciTable, RvuRow, RvuTable
from revcycle.codesets.reference import CodeEntry, CodeList
from revcycle.db.codeset_tables import (
    ROW_TABLES,
    codeset_icd_codes,
    codeset_procedures,
    codeset_ptp_edits,
    codeset_records,
    codeset_versions,
)
from revcycle.services.codesets_service import CodeSetVersion, LoadedTable, NewVersion

BATCH = 5000
T = TypeVar("T")

Progress = Callable[[int, int], None]


class SqlCodeSetStore:
    """The code-set store on one engine (code sets are global: no practice scope)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- reading ------------------------------------------------------------------------------

    def versions(self, system: str | None = None) -> list[CodeSetVersion]:
        q = select(codeset_versions).order_by(codeset_versions.c.system, codeset_versions.c.id)
        if system is not None:
            q = q.where(codeset_versions.c.system == system)
        with self.engine.connect() as conn:
            return [_version(r) for r in conn.execute(q).mappings()]

    def token(self) -> tuple[int, int]:
        """Changes whenever a load commits (every load adds a version record)."""
        q = select(func.count(), func.coalesce(func.max(codeset_versions.c.id), 0))
        with self.engine.connect() as conn:
            count, top = conn.execute(q).one()
        return int(count), int(top)

    def active(self, system: str) -> list[tuple[CodeSetVersion, LoadedTable]]:
        """The active versions of ``system`` with their tables, oldest first."""
        q = (
            select(codeset_versions)
            .where(codeset_versions.c.system == system, codeset_versions.c.active.is_(True))
            .order_by(codeset_versions.c.id)
        )
        with self.engine.connect() as conn:
            found = [_version(r) for r in conn.execute(q).mappings()]
            return [(v, _read(conn, v)) for v in found]

    # --- writing ------------------------------------------------------------------------------

    def save(
        self,
        new: NewVersion,
        table: LoadedTable,
        *,
        supersedes: Callable[[CodeSetVersion], bool],
        progress: Progress | None = None,
    ) -> CodeSetVersion:
        """Store ``table`` as the new active version of ``new.system``, in one transaction.

        Active versions of the system for which ``supersedes`` is true become inactive and
        their rows are deleted; their records stay as history.
        """
        target, rows = _rows(new.system, table)
        with self.engine.begin() as conn:
            version_id = conn.execute(
                insert(codeset_versions)
                .values(
                    system=new.system,
                    name=new.name,
                    effective_from=new.effective_from,
                    effective_to=new.effective_to,
                    loaded_at=new.loaded_at,
                    loaded_by=new.loaded_by[:100],
                    source_file=new.source_file[:255],
                    row_count=len(rows),
                    active=False,
                )
                .returning(codeset_versions.c.id)
            ).scalar_one()
            _insert_rows(conn, target, version_id, rows, progress)
            current = conn.execute(
                select(codeset_versions).where(
                    codeset_versions.c.system == new.system,
                    codeset_versions.c.active.is_(True),
                )
            ).mappings()
            retired = [v.id for v in map(_version, current) if supersedes(v)]
            if retired:
                for row_table in ROW_TABLES:
                    conn.execute(delete(row_table).where(row_table.c.version_id.in_(retired)))
                conn.execute(
                    update(codeset_versions)
                    .where(codeset_versions.c.id.in_(retired))
                    .values(active=False)
                )
            conn.execute(
                update(codeset_versions)
                .where(codeset_versions.c.id == version_id)
                .values(active=True)
            )
            saved = conn.execute(
                select(codeset_versions).where(codeset_versions.c.id == version_id)
            ).mappings()
            return _version(saved.one())


def _version(row: Any) -> CodeSetVersion:
    return CodeSetVersion(
        id=row["id"],
        system=row["system"],
        name=row["name"],
        effective_from=row["effective_from"],
        effective_to=row["effective_to"],
        loaded_at=row["loaded_at"],
        loaded_by=row["loaded_by"],
        source_file=row["source_file"],
        row_count=row["row_count"],
        active=bool(row["active"]),
    )


def _insert_rows(
    conn: Connection,
    target: Table,
    version_id: int,
    rows: Sequence[dict[str, Any]],
    progress: Progress | None,
) -> None:
    total = len(rows)
    for start in range(0, total, BATCH):
        batch = [{"version_id": version_id, **r} for r in rows[start : start + BATCH]]
        conn.execute(insert(target), batch)
        if progress is not None:
            progress(min(start + BATCH, total), total)
    if progress is not None and total == 0:
        progress(0, 0)


# --- table <-> rows --------------------------------------------------------------------------


def _procedure_row(kind: str, r: ProcedureCode) -> dict[str, Any]:
    return {
        "kind": kind,
        "code": r.code,
        "short_description": r.short_description,
        "long_description": r.long_description,
        "effective": r.effective,
        "termination": r.termination,
        "added": r.added,
        "action": r.action,
    }


def _records(items: Iterable[Any], key: Callable[[Any], str]) -> list[dict[str, Any]]:
    return [{"seq": i, "code": key(item), "data": _to_json(item)} for i, item in enumerate(items)]


def _rows(system: str, table: LoadedTable) -> tuple[Table, list[dict[str, Any]]]:
    """The row table and rows that store ``table`` for ``system``."""
    if isinstance(table, Icd10CmVersion):
        return codeset_icd_codes, [
            {
                "code": r.code,
                "billable": r.billable,
                "short_description": r.short_description,
                "long_description": r.long_description,
            }
            for r in table.rows()
        ]
    if isinstance(table, HcpcsFile):
        procs = [_procedure_row("procedure", r) for r in table.procedures.rows()]
        return codeset_procedures, procs + [
            _procedure_row("modifier", r) for r in table.modifiers.rows()
        ]
    if isinstance(table, ProcedureTable):
        return codeset_procedures, [_procedure_row("procedure", r) for r in table.rows()]
    if isinstance(table, PtpTable):
        return codeset_ptp_edits, [
            {
                "seq": i,
                "column1": e.column1,
                "column2": e.column2,
                "effective": e.effective,
                "deletion": e.deletion,
                "modifier_indicator": e.modifier_indicator,
            }
            for i, e in enumerate(table.rows())
        ]
    if isinstance(table, MueTable):
        return codeset_records, _records(table.rows(), lambda m: m.code)
    if isinstance(table, RvuTable):
        return codeset_records, _records(table.rows(), lambda r: f"{r.code} {r.modifier}".strip())
    if isinstance(table, GpciTable):
        return codeset_records, _records(table.rows(), lambda g: f"{g.mac}/{g.locality}")
    if isinstance(table, CodeList):
        return codeset_records, _records(table.rows(), lambda e: e.code)
    raise TypeError(f"cannot store {type(table).__name__} for {system}")


def _read(conn: Connection, v: CodeSetVersion) -> LoadedTable:
    """Rebuild the table of version ``v`` from its rows."""
    if v.system in ("icd10cm", "icd10pcs"):
        q = select(codeset_icd_codes).where(codeset_icd_codes.c.version_id == v.id)
        assert v.effective_from is not None
        return Icd10CmVersion.from_rows(
            v.name,
            v.effective_from,
            (
                Icd10CmCode(
                    r["code"], bool(r["billable"]), r["short_description"], r["long_description"]
                )
                for r in conn.execute(q).mappings()
            ),
            v.effective_to,
        )
    if v.system in ("hcpcs", "cpt"):
        q = select(codeset_procedures).where(codeset_procedures.c.version_id == v.id)
        procs: list[ProcedureCode] = []
        mods: list[ProcedureCode] = []
        for r in conn.execute(q).mappings():
            row = ProcedureCode(
                r["code"],
                r["short_description"],
                r["long_description"],
                r["effective"],
                r["termination"],
                r["added"],
                r["action"],
            )
            (mods if r["kind"] == "modifier" else procs).append(row)
        if v.system == "cpt":
            return ProcedureTable.from_rows("cpt", procs)
        return HcpcsFile(
            ProcedureTable.from_rows("hcpcs", procs),
            ProcedureTable.from_rows("hcpcs_modifier", mods),
        )
    if v.system == "ptp":
        q = (
            select(
                codeset_ptp_edits.c.column1,
                codeset_ptp_edits.c.column2,
                codeset_ptp_edits.c.effective,
                codeset_ptp_edits.c.deletion,
                codeset_ptp_edits.c.modifier_indicator,
            )
            .where(codeset_ptp_edits.c.version_id == v.id)
            .execution_options(yield_per=20000)
        )
        return PtpTable.from_rows(
            PtpEdit(c1, c2, eff, dele, int(mi)) for c1, c2, eff, dele, mi in conn.execute(q)
        )
    q = (
        select(codeset_records.c.data)
        .where(codeset_records.c.version_id == v.id)
        .order_by(codeset_records.c.seq)
    )
    data = [d for (d,) in conn.execute(q)]
    if v.system == "mue":
        return MueTable.from_rows(_from_json(MueEdit, d) for d in data)
    if v.system == "rvu":
        return RvuTable.from_rows(_from_json(RvuRow, d) for d in data)
    if v.system == "gpci":
        return GpciTable.from_rows(_from_json(Gpci, d) for d in data)
    return CodeList.from_rows(v.system, (_from_json(CodeEntry, d) for d in data))


# --- JSON rows of small tables ---------------------------------------------------------------


def _to_json(item: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(item):
        value = getattr(item, f.name)
        if isinstance(value, Decimal | date):
            value = str(value)
        elif isinstance(value, tuple):
            value = [list(pair) for pair in value]
        out[f.name] = value
    return out


def _from_json(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild a row dataclass; field annotations (strings) say how to read each value."""
    kwargs: dict[str, Any] = {}
    assert dataclasses.is_dataclass(cls)
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        value, kind = data[f.name], str(f.type)
        if value is None:
            kwargs[f.name] = None
        elif kind.startswith("date"):
            kwargs[f.name] = date.fromisoformat(value)
        elif kind == "Decimal":
            kwargs[f.name] = Decimal(value)
        elif kind.startswith("tuple"):
            kwargs[f.name] = tuple(tuple(pair) for pair in value)
        else:
            kwargs[f.name] = value
    return cls(**kwargs)
