"""Tables of the patient side of billing (migration 0007).

Money itself lives in the ledger (``journal_entries`` / ``postings``); these tables hold what
the ledger does not: the receipt of each patient payment or refund (its tenders and its
idempotency key, so a retried request posts once), per-account flags and collection status,
the statements sent (amounts, aging, the PDF as sent), payment plans with their installments,
and the practice's patient-billing settings.

- ``patient_billing_settings``: one row per practice (absent: the documented defaults).
- ``patient_accounts``: one row per patient account once a flag or a collection status is set.
- ``patient_receipts``: one row per payment, copay or refund; ``(practice_id, receipt_number)``
  and ``(practice_id, idempotency_key)`` are unique; ``entry_id`` names the journal entry.
- ``patient_statements``: written once, never updated; ``(practice_id, number)`` unique.
- ``payment_plans`` / ``payment_plan_installments``: installments sum to the plan's total;
  ``paid`` grows as patient payments arrive.
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
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
)

from revcycle.db.tables import Amount, Id, metadata

patient_billing_settings = Table(
    "patient_billing_settings",
    metadata,
    Column("practice_id", Id, ForeignKey("practices.id"), primary_key=True, autoincrement=False),
    Column("statement_minimum", Amount, nullable=False),
    Column("small_balance_threshold", Amount, nullable=False),
    Column("collection_statements", Integer, nullable=False),
    Column("collection_days", Integer, nullable=False),
    Column("plan_grace_days", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

patient_accounts = Table(
    "patient_accounts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("patient_id", Id, ForeignKey("patients.id"), nullable=False),
    Column("hold", Boolean, nullable=False),
    Column("do_not_send", Boolean, nullable=False),
    Column("collection_status", String(12), nullable=False),
    Column("collection_flagged_on", Date, nullable=True),
    Column("collection_referred_on", Date, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("practice_id", "patient_id", name="uq_patient_accounts_practice_patient"),
)

patient_receipts = Table(
    "patient_receipts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("patient_id", Id, ForeignKey("patients.id"), nullable=False),
    Column("receipt_number", String(20), nullable=False),
    Column("idempotency_key", String(80), nullable=True),
    Column("kind", String(12), nullable=False),
    Column("amount", Amount, nullable=False),
    Column("applied", Amount, nullable=False),
    Column("unapplied", Amount, nullable=False),
    Column("tenders", JSON, nullable=False),
    Column("received_on", Date, nullable=False),
    Column("service_date", Date, nullable=True),
    Column("entry_id", String(40), nullable=False),
    Column("actor", String(80), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("practice_id", "receipt_number", name="uq_patient_receipts_practice_number"),
    UniqueConstraint("practice_id", "idempotency_key", name="uq_patient_receipts_practice_key"),
    Index("ix_patient_receipts_practice_patient", "practice_id", "patient_id"),
)

patient_statements = Table(
    "patient_statements",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("patient_id", Id, ForeignKey("patients.id"), nullable=False),
    Column("number", String(20), nullable=False),
    Column("statement_date", Date, nullable=False),
    Column("balance", Amount, nullable=False),
    Column("credit", Amount, nullable=False),
    Column("amount_due", Amount, nullable=False),
    Column("installment_due", Amount, nullable=True),
    Column("aging", JSON, nullable=False),
    Column("detail", JSON, nullable=False),
    Column("message", String(200), nullable=False),
    Column("pdf", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("practice_id", "number", name="uq_patient_statements_practice_number"),
    Index("ix_patient_statements_practice_patient", "practice_id", "patient_id", "statement_date"),
)

payment_plans = Table(
    "payment_plans",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("patient_id", Id, ForeignKey("patients.id"), nullable=False),
    Column("total", Amount, nullable=False),
    Column("frequency", String(12), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("status", String(12), nullable=False),
    Column("missed_on", Date, nullable=True),
    Column("completed_on", Date, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_payment_plans_practice_patient", "practice_id", "patient_id"),
)

payment_plan_installments = Table(
    "payment_plan_installments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("plan_id", Id, ForeignKey("payment_plans.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("amount", Amount, nullable=False),
    Column("paid", Amount, nullable=False),
    UniqueConstraint("plan_id", "seq", name="uq_payment_plan_installments_plan_seq"),
)
