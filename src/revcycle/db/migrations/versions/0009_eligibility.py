"""Eligibility: appointments, 270 requests and 271 responses, discrepancies.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 06:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TZ = sa.DateTime(timezone=True)


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
        "appointments",
        _id(),
        _ref("practice_id"),
        _ref("patient_id"),
        _ref("provider_id"),
        sa.Column("starts_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        _fk("appointments", "practice_id", "practices"),
        _fk("appointments", "patient_id", "patients"),
        _fk("appointments", "provider_id", "providers"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    op.create_index("ix_appointments_practice_day", "appointments", ["practice_id", "day"])
    op.create_table(
        "eligibility_requests",
        _id(),
        _ref("practice_id"),
        _ref("patient_id"),
        _ref("coverage_id"),
        _ref("appointment_id", nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("service_types", sa.JSON(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("trace", sa.String(length=50), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("raw_270", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(length=80), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("sent_at", _TZ, nullable=True),
        sa.Column("answered_at", _TZ, nullable=True),
        sa.Column("error", sa.String(length=400), nullable=True),
        _fk("eligibility_requests", "practice_id", "practices"),
        _fk("eligibility_requests", "patient_id", "patients"),
        _fk("eligibility_requests", "coverage_id", "coverages"),
        _fk("eligibility_requests", "appointment_id", "appointments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_requests")),
        sa.UniqueConstraint("practice_id", "trace", name="uq_eligibility_requests_practice_trace"),
    )
    op.create_index(
        "ix_eligibility_requests_practice_state", "eligibility_requests", ["practice_id", "state"]
    )
    op.create_index(
        "ix_eligibility_requests_practice_coverage",
        "eligibility_requests",
        ["practice_id", "coverage_id"],
    )
    op.create_table(
        "eligibility_responses",
        _id(),
        _ref("practice_id"),
        _ref("request_id"),
        _ref("inbound_file_id", nullable=True),
        sa.Column("raw_271", sa.Text(), nullable=False),
        sa.Column("parsed", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("usable", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.Column("received_at", _TZ, nullable=False),
        _fk("eligibility_responses", "practice_id", "practices"),
        _fk("eligibility_responses", "request_id", "eligibility_requests"),
        _fk("eligibility_responses", "inbound_file_id", "inbound_files"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_responses")),
    )
    op.create_index(
        "ix_eligibility_responses_practice_request",
        "eligibility_responses",
        ["practice_id", "request_id"],
    )
    op.create_table(
        "eligibility_discrepancies",
        _id(),
        _ref("practice_id"),
        _ref("patient_id"),
        _ref("coverage_id"),
        _ref("response_id"),
        sa.Column("field", sa.String(length=30), nullable=False),
        sa.Column("registered", sa.String(length=120), nullable=False),
        sa.Column("payer", sa.String(length=120), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        _fk("eligibility_discrepancies", "practice_id", "practices"),
        _fk("eligibility_discrepancies", "patient_id", "patients"),
        _fk("eligibility_discrepancies", "coverage_id", "coverages"),
        _fk("eligibility_discrepancies", "response_id", "eligibility_responses"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_discrepancies")),
    )
    op.create_index(
        "ix_eligibility_discrepancies_practice_patient",
        "eligibility_discrepancies",
        ["practice_id", "patient_id"],
    )
    op.create_table(
        "eligibility_settings",
        sa.Column("practice_id", _ID, autoincrement=False, nullable=False),
        sa.Column("realtime_url", sa.String(length=300), nullable=True),
        sa.Column("updated_at", _TZ, nullable=False),
        _fk("eligibility_settings", "practice_id", "practices"),
        sa.PrimaryKeyConstraint("practice_id", name=op.f("pk_eligibility_settings")),
    )


def downgrade() -> None:
    op.drop_table("eligibility_settings")
    op.drop_index(
        "ix_eligibility_discrepancies_practice_patient", table_name="eligibility_discrepancies"
    )
    op.drop_table("eligibility_discrepancies")
    op.drop_index("ix_eligibility_responses_practice_request", table_name="eligibility_responses")
    op.drop_table("eligibility_responses")
    op.drop_index("ix_eligibility_requests_practice_coverage", table_name="eligibility_requests")
    op.drop_index("ix_eligibility_requests_practice_state", table_name="eligibility_requests")
    op.drop_table("eligibility_requests")
    op.drop_index("ix_appointments_practice_day", table_name="appointments")
    op.drop_table("appointments")
