"""Underpayments: expected vs paid per line, payer scorecard.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 06:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AMOUNT = sa.Numeric(precision=12, scale=2)
_INDEXES = (
    ("ix_underpayment_lines_practice_paid", ["practice_id", "paid_on"]),
    ("ix_underpayment_lines_practice_outcome", ["practice_id", "outcome"]),
    ("ix_underpayment_lines_practice_claim", ["practice_id", "claim_id"]),
)


def _ref(name: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, _ID, nullable=nullable)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    t = "underpayment_lines"
    op.create_table(
        t,
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        _ref("practice_id"),
        _ref("claim_id"),
        _ref("claim_line_id", nullable=True),
        _ref("payer_ref"),
        sa.Column("status_code", sa.String(length=2), nullable=False),
        sa.Column("payer_claim_number", sa.String(length=50), nullable=False),
        sa.Column("trace_number", sa.String(length=50), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("procedure", sa.String(length=5), nullable=False),
        sa.Column("modifiers", sa.String(length=11), nullable=False),
        sa.Column("units", sa.Numeric(precision=9, scale=3), nullable=False),
        sa.Column("place_of_service", sa.String(length=2), nullable=False),
        sa.Column("mult_proc", sa.String(length=1), nullable=False),
        sa.Column("charge", _AMOUNT, nullable=False),
        sa.Column("allowed", _AMOUNT, nullable=False),
        sa.Column("paid", _AMOUNT, nullable=False),
        sa.Column("patient_responsibility", _AMOUNT, nullable=False),
        sa.Column("sequestration", _AMOUNT, nullable=False),
        sa.Column("expected_allowed", _AMOUNT, nullable=True),
        sa.Column("expected_paid", _AMOUNT, nullable=True),
        sa.Column("variance", _AMOUNT, nullable=True),
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        _ref("contract_id", nullable=True),
        _ref("work_item_id", nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        _fk(t, "practice_id", "practices"),
        _fk(t, "claim_id", "claims"),
        _fk(t, "claim_line_id", "claim_lines"),
        _fk(t, "payer_ref", "payers"),
        _fk(t, "contract_id", "contracts"),
        _fk(t, "work_item_id", "work_items"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_underpayment_lines")),
    )
    for name, columns in _INDEXES:
        op.create_index(name, t, columns, unique=False)
    op.create_table(
        "underpayment_settings",
        sa.Column("practice_id", _ID, autoincrement=False, nullable=False),
        sa.Column("tolerance", _AMOUNT, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("underpayment_settings", "practice_id", "practices"),
        sa.PrimaryKeyConstraint("practice_id", name=op.f("pk_underpayment_settings")),
    )


def downgrade() -> None:
    op.drop_table("underpayment_settings")
    for name, _ in _INDEXES:
        op.drop_index(name, table_name="underpayment_lines")
    op.drop_table("underpayment_lines")
