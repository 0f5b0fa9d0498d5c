"""Patient cost estimates and Good Faith Estimates.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 06:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
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


def _record_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "estimates",
        _id(),
        _ref("practice_id"),
        _ref("patient_id"),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("estimate_date", sa.Date(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        _ref("coverage_id", nullable=True),
        sa.Column("basis", sa.String(length=24), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("allowed", _AMOUNT, nullable=False),
        sa.Column("patient_share", _AMOUNT, nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        *_record_columns(),
        _fk("estimates", "practice_id", "practices"),
        _fk("estimates", "patient_id", "patients"),
        _fk("estimates", "coverage_id", "coverages"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_estimates")),
        sa.UniqueConstraint("practice_id", "number", name="uq_estimates_practice_number"),
    )
    op.create_index(
        "ix_estimates_practice_patient", "estimates", ["practice_id", "patient_id"], unique=False
    )
    op.create_table(
        "good_faith_estimates",
        _id(),
        _ref("practice_id"),
        _ref("patient_id"),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("scheduled_on", sa.Date(), nullable=False),
        sa.Column("scheduled_date", sa.Date(), nullable=True),
        sa.Column("requested", sa.Boolean(), nullable=False),
        sa.Column("deadline_rule", sa.String(length=48), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.Column("total", _AMOUNT, nullable=False),
        sa.Column("retain_until", sa.Date(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        *_record_columns(),
        _fk("good_faith_estimates", "practice_id", "practices"),
        _fk("good_faith_estimates", "patient_id", "patients"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_good_faith_estimates")),
        sa.UniqueConstraint(
            "practice_id", "number", name="uq_good_faith_estimates_practice_number"
        ),
    )
    op.create_index(
        "ix_good_faith_estimates_practice_patient",
        "good_faith_estimates",
        ["practice_id", "patient_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_good_faith_estimates_practice_patient", table_name="good_faith_estimates")
    op.drop_table("good_faith_estimates")
    op.drop_index("ix_estimates_practice_patient", table_name="estimates")
    op.drop_table("estimates")
