"""Tables of denial actions (migration 0013): appeals, attachments, write-off approvals,
settings.

- ``appeals``: one row per appeal of a denial at one level (1 = first), with its category,
  deadline, the argument, the letter as printed (PDF bytes), how and when it was sent (the
  mailbox file name) and its outcome (``overturned``, ``upheld``, ``partial``) with the amount
  recovered. ``(practice_id, denial_id, level)`` is unique: a level is appealed once.
- ``denial_attachments``: supporting documents of a claim (medical records, proof of timely
  filing, ...): the bytes in ``content`` or a ``path`` under the practice's attachment
  directory, always with their SHA-256 and size; the PWK report type and control number
  (``attachment_id``) under which they go with the claim; optionally the appeal they were sent
  with.
- ``write_off_requests``: a write-off asked for on a denial's claim (or line): amount, reason
  code, state ``pending`` -> ``approved`` (posted) or ``refused``; who asked, who decided.
  Nothing is posted to the ledger while pending.
- ``denial_action_settings``: per practice, the write-off amount above which a manager must
  approve (absent: 100.00) and the directory for attachment files (absent: stored in the row).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from revcycle.db.tables import Amount, Id, metadata

appeals = Table(
    "appeals",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("denial_id", Id, ForeignKey("denials.id"), nullable=False),
    Column("claim_id", Id, ForeignKey("claims.id"), nullable=False),
    Column("level", Integer, nullable=False),
    Column("level_name", String(60), nullable=False),
    Column("category", String(30), nullable=False),
    Column("deadline", Date, nullable=True),
    Column("argument", Text, nullable=False),
    Column("letter", LargeBinary, nullable=True),
    Column("status", String(12), nullable=False),
    Column("file_name", String(200), nullable=True),
    Column("submitted_at", DateTime(timezone=True), nullable=True),
    Column("outcome", String(12), nullable=True),
    Column("recovered", Amount, nullable=True),
    Column("decided_on", Date, nullable=True),
    Column("note", String(1000), nullable=True),
    Column("actor", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("practice_id", "denial_id", "level", name="uq_appeals_practice_denial_level"),
    Index("ix_appeals_practice_claim", "practice_id", "claim_id"),
)

denial_attachments = Table(
    "denial_attachments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("claim_id", Id, ForeignKey("claims.id"), nullable=False),
    Column("denial_id", Id, ForeignKey("denials.id"), nullable=True),
    Column("appeal_id", Id, ForeignKey("appeals.id"), nullable=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("report_type", String(2), nullable=False),
    Column("attachment_id", String(50), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=True),
    Column("path", String(500), nullable=True),
    Column("actor", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_denial_attachments_practice_claim", "practice_id", "claim_id"),
)

write_off_requests = Table(
    "write_off_requests",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, ForeignKey("practices.id"), nullable=False),
    Column("denial_id", Id, ForeignKey("denials.id"), nullable=True),
    Column("claim_id", Id, ForeignKey("claims.id"), nullable=False),
    Column("line_id", Id, nullable=True),
    Column("amount", Amount, nullable=False),
    Column("reason_code", String(30), nullable=False),
    Column("note", String(1000), nullable=False),
    Column("status", String(10), nullable=False),
    Column("requested_by", String(100), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", String(100), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Index("ix_write_off_requests_practice_status", "practice_id", "status"),
)

denial_action_settings = Table(
    "denial_action_settings",
    metadata,
    Column("practice_id", Id, ForeignKey("practices.id"), primary_key=True, autoincrement=False),
    Column("write_off_approval_threshold", Amount, nullable=False),
    Column("attachment_dir", String(500), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
