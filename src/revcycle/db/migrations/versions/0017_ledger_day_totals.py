"""The reports' ledger roll-up: ``ledger_day_totals``, the postings summed by (practice,
account kind, party, effective date), read by the ledger totals, the monthly trend and the
patient credit balance instead of millions of postings.

The ledger appends one row per key with every ``add_entries`` call (never an update); the
upgrade backfills it from the postings already there, one row per key
(``INSERT ... SELECT ... GROUP BY``), so a key's ``SUM(amount)`` over the roll-up equals its
sum over the postings from the start. The downgrade drops the table.

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


def upgrade() -> None:
    op.create_table(
        "ledger_day_totals",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "practice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("account_kind", sa.String(length=32), nullable=False),
        sa.Column("party", sa.String(length=90), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_ledger_day_totals_practice_id_practices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_day_totals")),
    )
    # Backfilled before the index is built (one sort instead of an insert per row). ROUND
    # keeps SQLite's sum of its floating point amounts at the cent, as the postings are.
    op.execute(
        "INSERT INTO ledger_day_totals (practice_id, account_kind, party, effective_date, amount)"
        " SELECT practice_id, account_kind, party, effective_date, ROUND(SUM(amount), 2)"
        " FROM postings GROUP BY practice_id, account_kind, party, effective_date"
    )
    with op.batch_alter_table("ledger_day_totals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_day_totals_report",
            ["practice_id", "account_kind", "effective_date", "party", "amount"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("ledger_day_totals", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_day_totals_report")
    op.drop_table("ledger_day_totals")
