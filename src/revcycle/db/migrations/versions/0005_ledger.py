"""The ledger (journal entries and their postings) and the record of posted 835 files.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 04:48:02.309421
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "era_postings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "practice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("sender_id", sa.String(length=15), nullable=False),
        sa.Column("interchange_control_number", sa.String(length=9), nullable=False),
        sa.Column("group_control_number", sa.String(length=9), nullable=False),
        sa.Column("set_control_numbers", sa.String(length=200), nullable=False),
        sa.Column("trace_numbers", sa.String(length=400), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practices.id"], name=op.f("fk_era_postings_practice_id_practices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_era_postings")),
        sa.UniqueConstraint("sha256", name="uq_era_postings_sha256"),
    )
    with op.batch_alter_table("era_postings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_era_postings_identity",
            ["sender_id", "interchange_control_number", "group_control_number", "trace_numbers"],
            unique=False,
        )

    op.create_table(
        "journal_entries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "practice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=True),
        sa.Column("claim_id", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.Column("memo", sa.String(length=400), nullable=False),
        sa.Column("reverses", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practices.id"], name=op.f("fk_journal_entries_practice_id_practices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entries")),
        sa.UniqueConstraint("practice_id", "entry_id", name="uq_journal_entries_practice_entry"),
    )
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_journal_entries_practice_claim", ["practice_id", "claim_id"], unique=False
        )
        batch_op.create_index(
            "ix_journal_entries_practice_reverses", ["practice_id", "reverses"], unique=False
        )

    op.create_table(
        "postings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "practice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("account_kind", sa.String(length=32), nullable=False),
        sa.Column("patient_id", sa.String(length=40), nullable=False),
        sa.Column("claim_id", sa.String(length=40), nullable=False),
        sa.Column("line_id", sa.String(length=40), nullable=False),
        sa.Column("party", sa.String(length=90), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practices.id"], name=op.f("fk_postings_practice_id_practices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postings")),
    )
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_postings_practice_claim_line", ["practice_id", "claim_id", "line_id"], unique=False
        )
        batch_op.create_index(
            "ix_postings_practice_entry", ["practice_id", "entry_id"], unique=False
        )
        batch_op.create_index(
            "ix_postings_practice_patient", ["practice_id", "patient_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.drop_index("ix_postings_practice_patient")
        batch_op.drop_index("ix_postings_practice_entry")
        batch_op.drop_index("ix_postings_practice_claim_line")

    op.drop_table("postings")
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_journal_entries_practice_reverses")
        batch_op.drop_index("ix_journal_entries_practice_claim")

    op.drop_table("journal_entries")
    with op.batch_alter_table("era_postings", schema=None) as batch_op:
        batch_op.drop_index("ix_era_postings_identity")

    op.drop_table("era_postings")
