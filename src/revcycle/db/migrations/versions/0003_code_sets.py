"""Loaded code sets: versions and their rows (global reference data, not per practice).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Registers the code-set tables on the shared metadata, so autogenerate and the schema test
# compare them; the DDL below stays written out, as migrations must not follow later edits.
# (Stopgap until ``revcycle.db.tables`` or ``migrations/env.py`` imports the module.)

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _version_fk(table: str) -> tuple[sa.Column[int], sa.ForeignKeyConstraint]:
    return (
        sa.Column("version_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["codeset_versions.id"],
            name=op.f(f"fk_{table}_version_id_codeset_versions"),
        ),
    )


def upgrade() -> None:
    op.create_table(
        "codeset_versions",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("system", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=True),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(length=100), nullable=False),
        sa.Column("source_file", sa.String(length=255), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_codeset_versions")),
    )
    with op.batch_alter_table("codeset_versions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_codeset_versions_system_active", ["system", "active"], unique=False
        )

    fk = _version_fk("codeset_icd_codes")
    op.create_table(
        "codeset_icd_codes",
        fk[0],
        sa.Column("code", sa.String(length=7), nullable=False),
        sa.Column("billable", sa.Boolean(), nullable=False),
        sa.Column("short_description", sa.Text(), nullable=False),
        sa.Column("long_description", sa.Text(), nullable=False),
        fk[1],
        sa.PrimaryKeyConstraint("version_id", "code", name=op.f("pk_codeset_icd_codes")),
    )
    with op.batch_alter_table("codeset_icd_codes", schema=None) as batch_op:
        batch_op.create_index("ix_codeset_icd_codes_code", ["code"], unique=False)

    fk = _version_fk("codeset_procedures")
    op.create_table(
        "codeset_procedures",
        fk[0],
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("short_description", sa.Text(), nullable=False),
        sa.Column("long_description", sa.Text(), nullable=False),
        sa.Column("effective", sa.Date(), nullable=True),
        sa.Column("termination", sa.Date(), nullable=True),
        sa.Column("added", sa.Date(), nullable=True),
        sa.Column("action", sa.String(length=1), nullable=False),
        fk[1],
        sa.PrimaryKeyConstraint("version_id", "kind", "code", name=op.f("pk_codeset_procedures")),
    )

    fk = _version_fk("codeset_ptp_edits")
    op.create_table(
        "codeset_ptp_edits",
        fk[0],
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("column1", sa.String(length=5), nullable=False),
        sa.Column("column2", sa.String(length=5), nullable=False),
        sa.Column("effective", sa.Date(), nullable=False),
        sa.Column("deletion", sa.Date(), nullable=True),
        sa.Column("modifier_indicator", sa.SmallInteger(), nullable=False),
        fk[1],
        sa.PrimaryKeyConstraint("version_id", "seq", name=op.f("pk_codeset_ptp_edits")),
    )

    fk = _version_fk("codeset_records")
    op.create_table(
        "codeset_records",
        fk[0],
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        fk[1],
        sa.PrimaryKeyConstraint("version_id", "seq", name=op.f("pk_codeset_records")),
    )


def downgrade() -> None:
    op.drop_table("codeset_records")
    op.drop_table("codeset_ptp_edits")
    op.drop_table("codeset_procedures")
    with op.batch_alter_table("codeset_icd_codes", schema=None) as batch_op:
        batch_op.drop_index("ix_codeset_icd_codes_code")
    op.drop_table("codeset_icd_codes")
    with op.batch_alter_table("codeset_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_codeset_versions_system_active")
    op.drop_table("codeset_versions")
