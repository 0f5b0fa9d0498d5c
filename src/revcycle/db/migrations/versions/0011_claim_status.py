"""Claim status inquiries (276) and responses (277) in the claim's history.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 06:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AMOUNT = sa.Numeric(precision=12, scale=2)


def _id() -> sa.Column[int]:
    return sa.Column("id", _ID, autoincrement=True, nullable=False)


def _ref(name: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, _ID, nullable=nullable)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "claim_status_inquiries",
        _id(),
        _ref("practice_id"),
        _ref("claim_id"),
        sa.Column("trace", sa.String(length=50), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("interchange_control_number", sa.BigInteger(), nullable=False),
        sa.Column("file_name", sa.String(length=120), nullable=True),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        _fk("claim_status_inquiries", "practice_id", "practices"),
        _fk("claim_status_inquiries", "claim_id", "claims"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_status_inquiries")),
        sa.UniqueConstraint(
            "practice_id", "trace", name="uq_claim_status_inquiries_practice_trace"
        ),
    )
    op.create_index(
        "ix_claim_status_inquiries_practice_claim",
        "claim_status_inquiries",
        ["practice_id", "claim_id"],
        unique=False,
    )
    op.create_index(
        "ix_claim_status_inquiries_practice_state",
        "claim_status_inquiries",
        ["practice_id", "state"],
        unique=False,
    )
    op.create_table(
        "claim_status_responses",
        _id(),
        _ref("practice_id"),
        _ref("claim_id"),
        _ref("inquiry_id", nullable=True),
        _ref("inbound_file_id", nullable=True),
        sa.Column("trace", sa.String(length=50), nullable=False),
        sa.Column("category", sa.String(length=3), nullable=False),
        sa.Column("status_code", sa.String(length=10), nullable=False),
        sa.Column("entity", sa.String(length=3), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=True),
        sa.Column("charge", _AMOUNT, nullable=True),
        sa.Column("paid", _AMOUNT, nullable=True),
        sa.Column("check_number", sa.String(length=50), nullable=False),
        sa.Column("check_date", sa.Date(), nullable=True),
        sa.Column("payer_claim_number", sa.String(length=50), nullable=False),
        sa.Column("info", sa.JSON(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        _fk("claim_status_responses", "practice_id", "practices"),
        _fk("claim_status_responses", "claim_id", "claims"),
        _fk("claim_status_responses", "inquiry_id", "claim_status_inquiries"),
        _fk("claim_status_responses", "inbound_file_id", "inbound_files"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_status_responses")),
    )
    op.create_index(
        "ix_claim_status_responses_practice_claim",
        "claim_status_responses",
        ["practice_id", "claim_id"],
        unique=False,
    )
    op.create_table(
        "claim_status_settings",
        sa.Column("practice_id", _ID, autoincrement=False, nullable=False),
        sa.Column("payer_ref", _ID, autoincrement=False, nullable=False),
        sa.Column("after_days", sa.Integer(), nullable=False),
        sa.Column("repeat_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("claim_status_settings", "practice_id", "practices"),
        sa.ForeignKeyConstraint(
            ["payer_ref"], ["payers.id"], name=op.f("fk_claim_status_settings_payer_ref_payers")
        ),
        sa.PrimaryKeyConstraint("practice_id", "payer_ref", name=op.f("pk_claim_status_settings")),
    )


def downgrade() -> None:
    op.drop_table("claim_status_settings")
    op.drop_index("ix_claim_status_responses_practice_claim", table_name="claim_status_responses")
    op.drop_table("claim_status_responses")
    op.drop_index("ix_claim_status_inquiries_practice_state", table_name="claim_status_inquiries")
    op.drop_index("ix_claim_status_inquiries_practice_claim", table_name="claim_status_inquiries")
    op.drop_table("claim_status_inquiries")
