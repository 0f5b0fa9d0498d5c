"""Claim submission: submitted 837 files, inbound responses, remittances received, jobs.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 03:51:10.264492
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_files",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "practice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("mailbox_name", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("sender_id", sa.String(length=15), nullable=False),
        sa.Column("receiver_id", sa.String(length=15), nullable=False),
        sa.Column("interchange_control_number", sa.String(length=9), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=True),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practices.id"], name=op.f("fk_inbound_files_practice_id_practices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_files")),
        sa.UniqueConstraint("sha256", name=op.f("uq_inbound_files_sha256")),
    )
    with op.batch_alter_table("inbound_files", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbound_files_practice_state", ["practice_id", "state"], unique=False
        )
        batch_op.create_index("ix_inbound_files_state", ["state"], unique=False)

    op.create_table(
        "jobs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "practice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practices.id"], name=op.f("fk_jobs_practice_id_practices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_state_run_after", ["state", "run_after"], unique=False)

    op.create_table(
        "submissions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "practice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("route", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.Column("file_name", sa.String(length=120), nullable=False),
        sa.Column("sender_id", sa.String(length=15), nullable=False),
        sa.Column("receiver_id", sa.String(length=15), nullable=False),
        sa.Column("interchange_control_number", sa.BigInteger(), nullable=False),
        sa.Column("group_control_number", sa.BigInteger(), nullable=False),
        sa.Column("set_control_numbers", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("claim_count", sa.Integer(), nullable=False),
        sa.Column("total_charge", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("ack_status", sa.String(length=20), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("transmitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practices.id"], name=op.f("fk_submissions_practice_id_practices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint("practice_id", "file_name", name="uq_submissions_practice_file"),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_submissions_practice_gs", ["practice_id", "group_control_number"], unique=False
        )
        batch_op.create_index(
            "ix_submissions_practice_isa",
            ["practice_id", "interchange_control_number"],
            unique=False,
        )
        batch_op.create_index(
            "ix_submissions_practice_state", ["practice_id", "state"], unique=False
        )

    op.create_table(
        "remittances",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "practice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "inbound_file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("set_index", sa.Integer(), nullable=False),
        sa.Column("set_control_number", sa.String(length=9), nullable=False),
        sa.Column("payer_name", sa.String(length=60), nullable=False),
        sa.Column("payer_identifier", sa.String(length=80), nullable=False),
        sa.Column("payee_identifier", sa.String(length=80), nullable=False),
        sa.Column("trace_number", sa.String(length=50), nullable=False),
        sa.Column("payment_amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("payment_method", sa.String(length=3), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=True),
        sa.Column("provider_adjustments", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("claim_count", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["inbound_file_id"],
            ["inbound_files.id"],
            name=op.f("fk_remittances_inbound_file_id_inbound_files"),
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practices.id"], name=op.f("fk_remittances_practice_id_practices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remittances")),
        sa.UniqueConstraint("inbound_file_id", "set_index", name="uq_remittances_file_set"),
    )
    with op.batch_alter_table("remittances", schema=None) as batch_op:
        batch_op.create_index(
            "ix_remittances_practice_trace", ["practice_id", "trace_number"], unique=False
        )

    op.create_table(
        "claim_responses",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "practice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("claim_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "inbound_file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "submission_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("payer_claim_number", sa.String(length=50), nullable=True),
        sa.Column("detail", sa.String(length=1000), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_responses_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["inbound_file_id"],
            ["inbound_files.id"],
            name=op.f("fk_claim_responses_inbound_file_id_inbound_files"),
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practices.id"], name=op.f("fk_claim_responses_practice_id_practices")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_claim_responses_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_responses")),
    )
    with op.batch_alter_table("claim_responses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_claim_responses_practice_claim", ["practice_id", "claim_id"], unique=False
        )

    op.create_table(
        "claims_in_flight",
        sa.Column("claim_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "practice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "submission_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claims_in_flight_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_claims_in_flight_practice_id_practices"),
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_claims_in_flight_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_claims_in_flight")),
    )
    with op.batch_alter_table("claims_in_flight", schema=None) as batch_op:
        batch_op.create_index("ix_claims_in_flight_submission", ["submission_id"], unique=False)

    op.create_table(
        "remittance_claims",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "practice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "remittance_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("claim_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("patient_control_number", sa.String(length=38), nullable=False),
        sa.Column("status_code", sa.String(length=2), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("charge", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("paid", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("patient_responsibility", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("payer_claim_number", sa.String(length=50), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_remittance_claims_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_remittance_claims_practice_id_practices"),
        ),
        sa.ForeignKeyConstraint(
            ["remittance_id"],
            ["remittances.id"],
            name=op.f("fk_remittance_claims_remittance_id_remittances"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remittance_claims")),
    )
    with op.batch_alter_table("remittance_claims", schema=None) as batch_op:
        batch_op.create_index(
            "ix_remittance_claims_practice_claim", ["practice_id", "claim_id"], unique=False
        )
        batch_op.create_index("ix_remittance_claims_remittance", ["remittance_id"], unique=False)

    op.create_table(
        "submission_claims",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "practice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "submission_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("claim_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("patient_control_number", sa.String(length=20), nullable=False),
        sa.Column("set_control_number", sa.String(length=9), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_submission_claims_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_submission_claims_practice_id_practices"),
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_submission_claims_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_claims")),
        sa.UniqueConstraint(
            "submission_id", "claim_id", name="uq_submission_claims_submission_claim"
        ),
    )
    with op.batch_alter_table("submission_claims", schema=None) as batch_op:
        batch_op.create_index(
            "ix_submission_claims_practice_claim", ["practice_id", "claim_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("submission_claims", schema=None) as batch_op:
        batch_op.drop_index("ix_submission_claims_practice_claim")

    op.drop_table("submission_claims")
    with op.batch_alter_table("remittance_claims", schema=None) as batch_op:
        batch_op.drop_index("ix_remittance_claims_remittance")
        batch_op.drop_index("ix_remittance_claims_practice_claim")

    op.drop_table("remittance_claims")
    with op.batch_alter_table("claims_in_flight", schema=None) as batch_op:
        batch_op.drop_index("ix_claims_in_flight_submission")

    op.drop_table("claims_in_flight")
    with op.batch_alter_table("claim_responses", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_responses_practice_claim")

    op.drop_table("claim_responses")
    with op.batch_alter_table("remittances", schema=None) as batch_op:
        batch_op.drop_index("ix_remittances_practice_trace")

    op.drop_table("remittances")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_practice_state")
        batch_op.drop_index("ix_submissions_practice_isa")
        batch_op.drop_index("ix_submissions_practice_gs")

    op.drop_table("submissions")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_state_run_after")

    op.drop_table("jobs")
    with op.batch_alter_table("inbound_files", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_files_state")
        batch_op.drop_index("ix_inbound_files_practice_state")

    op.drop_table("inbound_files")
