"""The reports' ledger roll-ups: ``ledger_day_totals``, the postings summed by (practice,
account kind, party, effective date), read by the ledger totals, the monthly trend and the
patient credit balance instead of millions of postings; ``receivable_day_totals``, the
receivable postings summed by (practice, claim, party, patient, effective date), read by the
A/R aging (about two rows a claim instead of one posting per line and entry).

The ledger appends one row per key with every ``add_entries`` call (never an update); the
upgrade backfills both from the postings already there, one row per key
(``INSERT ... SELECT ... GROUP BY``), so a key's ``SUM(amount)`` over a roll-up equals its
sum over the postings from the start. The downgrade drops the tables.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def _id() -> sa.Column[int]:
    return sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        autoincrement=True,
        nullable=False,
    )


def _practice_id() -> sa.Column[int]:
    return sa.Column(
        "practice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
    )


def _practice_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["practice_id"], ["practices.id"], name=op.f(f"fk_{table}_practice_id_practices")
    )


def upgrade() -> None:
    op.create_table(
        "ledger_day_totals",
        _id(),
        _practice_id(),
        sa.Column("account_kind", sa.String(length=32), nullable=False),
        sa.Column("party", sa.String(length=90), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        _practice_fk("ledger_day_totals"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_day_totals")),
    )
    op.create_table(
        "receivable_day_totals",
        _id(),
        _practice_id(),
        sa.Column("claim_id", sa.String(length=40), nullable=False),
        sa.Column("party", sa.String(length=90), nullable=False),
        sa.Column("patient_id", sa.String(length=40), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        _practice_fk("receivable_day_totals"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receivable_day_totals")),
    )
    # Backfilled before the indexes are built (one sort instead of an insert per row). ROUND
    # keeps SQLite's sum of its floating point amounts at the cent, as the postings are.
    op.execute(
        "INSERT INTO ledger_day_totals (practice_id, account_kind, party, effective_date, amount)"
        " SELECT practice_id, account_kind, party, effective_date, ROUND(SUM(amount), 2)"
        " FROM postings GROUP BY practice_id, account_kind, party, effective_date"
    )
    op.execute(
        "INSERT INTO receivable_day_totals"
        " (practice_id, claim_id, party, patient_id, effective_date, amount)"
        " SELECT practice_id, claim_id, party, patient_id, effective_date, ROUND(SUM(amount), 2)"
        " FROM postings WHERE account_kind = 'receivable'"
        " GROUP BY practice_id, claim_id, party, patient_id, effective_date"
    )
    with op.batch_alter_table("ledger_day_totals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_day_totals_report",
            ["practice_id", "account_kind", "effective_date", "party", "amount"],
            unique=False,
        )
    with op.batch_alter_table("receivable_day_totals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_receivable_day_totals_report",
            ["practice_id", "claim_id", "party", "effective_date", "patient_id", "amount"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("receivable_day_totals", schema=None) as batch_op:
        batch_op.drop_index("ix_receivable_day_totals_report")
    op.drop_table("receivable_day_totals")
    with op.batch_alter_table("ledger_day_totals", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_day_totals_report")
    op.drop_table("ledger_day_totals")
