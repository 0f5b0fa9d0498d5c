"""Tables of claim status follow-up (migration 0011): 276 inquiries, 277 answers, settings.

- ``claim_status_inquiries``: one row per 276 asked about one claim: its trace (TRN02, unique
  per practice, echoed by the payer), how it went (``realtime`` or ``batch`` with the mailbox
  file), the exact 276 interchange, and its state ``pending`` -> ``answered`` | ``failed``
  (with the error, the number of attempts and when it was last sent). A failed inquiry keeps
  its request, so it can be sent again unchanged.
- ``claim_status_responses``: one row per claim status of a 277: category, status code,
  entity, effective date, charge, paid, check or EFT number and date, the payer's claim number
  and the whole ``StatusInfo`` as JSON (amounts as strings); the raw 277 for a real-time answer,
  the inbound file for a batch one.
- ``claim_status_settings``: per payer, after how many quiet days a claim is asked about and
  how long to wait before asking again (absent: 30 and 7 days).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from revcycle.db.tables import Amount, Id, metadata

claim_status_inquiries = Table(
    "claim_status_inquiries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("claim_id", Id, ForeignKey("claims.id"), nullable=False),
    Column("trace", String(50), nullable=False),
    Column("mode", String(10), nullable=False),
    Column("state", String(10), nullable=False),
    Column("request", Text, nullable=False),
    Column("interchange_control_number", BigInteger, nullable=False),
    Column("file_name", String(120), nullable=True),
    Column("error", String(1000), nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("answered_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("practice_id", "trace", name="uq_claim_status_inquiries_practice_trace"),
    Index("ix_claim_status_inquiries_practice_claim", "practice_id", "claim_id"),
    Index("ix_claim_status_inquiries_practice_state", "practice_id", "state"),
)

claim_status_responses = Table(
    "claim_status_responses",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("claim_id", Id, ForeignKey("claims.id"), nullable=False),
    Column("inquiry_id", Id, ForeignKey("claim_status_inquiries.id"), nullable=True),
    Column("inbound_file_id", Id, ForeignKey("inbound_files.id"), nullable=True),
    Column("trace", String(50), nullable=False),
    Column("category", String(3), nullable=False),
    Column("status_code", String(10), nullable=False),
    Column("entity", String(3), nullable=False),
    Column("effective_date", Date, nullable=True),
    Column("charge", Amount, nullable=True),
    Column("paid", Amount, nullable=True),
    Column("check_number", String(50), nullable=False),
    Column("check_date", Date, nullable=True),
    Column("payer_claim_number", String(50), nullable=False),
    Column("info", JSON, nullable=False),
    Column("raw", Text, nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Index("ix_claim_status_responses_practice_claim", "practice_id", "claim_id"),
)

claim_status_settings = Table(
    "claim_status_settings",
    metadata,
    Column("practice_id", Id, ForeignKey("practices.id"), primary_key=True, autoincrement=False),
    Column("payer_ref", Id, ForeignKey("payers.id"), primary_key=True, autoincrement=False),
    Column("after_days", Integer, nullable=False),
    Column("repeat_days", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
