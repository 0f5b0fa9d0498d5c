"""Report indexes: each posting carries its entry's effective date, and covering indexes serve
the KPI queries (totals by account and date, balances and payments per claim, charge dates,
charge lag, services by date).

The date is copied onto the postings the entry already has (a backfill), and the ledger writes
it with every new entry; entries are never updated, so the copy cannot go stale.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27 08:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# (table, index, columns): plain key columns on both databases, so SQLite covers them too.
_INDEXES = (
    (
        "postings",
        "ix_postings_report_by_date",
        ["practice_id", "account_kind", "effective_date", "party", "amount"],
    ),
    (
        "postings",
        "ix_postings_report_by_claim",
        [
            "practice_id",
            "account_kind",
            "claim_id",
            "party",
            "effective_date",
            "patient_id",
            "amount",
        ],
    ),
    (
        "journal_entries",
        "ix_journal_entries_practice_kind_claim",
        ["practice_id", "kind", "claim_id", "effective_date"],
    ),
    ("journal_entries", "ix_journal_entries_practice_date", ["practice_id", "effective_date"]),
    ("encounter_lines", "ix_encounter_lines_encounter_entered", ["encounter_id", "entered_at"]),
    ("encounters", "ix_encounters_practice_dos", ["practice_id", "dos_from"]),
)


def upgrade() -> None:
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("effective_date", sa.Date(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE postings AS p SET effective_date = j.effective_date FROM journal_entries AS j"
            " WHERE j.practice_id = p.practice_id AND j.entry_id = p.entry_id"
        )
    else:
        op.execute(
            "UPDATE postings SET effective_date = (SELECT j.effective_date"
            " FROM journal_entries AS j WHERE j.practice_id = postings.practice_id"
            " AND j.entry_id = postings.entry_id)"
        )
    for table, name, columns in _INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for table, name, _ in reversed(_INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.drop_column("effective_date")
