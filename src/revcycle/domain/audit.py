"""An audit entry: who did what to which record, when. Never the values themselves (no PHI)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

ACTIONS = ("create", "update", "delete", "read", "login")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor: str
    channel: str
    action: str
    record_type: str
    record_id: str | None
    practice_id: int | None
    id: int | None = None
