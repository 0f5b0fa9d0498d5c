"""Tables of eligibility verification and the schedule (migration 0009).

- ``appointments``: the minimal schedule: patient, provider, start, planned services (a JSON
  list of ``{"procedure", "units"}``), status.
- ``eligibility_requests``: one row per patient asked about in a 270, stored *before* it is
  sent (state ``pending``), then ``answered`` or ``failed`` (the error kept; it can be sent
  again). ``(practice_id, trace)`` is unique: the trace (TRN02) finds the request a 271 answers.
  ``raw_270`` is the interchange as sent (for a batch, the file's envelope around this one
  set); ``file_name`` names the batch file in the mailbox.
- ``eligibility_responses``: one row per 271 answer received: the raw 271 (for a batch, the
  envelope around its one set), the parsed JSON, the findings (validator and consistency),
  ``usable`` (no error finding), ``active`` (NULL when unknown) and a summary per service type
  with amounts as strings.
- ``eligibility_discrepancies``: per answer, each field where the payer's data differs from the
  registered coverage or patient (registered value vs payer value); the coverage itself is
  never changed by an answer.
- ``eligibility_settings``: the practice's real-time clearinghouse endpoint.
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
    String,
    Table,
    Text,
    UniqueConstraint,
)

from revcycle.db.tables import Id, metadata

appointments = Table(
    "appointments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("patient_id", Id, ForeignKey("patients.id"), nullable=False),
    Column("provider_id", Id, ForeignKey("providers.id"), nullable=False),
    Column("starts_at", DateTime(timezone=False), nullable=False),
    Column("day", Date, nullable=False),
    Column("services", JSON, nullable=False),
    Column("status", String(12), nullable=False),
    Column("note", String(200), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_appointments_practice_day", "practice_id", "day"),
)

eligibility_requests = Table(
    "eligibility_requests",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("patient_id", Id, ForeignKey("patients.id"), nullable=False),
    Column("coverage_id", Id, ForeignKey("coverages.id"), nullable=False),
    Column("appointment_id", Id, ForeignKey("appointments.id"), nullable=True),
    Column("channel", String(10), nullable=False),
    Column("service_types", JSON, nullable=False),
    Column("service_date", Date, nullable=False),
    Column("trace", String(50), nullable=False),
    Column("state", String(10), nullable=False),
    Column("raw_270", Text, nullable=False),
    Column("file_name", String(80), nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("answered_at", DateTime(timezone=True), nullable=True),
    Column("error", String(400), nullable=True),
    UniqueConstraint("practice_id", "trace", name="uq_eligibility_requests_practice_trace"),
    Index("ix_eligibility_requests_practice_state", "practice_id", "state"),
    Index("ix_eligibility_requests_practice_coverage", "practice_id", "coverage_id"),
)

eligibility_responses = Table(
    "eligibility_responses",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("request_id", Id, ForeignKey("eligibility_requests.id"), nullable=False),
    Column("inbound_file_id", Id, ForeignKey("inbound_files.id"), nullable=True),
    Column("raw_271", Text, nullable=False),
    Column("parsed", JSON, nullable=False),
    Column("findings", JSON, nullable=False),
    Column("summary", JSON, nullable=False),
    Column("usable", Boolean, nullable=False),
    Column("active", Boolean, nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Index("ix_eligibility_responses_practice_request", "practice_id", "request_id"),
)

eligibility_discrepancies = Table(
    "eligibility_discrepancies",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("patient_id", Id, ForeignKey("patients.id"), nullable=False),
    Column("coverage_id", Id, ForeignKey("coverages.id"), nullable=False),
    Column("response_id", Id, ForeignKey("eligibility_responses.id"), nullable=False),
    Column("field", String(30), nullable=False),
    Column("registered", String(120), nullable=False),
    Column("payer", String(120), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_eligibility_discrepancies_practice_patient", "practice_id", "patient_id"),
)

eligibility_settings = Table(
    "eligibility_settings",
    metadata,
    Column("practice_id", Id, ForeignKey("practices.id"), primary_key=True, autoincrement=False),
    Column("realtime_url", String(300), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
