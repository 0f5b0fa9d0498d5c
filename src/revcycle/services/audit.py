"""Reading the audit log: for admins and managers, of their own practice only."""

from __future__ import annotations

from collections.abc import Sequence

from revcycle.domain.audit import AuditEntry
from revcycle.domain.user import READ_AUDIT
from revcycle.services.context import Context


def audit_entries(
    ctx: Context, *, record_type: str | None = None, record_id: str | None = None, limit: int = 100
) -> Sequence[AuditEntry]:
    ctx.require(READ_AUDIT)
    assert ctx.practice_id is not None
    with ctx.uow() as uow:
        return uow.audit.entries(
            ctx.practice_id, record_type=record_type, record_id=record_id, limit=limit
        )
