"""Denial records, their events and the prevention patterns.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 06:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AMOUNT = sa.Numeric(precision=12, scale=2)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "denials",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("practice_id", _ID, nullable=False),
        sa.Column("claim_id", _ID, nullable=False),
        sa.Column("line_id", _ID, nullable=True),
        sa.Column("line_key", _ID, nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("source_ref", sa.String(length=120), nullable=False),
        sa.Column("payer_id", _ID, nullable=True),
        sa.Column("payer_claim_number", sa.String(length=50), nullable=True),
        sa.Column("carcs", sa.JSON(), nullable=False),
        sa.Column("rarcs", sa.JSON(), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("amount", _AMOUNT, nullable=False),
        sa.Column("denied_on", sa.Date(), nullable=False),
        sa.Column("timely_filing_deadline", sa.Date(), nullable=True),
        sa.Column("appeal_deadline", sa.Date(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("appeal_level", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.BigInteger(), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=True),
        sa.Column("follow_up", sa.Date(), nullable=True),
        sa.Column("resolution", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("denials", "practice_id", "practices"),
        _fk("denials", "claim_id", "claims"),
        _fk("denials", "payer_id", "payers"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_denials")),
        sa.UniqueConstraint(
            "practice_id",
            "source",
            "source_ref",
            "claim_id",
            "line_key",
            name="uq_denials_practice_source",
        ),
    )
    op.create_index(
        "ix_denials_practice_status_priority",
        "denials",
        ["practice_id", "status", "priority", "id"],
        unique=False,
    )
    op.create_index(
        "ix_denials_practice_priority", "denials", ["practice_id", "priority", "id"], unique=False
    )
    op.create_index(
        "ix_denials_practice_claim", "denials", ["practice_id", "claim_id"], unique=False
    )
    op.create_index(
        "ix_denials_practice_deadline", "denials", ["practice_id", "deadline"], unique=False
    )
    op.create_table(
        "denial_events",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("practice_id", _ID, nullable=False),
        sa.Column("denial_id", _ID, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        _fk("denial_events", "practice_id", "practices"),
        _fk("denial_events", "denial_id", "denials"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_denial_events")),
    )
    op.create_index("ix_denial_events_denial", "denial_events", ["denial_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_denial_events_denial", table_name="denial_events")
    op.drop_table("denial_events")
    op.drop_index("ix_denials_practice_deadline", table_name="denials")
    op.drop_index("ix_denials_practice_claim", table_name="denials")
    op.drop_index("ix_denials_practice_priority", table_name="denials")
    op.drop_index("ix_denials_practice_status_priority", table_name="denials")
    op.drop_table("denials")
