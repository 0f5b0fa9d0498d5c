"""Tables of loaded code sets (migration 0003): global reference data, not per practice.

``codeset_versions`` records every load (system, version name, effective dates, when, from which
file, how many rows, by whom) and which versions are active.  The rows of a version live in one
of four tables by shape:

* ``codeset_icd_codes``: ICD-10-CM and ICD-10-PCS versions (code, billable, descriptions);
* ``codeset_procedures``: HCPCS procedures and Level II modifiers, the user's CPT list;
* ``codeset_ptp_edits``: NCCI procedure-to-procedure edits (up to millions of rows);
* ``codeset_records``: small tables (MUE, RVU, GPCI, CARC, RARC) as one JSON object per row.

Invariants: a version's rows are written in the same transaction that makes it active, so an
active version is always complete; rows of a superseded version are deleted in that same
transaction while its ``codeset_versions`` record stays as history (``active`` false).

These definitions join the shared ``metadata`` of ``revcycle.db.tables`` so the
schema-versus-migration test compares them too.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
)

from revcycle.db.tables import Id, metadata


def _version_fk() -> Column[int]:
    return Column(
        "version_id", Id, ForeignKey("codeset_versions.id"), primary_key=True, nullable=False
    )


codeset_versions = Table(
    "codeset_versions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("system", String(12), nullable=False),
    Column("name", String(60), nullable=False),
    Column("effective_from", Date, nullable=True),
    Column("effective_to", Date, nullable=True),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
    Column("loaded_by", String(100), nullable=False),
    Column("source_file", String(255), nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("active", Boolean, nullable=False),
    Index("ix_codeset_versions_system_active", "system", "active"),
)

codeset_icd_codes = Table(
    "codeset_icd_codes",
    metadata,
    _version_fk(),
    Column("code", String(7), primary_key=True),
    Column("billable", Boolean, nullable=False),
    Column("short_description", Text, nullable=False),
    Column("long_description", Text, nullable=False),
    Index("ix_codeset_icd_codes_code", "code"),
)

codeset_procedures = Table(
    "codeset_procedures",
    metadata,
    _version_fk(),
    Column("kind", String(10), primary_key=True),  # procedure | modifier
    Column("code", String(5), primary_key=True),
    Column("short_description", Text, nullable=False),
    Column("long_description", Text, nullable=False),
    Column("effective", Date, nullable=True),
    Column("termination", Date, nullable=True),
    Column("added", Date, nullable=True),
    Column("action", String(1), nullable=False),
)

codeset_ptp_edits = Table(
    "codeset_ptp_edits",
    metadata,
    _version_fk(),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("column1", String(5), nullable=False),
    Column("column2", String(5), nullable=False),
    Column("effective", Date, nullable=False),
    Column("deletion", Date, nullable=True),
    Column("modifier_indicator", SmallInteger, nullable=False),
)

codeset_records = Table(
    "codeset_records",
    metadata,
    _version_fk(),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("code", String(16), nullable=False),
    Column("data", JSON, nullable=False),
)

ROW_TABLES = (codeset_icd_codes, codeset_procedures, codeset_ptp_edits, codeset_records)
