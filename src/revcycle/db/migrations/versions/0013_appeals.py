"""Denial actions: appeals, attachments, write-off approvals.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 06:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
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
        "appeals",
        _id(),
        _ref("practice_id"),
        _ref("denial_id"),
        _ref("claim_id"),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("level_name", sa.String(length=60), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("argument", sa.Text(), nullable=False),
        sa.Column("letter", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.Column("recovered", _AMOUNT, nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("appeals", "practice_id", "practices"),
        _fk("appeals", "denial_id", "denials"),
        _fk("appeals", "claim_id", "claims"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint(
            "practice_id", "denial_id", "level", name="uq_appeals_practice_denial_level"
        ),
    )
    op.create_index(
        "ix_appeals_practice_claim", "appeals", ["practice_id", "claim_id"], unique=False
    )
    op.create_table(
        "denial_attachments",
        _id(),
        _ref("practice_id"),
        _ref("claim_id"),
        _ref("denial_id", nullable=True),
        _ref("appeal_id", nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("report_type", sa.String(length=2), nullable=False),
        sa.Column("attachment_id", sa.String(length=50), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("path", sa.String(length=500), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("denial_attachments", "practice_id", "practices"),
        _fk("denial_attachments", "claim_id", "claims"),
        _fk("denial_attachments", "denial_id", "denials"),
        _fk("denial_attachments", "appeal_id", "appeals"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_denial_attachments")),
    )
    op.create_index(
        "ix_denial_attachments_practice_claim",
        "denial_attachments",
        ["practice_id", "claim_id"],
        unique=False,
    )
    op.create_table(
        "write_off_requests",
        _id(),
        _ref("practice_id"),
        _ref("denial_id", nullable=True),
        _ref("claim_id"),
        _ref("line_id", nullable=True),
        sa.Column("amount", _AMOUNT, nullable=False),
        sa.Column("reason_code", sa.String(length=30), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        _fk("write_off_requests", "practice_id", "practices"),
        _fk("write_off_requests", "denial_id", "denials"),
        _fk("write_off_requests", "claim_id", "claims"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_write_off_requests")),
    )
    op.create_index(
        "ix_write_off_requests_practice_status",
        "write_off_requests",
        ["practice_id", "status"],
        unique=False,
    )
    op.create_table(
        "denial_action_settings",
        sa.Column("practice_id", _ID, autoincrement=False, nullable=False),
        sa.Column("write_off_approval_threshold", _AMOUNT, nullable=False),
        sa.Column("attachment_dir", sa.String(length=500), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("denial_action_settings", "practice_id", "practices"),
        sa.PrimaryKeyConstraint("practice_id", name=op.f("pk_denial_action_settings")),
    )


def downgrade() -> None:
    op.drop_table("denial_action_settings")
    op.drop_index("ix_write_off_requests_practice_status", table_name="write_off_requests")
    op.drop_table("write_off_requests")
    op.drop_index("ix_denial_attachments_practice_claim", table_name="denial_attachments")
    op.drop_table("denial_attachments")
    op.drop_index("ix_appeals_practice_claim", table_name="appeals")
    op.drop_table("appeals")
