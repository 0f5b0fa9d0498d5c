"""Tables of underpayment checking (migration 0014).

- ``underpayment_lines``: one row per service line of a claim payment an 835 posted, with
  what the 835 allowed and paid and, when the payer's contract speaks to the line, what was
  expected and the variance (``revcycle.denials.underpayments``). ``outcome`` is one of
  ``ok``, ``underpaid``, ``no_contract``, ``denied``, ``not_primary``. ``work_item_id`` names
  the ``underpayments`` work item of an underpaid line. Rows are checked again in place by
  ``revcycle underpayments scan`` (a contract added later, a new tolerance).
- ``underpayment_settings``: one row per practice once its tolerance is set (absent: 1.00).
"""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Numeric, String, Table

from revcycle.db.tables import Amount, Id, metadata

underpayment_lines = Table(
    "underpayment_lines",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("claim_id", Id, ForeignKey("claims.id"), nullable=False),
    Column("claim_line_id", Id, ForeignKey("claim_lines.id"), nullable=True),
    Column("payer_ref", Id, ForeignKey("payers.id"), nullable=False),
    Column("status_code", String(2), nullable=False),
    Column("payer_claim_number", String(50), nullable=False),
    Column("trace_number", String(50), nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("service_date", Date, nullable=False),
    Column("procedure", String(5), nullable=False),
    Column("modifiers", String(11), nullable=False),
    Column("units", Numeric(9, 3), nullable=False),
    Column("place_of_service", String(2), nullable=False),
    Column("mult_proc", String(1), nullable=False),
    Column("charge", Amount, nullable=False),
    Column("allowed", Amount, nullable=False),
    Column("paid", Amount, nullable=False),
    Column("patient_responsibility", Amount, nullable=False),
    Column("sequestration", Amount, nullable=False),
    Column("expected_allowed", Amount, nullable=True),
    Column("expected_paid", Amount, nullable=True),
    Column("variance", Amount, nullable=True),
    Column("term", String(200), nullable=False),
    Column("outcome", String(12), nullable=False),
    Column("contract_id", Id, ForeignKey("contracts.id"), nullable=True),
    Column("work_item_id", Id, ForeignKey("work_items.id"), nullable=True),
    Column("checked_at", DateTime(timezone=True), nullable=False),
    Index("ix_underpayment_lines_practice_paid", "practice_id", "paid_on"),
    Index("ix_underpayment_lines_practice_outcome", "practice_id", "outcome"),
    Index("ix_underpayment_lines_practice_claim", "practice_id", "claim_id"),
)

underpayment_settings = Table(
    "underpayment_settings",
    metadata,
    Column("practice_id", Id, ForeignKey("practices.id"), primary_key=True, autoincrement=False),
    Column("tolerance", Amount, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

__all__ = ["underpayment_lines", "underpayment_settings"]
