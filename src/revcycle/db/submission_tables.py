"""Tables of claim submission, inbound responses and background jobs (migration 0004).

- ``submissions``: one row per 837 interchange revcycle sends. The bytes, their SHA-256 and the
  control numbers are written once and never updated; only ``state`` (prepared -> transmitted
  -> done), its timestamps and the acknowledgment outcome change.
- ``submission_claims``: which claim went in which submission (and transaction set): every
  attempt of a claim is a row, kept forever.
- ``claims_in_flight``: a claim is in at most one unfinished submission (primary key); the row
  lives from "prepared" to "done", so two batches can never carry the same claim at once.
- ``inbound_files``: every response file fetched, stored once (unique content hash), with the
  practice it was routed to (none while unmatched) and whether it was applied.
- ``claim_responses``: what each response said about each claim (accepted, rejected, paid...).
- ``remittances`` / ``remittance_claims``: 835s as received, a summary per claim, for posting.
- ``jobs``: background work recorded in the transaction that caused it.
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
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
)

from revcycle.db.tables import Amount, Id, metadata

submissions = Table(
    "submissions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("route", String(40), nullable=False),
    Column("kind", String(1), nullable=False),
    Column("file_name", String(120), nullable=False),
    Column("sender_id", String(15), nullable=False),
    Column("receiver_id", String(15), nullable=False),
    Column("interchange_control_number", BigInteger, nullable=False),
    Column("group_control_number", BigInteger, nullable=False),
    Column("set_control_numbers", JSON, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("byte_size", Integer, nullable=False),
    Column("claim_count", Integer, nullable=False),
    Column("total_charge", Amount, nullable=False),
    Column("state", String(12), nullable=False),
    Column("ack_status", String(20), nullable=True),
    Column("actor", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("transmitted_at", DateTime(timezone=True), nullable=True),
    Column("completed_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("practice_id", "file_name", name="uq_submissions_practice_file"),
    Index("ix_submissions_practice_state", "practice_id", "state"),
    Index("ix_submissions_practice_isa", "practice_id", "interchange_control_number"),
    Index("ix_submissions_practice_gs", "practice_id", "group_control_number"),
)

submission_claims = Table(
    "submission_claims",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("submission_id", Id, ForeignKey("submissions.id"), nullable=False),
    Column("claim_id", Id, ForeignKey("claims.id"), nullable=False),
    Column("patient_control_number", String(20), nullable=False),
    Column("set_control_number", String(9), nullable=False),
    UniqueConstraint("submission_id", "claim_id", name="uq_submission_claims_submission_claim"),
    Index("ix_submission_claims_practice_claim", "practice_id", "claim_id"),
)

claims_in_flight = Table(
    "claims_in_flight",
    metadata,
    Column("claim_id", Id, ForeignKey("claims.id"), primary_key=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("submission_id", Id, ForeignKey("submissions.id"), nullable=False),
    Index("ix_claims_in_flight_submission", "submission_id"),
)

inbound_files = Table(
    "inbound_files",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=True),
    Column("mailbox_name", String(200), nullable=False),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("content", LargeBinary, nullable=False),
    Column("byte_size", Integer, nullable=False),
    Column("kind", String(12), nullable=False),
    Column("sender_id", String(15), nullable=False),
    Column("receiver_id", String(15), nullable=False),
    Column("interchange_control_number", String(9), nullable=False),
    Column("state", String(12), nullable=False),
    Column("summary", JSON, nullable=False),
    Column("notes", JSON, nullable=True),
    Column("error", String(1000), nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=True),
    Index("ix_inbound_files_state", "state"),
    Index("ix_inbound_files_practice_state", "practice_id", "state"),
)

claim_responses = Table(
    "claim_responses",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("claim_id", Id, ForeignKey("claims.id"), nullable=False),
    Column("inbound_file_id", Id, ForeignKey("inbound_files.id"), nullable=False),
    Column("submission_id", Id, ForeignKey("submissions.id"), nullable=True),
    Column("kind", String(12), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("payer_claim_number", String(50), nullable=True),
    Column("detail", String(1000), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_claim_responses_practice_claim", "practice_id", "claim_id"),
)

remittances = Table(
    "remittances",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("inbound_file_id", Id, ForeignKey("inbound_files.id"), nullable=False),
    Column("set_index", Integer, nullable=False),
    Column("set_control_number", String(9), nullable=False),
    Column("payer_name", String(60), nullable=False),
    Column("payer_identifier", String(80), nullable=False),
    Column("payee_identifier", String(80), nullable=False),
    Column("trace_number", String(50), nullable=False),
    Column("payment_amount", Amount, nullable=False),
    Column("payment_method", String(3), nullable=False),
    Column("payment_date", Date, nullable=True),
    Column("provider_adjustments", Amount, nullable=False),
    Column("claim_count", Integer, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("inbound_file_id", "set_index", name="uq_remittances_file_set"),
    Index("ix_remittances_practice_trace", "practice_id", "trace_number"),
)

remittance_claims = Table(
    "remittance_claims",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("remittance_id", Id, ForeignKey("remittances.id"), nullable=False),
    Column("claim_id", Id, ForeignKey("claims.id"), nullable=True),
    Column("patient_control_number", String(38), nullable=False),
    Column("status_code", String(2), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("charge", Amount, nullable=False),
    Column("paid", Amount, nullable=False),
    Column("patient_responsibility", Amount, nullable=True),
    Column("payer_claim_number", String(50), nullable=False),
    Column("detail", JSON, nullable=False),
    Index("ix_remittance_claims_practice_claim", "practice_id", "claim_id"),
    Index("ix_remittance_claims_remittance", "remittance_id"),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=True),
    Column("kind", String(40), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("state", String(10), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("run_after", DateTime(timezone=True), nullable=False),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Column("error", String(1000), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_jobs_state_run_after", "state", "run_after"),
)
