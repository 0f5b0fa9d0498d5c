"""Tables of the ledger and of ERA posting (migration 0005).

- ``journal_entries``: one row per balanced journal entry (charge, insurance payment, PLB...),
  identified by ``(practice_id, entry_id)``; written once, never updated. A reversal is a new
  entry naming the one it undoes in ``reverses``.
- ``postings``: the legs of an entry. The account key is spread over columns (kind, patient,
  claim, line, party as ``payer:<id>`` / ``patient``); ``amount`` is a debit when positive and
  a credit when negative, so every balance is ``SUM(amount)`` and every entry's legs sum to 0.
- ``era_postings``: every 835 file ``revcycle era post`` saw, stored once by content hash, with
  its sender, control numbers and trace numbers (the idempotency key of a posted file), its
  status (``posted`` / ``rejected``) and the JSON summary. It is written in the transaction
  that posts the file's entries, so a file is either fully posted and recorded, or neither.
- ``ledger_day_totals`` (migration 0017): a roll-up of ``postings`` for the reports, one row per
  (account kind, party, effective date) per ``add_entries`` call holding the call's
  ``SUM(amount)`` for that key. Rows are only ever inserted, in the transaction that inserts the
  postings, never updated: two workers posting at once each add their own rows instead of
  waiting on one counter row, and a key's total is ``SUM(amount)`` over its rows, the same as
  over its postings.
- ``receivable_day_totals`` (migration 0017): the same for the receivable postings alone, by
  (claim, party, patient, effective date): a claim's open balance by party at a date (the A/R
  aging) from about two rows a claim (its charge day and its payment day) instead of one
  posting per line and entry.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    UniqueConstraint,
)

from revcycle.db.tables import Amount, Id, metadata

journal_entries = Table(
    "journal_entries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("entry_id", String(40), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("effective_date", Date, nullable=True),
    Column("claim_id", String(40), nullable=False),
    Column("source", String(120), nullable=False),
    Column("reference", String(120), nullable=False),
    Column("memo", String(400), nullable=False),
    Column("reverses", String(40), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("practice_id", "entry_id", name="uq_journal_entries_practice_entry"),
    Index("ix_journal_entries_practice_claim", "practice_id", "claim_id"),
    Index("ix_journal_entries_practice_reverses", "practice_id", "reverses"),
    # Reports (migration 0015): a claim's charge date, the payments of a range, the first date.
    Index(
        "ix_journal_entries_practice_kind_claim",
        "practice_id",
        "kind",
        "claim_id",
        "effective_date",
    ),
    Index("ix_journal_entries_practice_date", "practice_id", "effective_date"),
)

postings = Table(
    "postings",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("entry_id", String(40), nullable=False),
    Column("account_kind", String(32), nullable=False),
    Column("patient_id", String(40), nullable=False),
    Column("claim_id", String(40), nullable=False),
    Column("line_id", String(40), nullable=False),
    Column("party", String(90), nullable=False),
    Column("amount", Amount, nullable=False),
    Column("reason", String(40), nullable=False),
    # A copy of the entry's effective date (migration 0015): reports filter postings by date
    # without joining a million legs to their entries. Written with the entry, never changed.
    Column("effective_date", Date, nullable=True),
    Index("ix_postings_practice_entry", "practice_id", "entry_id"),
    Index("ix_postings_practice_claim_line", "practice_id", "claim_id", "line_id"),
    Index("ix_postings_practice_patient", "practice_id", "patient_id"),
    # Reports (migration 0015), covering so the database reads no table rows: an account's
    # totals over a date range, and an account per claim (A/R aging, first payment).
    Index(
        "ix_postings_report_by_date",
        "practice_id",
        "account_kind",
        "effective_date",
        "party",
        "amount",
    ),
    Index(
        "ix_postings_report_by_claim",
        "practice_id",
        "account_kind",
        "claim_id",
        "party",
        "effective_date",
        "patient_id",
        "amount",
    ),
)

ledger_day_totals = Table(
    "ledger_day_totals",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("account_kind", String(32), nullable=False),
    Column("party", String(90), nullable=False),
    Column("effective_date", Date, nullable=True),
    Column("amount", Amount, nullable=False),
    # Covering, as ix_postings_report_by_date: an account's totals over a date range.
    Index(
        "ix_ledger_day_totals_report",
        "practice_id",
        "account_kind",
        "effective_date",
        "party",
        "amount",
    ),
)

receivable_day_totals = Table(
    "receivable_day_totals",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("claim_id", String(40), nullable=False),
    Column("party", String(90), nullable=False),
    Column("patient_id", String(40), nullable=False),
    Column("effective_date", Date, nullable=True),
    Column("amount", Amount, nullable=False),
    # Covering, as ix_postings_report_by_claim: balances per claim and party at a date.
    Index(
        "ix_receivable_day_totals_report",
        "practice_id",
        "claim_id",
        "party",
        "effective_date",
        "patient_id",
        "amount",
    ),
)

era_postings = Table(
    "era_postings",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=True),
    Column("sha256", String(64), nullable=False),
    Column("sender_id", String(15), nullable=False),
    Column("interchange_control_number", String(9), nullable=False),
    Column("group_control_number", String(9), nullable=False),
    Column("set_control_numbers", String(200), nullable=False),
    Column("trace_numbers", String(400), nullable=False),
    Column("status", String(12), nullable=False),
    Column("summary", JSON, nullable=False),
    Column("posted_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("sha256", name="uq_era_postings_sha256"),
    Index(
        "ix_era_postings_identity",
        "sender_id",
        "interchange_control_number",
        "group_control_number",
        "trace_numbers",
    ),
)
