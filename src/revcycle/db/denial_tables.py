"""Tables of denial records and their history (migration 0012).

- ``denials``: one row per denied claim (``line_id`` NULL, ``line_key`` 0) or claim line
  (``line_key`` = the line id). ``(practice_id, source, source_ref, claim_id, line_key)`` is
  unique: applying a source twice inserts nothing. ``priority`` (dollars x urgency, stored) and
  ``id`` order the work queue; the index ``(practice_id, status, priority, id)`` serves a keyset
  page over a million rows (``(practice_id, priority, id)`` when several statuses are asked
  for), ``deadline`` (the nearest deadline for the action) serves
  "due before", and ``(practice_id, claim_id)`` finds a claim's denials.
- ``denial_events``: the history of a denial (created, assigned, note, follow_up, status
  changes, and the actions of later modules), written once, never updated.
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
    UniqueConstraint,
)

from revcycle.db.tables import Amount, Id, metadata

denials = Table(
    "denials",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("claim_id", Id, ForeignKey("claims.id"), nullable=False),
    Column("line_id", Id, nullable=True),
    Column("line_key", Id, nullable=False),
    Column("source", String(8), nullable=False),
    Column("source_ref", String(120), nullable=False),
    Column("payer_id", Id, ForeignKey("payers.id"), nullable=True),
    Column("payer_claim_number", String(50), nullable=True),
    Column("carcs", JSON, nullable=False),
    Column("rarcs", JSON, nullable=False),
    Column("category", String(30), nullable=False),
    Column("action", String(16), nullable=False),
    Column("amount", Amount, nullable=False),
    Column("denied_on", Date, nullable=False),
    Column("timely_filing_deadline", Date, nullable=True),
    Column("appeal_deadline", Date, nullable=True),
    Column("deadline", Date, nullable=True),
    Column("appeal_level", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("priority", BigInteger, nullable=False),
    Column("owner", String(80), nullable=True),
    Column("follow_up", Date, nullable=True),
    Column("resolution", String(1000), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint(
        "practice_id",
        "source",
        "source_ref",
        "claim_id",
        "line_key",
        name="uq_denials_practice_source",
    ),
    Index("ix_denials_practice_status_priority", "practice_id", "status", "priority", "id"),
    Index("ix_denials_practice_priority", "practice_id", "priority", "id"),
    Index("ix_denials_practice_claim", "practice_id", "claim_id"),
    Index("ix_denials_practice_deadline", "practice_id", "deadline"),
)

denial_events = Table(
    "denial_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("denial_id", Id, ForeignKey("denials.id"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(30), nullable=False),
    Column("note", String(2000), nullable=True),
    Index("ix_denial_events_denial", "denial_id"),
)
