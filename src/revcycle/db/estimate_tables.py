"""Tables of patient cost estimates and Good Faith Estimates (migration 0010).

Both are written once and never updated (a GFE must be kept as issued for 6 years):

- ``estimates``: one row per cost estimate; ``(practice_id, number)`` unique; ``inputs`` and
  ``result`` are JSON (amounts as strings), ``pdf`` the document given to the patient.
- ``good_faith_estimates``: one row per GFE issued; ``(practice_id, number)`` unique; the
  issue date, the day it was scheduled or requested, the deadline (``due_date``, null when
  timing required none) and whether it was ``met``; ``content`` is what the PDF prints.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
)

from revcycle.db.tables import Amount, Id, metadata

estimates = Table(
    "estimates",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("patient_id", Id, ForeignKey("patients.id"), nullable=False),
    Column("number", String(20), nullable=False),
    Column("estimate_date", Date, nullable=False),
    Column("service_date", Date, nullable=False),
    Column("coverage_id", Id, ForeignKey("coverages.id"), nullable=True),
    Column("basis", String(24), nullable=False),
    Column("flagged", Boolean, nullable=False),
    Column("allowed", Amount, nullable=False),
    Column("patient_share", Amount, nullable=False),
    Column("inputs", JSON, nullable=False),
    Column("result", JSON, nullable=False),
    Column("pdf", LargeBinary, nullable=False),
    Column("created_by", String(80), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("practice_id", "number", name="uq_estimates_practice_number"),
    Index("ix_estimates_practice_patient", "practice_id", "patient_id"),
)

good_faith_estimates = Table(
    "good_faith_estimates",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("patient_id", Id, ForeignKey("patients.id"), nullable=False),
    Column("number", String(20), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("scheduled_on", Date, nullable=False),
    Column("scheduled_date", Date, nullable=True),
    Column("requested", Boolean, nullable=False),
    Column("deadline_rule", String(48), nullable=False),
    Column("due_date", Date, nullable=True),
    Column("met", Boolean, nullable=False),
    Column("total", Amount, nullable=False),
    Column("retain_until", Date, nullable=False),
    Column("content", JSON, nullable=False),
    Column("pdf", LargeBinary, nullable=False),
    Column("created_by", String(80), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("practice_id", "number", name="uq_good_faith_estimates_practice_number"),
    Index("ix_good_faith_estimates_practice_patient", "practice_id", "patient_id"),
)
