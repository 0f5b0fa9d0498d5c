"""Secondary claims: the prior payers' adjudication kept for the COB loops.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 05:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "claim_cob_links",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("practice_id", _id(), nullable=False),
        sa.Column("source_claim_id", _id(), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("claim_id", _id(), nullable=True),
        sa.Column("crossover_payer_name", sa.String(length=60), nullable=False),
        sa.Column("amount_forwarded", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_cob_links_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_claim_cob_links_practice_id_practices"),
        ),
        sa.ForeignKeyConstraint(
            ["source_claim_id"],
            ["claims.id"],
            name=op.f("fk_claim_cob_links_source_claim_id_claims"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_cob_links")),
        sa.UniqueConstraint(
            "practice_id", "source_claim_id", "payer_id", name="uq_claim_cob_links_source_payer"
        ),
    )
    with op.batch_alter_table("claim_cob_links", schema=None) as batch_op:
        batch_op.create_index(
            "ix_claim_cob_links_practice_claim", ["practice_id", "claim_id"], unique=False
        )

    op.create_table(
        "claim_prior_payers",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("practice_id", _id(), nullable=False),
        sa.Column("claim_id", _id(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source_claim_id", _id(), nullable=False),
        sa.Column("coverage_id", _id(), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("payer_claim_control_number", sa.String(length=50), nullable=False),
        sa.Column("paid", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("remaining_patient_liability", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("adjudication_date", sa.Date(), nullable=True),
        sa.Column("adjustments", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_prior_payers_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["coverage_id"],
            ["coverages.id"],
            name=op.f("fk_claim_prior_payers_coverage_id_coverages"),
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_claim_prior_payers_practice_id_practices"),
        ),
        sa.ForeignKeyConstraint(
            ["source_claim_id"],
            ["claims.id"],
            name=op.f("fk_claim_prior_payers_source_claim_id_claims"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_prior_payers")),
        sa.UniqueConstraint("claim_id", "position", name="uq_claim_prior_payers_claim_position"),
    )
    with op.batch_alter_table("claim_prior_payers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_claim_prior_payers_practice_claim", ["practice_id", "claim_id"], unique=False
        )

    op.create_table(
        "claim_prior_payer_lines",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("practice_id", _id(), nullable=False),
        sa.Column("prior_payer_id", _id(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("paid", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("qualifier", sa.String(length=2), nullable=False),
        sa.Column("procedure", sa.String(length=48), nullable=False),
        sa.Column("modifiers", sa.JSON(), nullable=False),
        sa.Column("revenue_code", sa.String(length=4), nullable=False),
        sa.Column("units", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("adjudication_date", sa.Date(), nullable=False),
        sa.Column("adjustments", sa.JSON(), nullable=False),
        sa.Column("remaining_patient_liability", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_claim_prior_payer_lines_practice_id_practices"),
        ),
        sa.ForeignKeyConstraint(
            ["prior_payer_id"],
            ["claim_prior_payers.id"],
            name=op.f("fk_claim_prior_payer_lines_prior_payer_id_claim_prior_payers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_prior_payer_lines")),
    )
    with op.batch_alter_table("claim_prior_payer_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_claim_prior_payer_lines_prior_payer", ["prior_payer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("claim_prior_payer_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_prior_payer_lines_prior_payer")
    op.drop_table("claim_prior_payer_lines")
    with op.batch_alter_table("claim_prior_payers", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_prior_payers_practice_claim")
    op.drop_table("claim_prior_payers")
    with op.batch_alter_table("claim_cob_links", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_cob_links_practice_claim")
    op.drop_table("claim_cob_links")
