"""Tables of coordination of benefits: secondary claims and crossovers (migration 0006).

- ``claim_cob_links``: what became of a claim's balance with the next payer in COB order, one
  row per (claim the prior payer adjudicated, next payer's X12 id). ``state`` is ``billed``
  (``claim_id`` is the secondary claim revcycle made) or ``forwarded`` (a crossover: the prior
  payer sent the claim on itself; ``claim_id`` stays empty and nothing is ever sent). The unique
  key is what makes ERA posting idempotent: a second ``SecondaryClaimNeeded`` for the same claim
  and payer finds the row instead of creating a second claim.
- ``claim_prior_payers``: for a secondary (or tertiary) claim, what each prior payer did, in
  COB order (``position`` 1 = the primary): the prior coverage (member ID, claim filing
  indicator, subscriber), the payer's claim control number, AMT*D (``paid``), AMT*EAF
  (``remaining_patient_liability``), the claim-level CAS as JSON (amounts as strings) and the
  adjudication date. The 837's loops 2320/2330A/2330B are built from it.
- ``claim_prior_payer_lines``: the 2430 loops of a prior payer, per claim line (``line_no`` of
  the secondary claim): SVD paid, procedure, modifiers, units, the line's CAS (JSON), DTP*573
  and the line's remaining patient liability.

Rows of the last two tables are replaced as a whole when a corrected 835 updates an unsent
secondary claim.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from revcycle.db.tables import Amount, Id, Quantity, metadata

claim_cob_links = Table(
    "claim_cob_links",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("source_claim_id", Id, ForeignKey("claims.id"), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("state", String(12), nullable=False),
    Column("claim_id", Id, ForeignKey("claims.id"), nullable=True),
    Column("crossover_payer_name", String(60), nullable=False),
    Column("amount_forwarded", Amount, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint(
        "practice_id", "source_claim_id", "payer_id", name="uq_claim_cob_links_source_payer"
    ),
    Index("ix_claim_cob_links_practice_claim", "practice_id", "claim_id"),
)

claim_prior_payers = Table(
    "claim_prior_payers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("claim_id", Id, ForeignKey("claims.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("source_claim_id", Id, ForeignKey("claims.id"), nullable=False),
    Column("coverage_id", Id, ForeignKey("coverages.id"), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("payer_claim_control_number", String(50), nullable=False),
    Column("paid", Amount, nullable=False),
    Column("remaining_patient_liability", Amount, nullable=False),
    Column("adjudication_date", Date, nullable=True),
    Column("adjustments", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("claim_id", "position", name="uq_claim_prior_payers_claim_position"),
    Index("ix_claim_prior_payers_practice_claim", "practice_id", "claim_id"),
)

claim_prior_payer_lines = Table(
    "claim_prior_payer_lines",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("prior_payer_id", Id, ForeignKey("claim_prior_payers.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("paid", Amount, nullable=False),
    Column("qualifier", String(2), nullable=False),
    Column("procedure", String(48), nullable=False),
    Column("modifiers", JSON, nullable=False),
    Column("revenue_code", String(4), nullable=False),
    Column("units", Quantity, nullable=False),
    Column("adjudication_date", Date, nullable=False),
    Column("adjustments", JSON, nullable=False),
    Column("remaining_patient_liability", Amount, nullable=True),
    Index("ix_claim_prior_payer_lines_prior_payer", "prior_payer_id"),
)
