"""Deposits (bank files), EFT reconciliation, accounting periods.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 05:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AMOUNT = sa.Numeric(precision=12, scale=2)


def _id() -> sa.Column[int]:
    return sa.Column("id", _ID, autoincrement=True, nullable=False)


def _practice(nullable: bool = False) -> sa.Column[int]:
    return sa.Column("practice_id", _ID, nullable=nullable)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _index(table: str, name: str, columns: list[str]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(name, columns, unique=False)


def upgrade() -> None:
    op.create_table(
        "deposit_files",
        _id(),
        _practice(),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("deposit_count", sa.Integer(), nullable=False),
        sa.Column("total", _AMOUNT, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=80), nullable=False),
        _fk("deposit_files", "practice_id", "practices"),
        _pk("deposit_files"),
        sa.UniqueConstraint("practice_id", "sha256", name="uq_deposit_files_practice_sha256"),
    )
    op.create_table(
        "deposits",
        _id(),
        _practice(),
        sa.Column("file_id", _ID, nullable=False),
        sa.Column("deposit_date", sa.Date(), nullable=False),
        sa.Column("amount", _AMOUNT, nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.Column("description", sa.String(length=400), nullable=False),
        sa.Column("type_code", sa.String(length=20), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("trace_number", sa.String(length=60), nullable=False),
        sa.Column("payer_identifier", sa.String(length=20), nullable=False),
        _fk("deposits", "file_id", "deposit_files"),
        _fk("deposits", "practice_id", "practices"),
        _pk("deposits"),
        sa.UniqueConstraint(
            "practice_id",
            "reference",
            "deposit_date",
            "amount",
            name="uq_deposits_practice_reference_date_amount",
        ),
    )
    _index("deposits", "ix_deposits_practice_trace", ["practice_id", "trace_number"])
    op.create_table(
        "era_payments",
        _id(),
        _practice(nullable=True),
        sa.Column("era_sha256", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("payer_name", sa.String(length=60), nullable=False),
        sa.Column("trace_number", sa.String(length=60), nullable=False),
        sa.Column("originating_company", sa.String(length=20), nullable=False),
        sa.Column("amount", _AMOUNT, nullable=False),
        sa.Column("method", sa.String(length=3), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=True),
        sa.Column("payee_npi", sa.String(length=10), nullable=False),
        sa.Column("payee_tin", sa.String(length=9), nullable=False),
        _fk("era_payments", "practice_id", "practices"),
        _pk("era_payments"),
        sa.UniqueConstraint("era_sha256", "seq", name="uq_era_payments_era_sha256_seq"),
    )
    _index("era_payments", "ix_era_payments_practice_trace", ["practice_id", "trace_number"])
    op.create_table(
        "deposit_matches",
        _id(),
        _practice(),
        sa.Column("era_payment_id", _ID, nullable=False),
        sa.Column("deposit_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("difference", _AMOUNT, nullable=False),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=False),
        _fk("deposit_matches", "deposit_id", "deposits"),
        _fk("deposit_matches", "era_payment_id", "era_payments"),
        _fk("deposit_matches", "practice_id", "practices"),
        _pk("deposit_matches"),
        sa.UniqueConstraint("deposit_id", name="uq_deposit_matches_deposit_id"),
        sa.UniqueConstraint("era_payment_id", name="uq_deposit_matches_era_payment_id"),
    )
    _index("deposit_matches", "ix_deposit_matches_practice", ["practice_id"])
    op.create_table(
        "payer_credits",
        _id(),
        _practice(),
        sa.Column("claim_id", sa.String(length=40), nullable=False),
        sa.Column("line_id", sa.String(length=40), nullable=False),
        sa.Column("patient_id", sa.String(length=40), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("payer_class", sa.String(length=30), nullable=False),
        sa.Column("amount", _AMOUNT, nullable=False),
        sa.Column("overpaid_on", sa.Date(), nullable=True),
        sa.Column("identified_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("refunded_amount", _AMOUNT, nullable=False),
        sa.Column("refunded_on", sa.Date(), nullable=True),
        sa.Column("refund_entry_id", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=400), nullable=False),
        _fk("payer_credits", "practice_id", "practices"),
        _pk("payer_credits"),
    )
    _index(
        "payer_credits", "ix_payer_credits_practice_line", ["practice_id", "claim_id", "line_id"]
    )
    op.create_table(
        "accounting_periods",
        _id(),
        _practice(),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(length=80), nullable=False),
        sa.Column("reopened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopened_by", sa.String(length=80), nullable=False),
        _fk("accounting_periods", "practice_id", "practices"),
        _pk("accounting_periods"),
        sa.UniqueConstraint("practice_id", "period", name="uq_accounting_periods_practice_period"),
    )


def downgrade() -> None:
    op.drop_table("accounting_periods")
    with op.batch_alter_table("payer_credits", schema=None) as batch_op:
        batch_op.drop_index("ix_payer_credits_practice_line")
    op.drop_table("payer_credits")
    with op.batch_alter_table("deposit_matches", schema=None) as batch_op:
        batch_op.drop_index("ix_deposit_matches_practice")
    op.drop_table("deposit_matches")
    with op.batch_alter_table("era_payments", schema=None) as batch_op:
        batch_op.drop_index("ix_era_payments_practice_trace")
    op.drop_table("era_payments")
    with op.batch_alter_table("deposits", schema=None) as batch_op:
        batch_op.drop_index("ix_deposits_practice_trace")
    op.drop_table("deposits")
    op.drop_table("deposit_files")
