"""Tables of deposits, EFT reconciliation, payer credit balances and accounting periods
(migration 0008).

- ``deposit_files``: each bank file imported, once per practice by content hash.
- ``deposits``: the credits of those files; one row per (practice, bank reference, date,
  amount), so a deposit that appears in two files is stored once.
- ``era_payments``: the BPR/TRN of every posted 835 (one row per transaction set), keyed to
  its ``era_postings`` row by the file's sha256: amount, method, date, trace and payer.
- ``deposit_matches``: an ERA payment matched to a deposit (by trace, or by amount and date),
  with the difference; each ERA payment and each deposit is matched at most once.
- ``payer_credits``: overpayments found on a line (a payer's receivable below zero), with the
  date they were identified and, for Medicare, the 60-day deadline to report and return them;
  a refund records its journal entry here.
- ``accounting_periods``: months closed (or closed and reopened) per practice. No journal entry
  carries an effective date inside a closed month (``accounting_repo.into_open_periods``).
"""

from __future__ import annotations

from sqlalchemy import (
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

from revcycle.db.tables import Amount, Id, metadata

deposit_files = Table(
    "deposit_files",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("format", String(8), nullable=False),
    Column("deposit_count", Integer, nullable=False),
    Column("total", Amount, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", String(80), nullable=False),
    UniqueConstraint("practice_id", "sha256", name="uq_deposit_files_practice_sha256"),
)

deposits = Table(
    "deposits",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("file_id", Id, ForeignKey("deposit_files.id"), nullable=False),
    Column("deposit_date", Date, nullable=False),
    Column("amount", Amount, nullable=False),
    Column("reference", String(120), nullable=False),
    Column("description", String(400), nullable=False),
    Column("type_code", String(20), nullable=False),
    Column("method", String(8), nullable=False),
    Column("account", String(40), nullable=False),
    Column("trace_number", String(60), nullable=False),
    Column("payer_identifier", String(20), nullable=False),
    UniqueConstraint(
        "practice_id",
        "reference",
        "deposit_date",
        "amount",
        name="uq_deposits_practice_reference_date_amount",
    ),
    Index("ix_deposits_practice_trace", "practice_id", "trace_number"),
)

era_payments = Table(
    "era_payments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=True),
    Column("era_sha256", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("payer_name", String(60), nullable=False),
    Column("trace_number", String(60), nullable=False),
    Column("originating_company", String(20), nullable=False),
    Column("amount", Amount, nullable=False),
    Column("method", String(3), nullable=False),
    Column("payment_date", Date, nullable=True),
    Column("payee_npi", String(10), nullable=False),
    Column("payee_tin", String(9), nullable=False),
    UniqueConstraint("era_sha256", "seq", name="uq_era_payments_era_sha256_seq"),
    Index("ix_era_payments_practice_trace", "practice_id", "trace_number"),
)

deposit_matches = Table(
    "deposit_matches",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("era_payment_id", Id, ForeignKey("era_payments.id"), nullable=False),
    Column("deposit_id", Id, ForeignKey("deposits.id"), nullable=False),
    Column("kind", String(12), nullable=False),
    Column("difference", Amount, nullable=False),
    Column("matched_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("era_payment_id", name="uq_deposit_matches_era_payment_id"),
    UniqueConstraint("deposit_id", name="uq_deposit_matches_deposit_id"),
    Index("ix_deposit_matches_practice", "practice_id"),
)

payer_credits = Table(
    "payer_credits",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("claim_id", String(40), nullable=False),
    Column("line_id", String(40), nullable=False),
    Column("patient_id", String(40), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("payer_class", String(30), nullable=False),
    Column("amount", Amount, nullable=False),
    Column("overpaid_on", Date, nullable=True),
    Column("identified_on", Date, nullable=False),
    Column("deadline", Date, nullable=True),
    Column("status", String(12), nullable=False),
    Column("refunded_amount", Amount, nullable=False),
    Column("refunded_on", Date, nullable=True),
    Column("refund_entry_id", String(40), nullable=False),
    Column("reason", String(400), nullable=False),
    Index("ix_payer_credits_practice_line", "practice_id", "claim_id", "line_id"),
)

accounting_periods = Table(
    "accounting_periods",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("period", String(7), nullable=False),
    Column("status", String(8), nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=False),
    Column("closed_by", String(80), nullable=False),
    Column("reopened_at", DateTime(timezone=True), nullable=True),
    Column("reopened_by", String(80), nullable=False),
    UniqueConstraint("practice_id", "period", name="uq_accounting_periods_practice_period"),
)
