"""Patient billing: tenders, statements, payment plans, collections.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 05:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
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
        "patient_billing_settings",
        sa.Column("practice_id", _ID, autoincrement=False, nullable=False),
        sa.Column("statement_minimum", _AMOUNT, nullable=False),
        sa.Column("small_balance_threshold", _AMOUNT, nullable=False),
        sa.Column("collection_statements", sa.Integer(), nullable=False),
        sa.Column("collection_days", sa.Integer(), nullable=False),
        sa.Column("plan_grace_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("patient_billing_settings", "practice_id", "practices"),
        sa.PrimaryKeyConstraint("practice_id", name=op.f("pk_patient_billing_settings")),
    )
    op.create_table(
        "patient_accounts",
        _id(),
        _ref("practice_id"),
        _ref("patient_id"),
        sa.Column("hold", sa.Boolean(), nullable=False),
        sa.Column("do_not_send", sa.Boolean(), nullable=False),
        sa.Column("collection_status", sa.String(length=12), nullable=False),
        sa.Column("collection_flagged_on", sa.Date(), nullable=True),
        sa.Column("collection_referred_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("patient_accounts", "practice_id", "practices"),
        _fk("patient_accounts", "patient_id", "patients"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_accounts")),
        sa.UniqueConstraint(
            "practice_id", "patient_id", name="uq_patient_accounts_practice_patient"
        ),
    )
    op.create_table(
        "patient_receipts",
        _id(),
        _ref("practice_id"),
        _ref("patient_id"),
        sa.Column("receipt_number", sa.String(length=20), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("amount", _AMOUNT, nullable=False),
        sa.Column("applied", _AMOUNT, nullable=False),
        sa.Column("unapplied", _AMOUNT, nullable=False),
        sa.Column("tenders", sa.JSON(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=True),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("patient_receipts", "practice_id", "practices"),
        _fk("patient_receipts", "patient_id", "patients"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_receipts")),
        sa.UniqueConstraint(
            "practice_id", "receipt_number", name="uq_patient_receipts_practice_number"
        ),
        sa.UniqueConstraint(
            "practice_id", "idempotency_key", name="uq_patient_receipts_practice_key"
        ),
    )
    op.create_index(
        "ix_patient_receipts_practice_patient",
        "patient_receipts",
        ["practice_id", "patient_id"],
        unique=False,
    )
    op.create_table(
        "patient_statements",
        _id(),
        _ref("practice_id"),
        _ref("patient_id"),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("statement_date", sa.Date(), nullable=False),
        sa.Column("balance", _AMOUNT, nullable=False),
        sa.Column("credit", _AMOUNT, nullable=False),
        sa.Column("amount_due", _AMOUNT, nullable=False),
        sa.Column("installment_due", _AMOUNT, nullable=True),
        sa.Column("aging", sa.JSON(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("message", sa.String(length=200), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("patient_statements", "practice_id", "practices"),
        _fk("patient_statements", "patient_id", "patients"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_statements")),
        sa.UniqueConstraint("practice_id", "number", name="uq_patient_statements_practice_number"),
    )
    op.create_index(
        "ix_patient_statements_practice_patient",
        "patient_statements",
        ["practice_id", "patient_id", "statement_date"],
        unique=False,
    )
    op.create_table(
        "payment_plans",
        _id(),
        _ref("practice_id"),
        _ref("patient_id"),
        sa.Column("total", _AMOUNT, nullable=False),
        sa.Column("frequency", sa.String(length=12), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("missed_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("payment_plans", "practice_id", "practices"),
        _fk("payment_plans", "patient_id", "patients"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_plans")),
    )
    op.create_index(
        "ix_payment_plans_practice_patient",
        "payment_plans",
        ["practice_id", "patient_id"],
        unique=False,
    )
    op.create_table(
        "payment_plan_installments",
        _id(),
        _ref("practice_id"),
        _ref("plan_id"),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount", _AMOUNT, nullable=False),
        sa.Column("paid", _AMOUNT, nullable=False),
        _fk("payment_plan_installments", "practice_id", "practices"),
        _fk("payment_plan_installments", "plan_id", "payment_plans"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_plan_installments")),
        sa.UniqueConstraint("plan_id", "seq", name="uq_payment_plan_installments_plan_seq"),
    )


def downgrade() -> None:
    op.drop_table("payment_plan_installments")
    op.drop_index("ix_payment_plans_practice_patient", table_name="payment_plans")
    op.drop_table("payment_plans")
    op.drop_index("ix_patient_statements_practice_patient", table_name="patient_statements")
    op.drop_table("patient_statements")
    op.drop_index("ix_patient_receipts_practice_patient", table_name="patient_receipts")
    op.drop_table("patient_receipts")
    op.drop_table("patient_accounts")
    op.drop_table("patient_billing_settings")
