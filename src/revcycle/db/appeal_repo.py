"""Appeals, attachments, write-off requests and settings of one practice (denial actions).

``action_store(uow)`` binds the ``ActionStore`` port of ``services.denial_actions`` to the
connection of a ``SqlUnitOfWork``, so an action, its ledger entries, the claim's history and
the denial's events commit together. It also edits encounter lines (a corrected claim) and
reads a claim's journal entries and the unpaid claims (timely filing), which the general ports
do not offer.

Every query carries the practice id (tenant isolation).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select, update

from revcycle.db import tables
from revcycle.db.appeal_tables import (
    appeals,
    denial_action_settings,
    denial_attachments,
    write_off_requests,
)
from revcycle.db.ledger_repo import LedgerRepository
from revcycle.db.uow import bound
from revcycle.domain.errors import NotFound
from revcycle.domain.ledger import JournalEntry
from revcycle.domain.money import Money
from revcycle.services.denial_actions import (
    ActionSettings,
    Appeal,
    Attachment,
    FilingCandidate,
    WriteOffRequest,
)
from revcycle.services.ports import Clock, UnitOfWork

#: Claim states that still wait for a payer's money (or were never sent).
UNPAID = (
    "draft",
    "scrubbed_errors",
    "scrubbed_clean",
    "ready",
    "submitted",
    "accepted",
    "rejected",
    "denied",
    "appealed",
)
_SENT = frozenset({"submitted", "accepted", "denied", "appealed"})


def _money(value: Any) -> Money | None:
    return Money(Decimal(value)) if value is not None else None


def _appeal(r: Any) -> Appeal:
    return Appeal(
        denial_id=r.denial_id,
        claim_id=r.claim_id,
        level=r.level,
        level_name=r.level_name,
        category=r.category,
        deadline=r.deadline,
        argument=r.argument,
        actor=r.actor,
        created_at=r.created_at,
        status=r.status,
        letter=r.letter,
        file_name=r.file_name,
        submitted_at=r.submitted_at,
        outcome=r.outcome,
        recovered=_money(r.recovered),
        decided_on=r.decided_on,
        note=r.note,
        id=r.id,
    )


def _attachment(r: Any) -> Attachment:
    return Attachment(
        claim_id=r.claim_id,
        name=r.name,
        kind=r.kind,
        report_type=r.report_type,
        attachment_id=r.attachment_id,
        content_type=r.content_type,
        size=r.size,
        sha256=r.sha256,
        actor=r.actor,
        created_at=r.created_at,
        content=r.content,
        path=r.path,
        denial_id=r.denial_id,
        appeal_id=r.appeal_id,
        id=r.id,
    )


def _write_off(r: Any) -> WriteOffRequest:
    return WriteOffRequest(
        claim_id=r.claim_id,
        amount=Money(Decimal(r.amount)),
        reason_code=r.reason_code,
        note=r.note,
        requested_by=r.requested_by,
        requested_at=r.requested_at,
        status=r.status,
        denial_id=r.denial_id,
        line_id=r.line_id,
        decided_by=r.decided_by,
        decided_at=r.decided_at,
        id=r.id,
    )


class ActionRepository:
    """The denial action tables of one practice, on one connection."""

    def __init__(self, conn: Connection, practice_id: int, clock: Clock) -> None:
        self.conn = conn
        self.practice_id = practice_id
        self.clock = clock

    # -- settings ---------------------------------------------------------------------------

    def settings(self) -> ActionSettings:
        t = denial_action_settings
        row = self.conn.execute(select(t).where(t.c.practice_id == self.practice_id)).first()
        if row is None:
            return ActionSettings()
        return ActionSettings(Money(Decimal(row.write_off_approval_threshold)), row.attachment_dir)

    def save_settings(self, settings: ActionSettings) -> None:
        t = denial_action_settings
        values = {
            "write_off_approval_threshold": settings.write_off_approval_threshold.amount,
            "attachment_dir": settings.attachment_dir,
            "updated_at": self.clock.now(),
        }
        done = self.conn.execute(
            update(t).where(t.c.practice_id == self.practice_id).values(**values)
        )
        if done.rowcount == 0:
            self.conn.execute(insert(t).values(practice_id=self.practice_id, **values))

    # -- appeals ----------------------------------------------------------------------------

    def add_appeal(self, appeal: Appeal) -> Appeal:
        new_id = self.conn.execute(
            insert(appeals).values(
                practice_id=self.practice_id,
                denial_id=appeal.denial_id,
                claim_id=appeal.claim_id,
                level=appeal.level,
                level_name=appeal.level_name[:60],
                category=appeal.category,
                deadline=appeal.deadline,
                argument=appeal.argument,
                letter=appeal.letter,
                status=appeal.status,
                file_name=appeal.file_name,
                submitted_at=appeal.submitted_at,
                outcome=appeal.outcome,
                recovered=appeal.recovered.amount if appeal.recovered is not None else None,
                decided_on=appeal.decided_on,
                note=appeal.note,
                actor=appeal.actor[:100],
                created_at=appeal.created_at,
            )
        ).inserted_primary_key
        assert new_id is not None
        return self.appeal(int(new_id[0]))

    def update_appeal(self, appeal: Appeal) -> None:
        t = appeals
        self.conn.execute(
            update(t)
            .where(t.c.practice_id == self.practice_id, t.c.id == appeal.id)
            .values(
                status=appeal.status,
                file_name=appeal.file_name,
                submitted_at=appeal.submitted_at,
                outcome=appeal.outcome,
                recovered=appeal.recovered.amount if appeal.recovered is not None else None,
                decided_on=appeal.decided_on,
                note=appeal.note,
            )
        )

    def appeal(self, appeal_id: int) -> Appeal:
        t = appeals
        row = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id, t.c.id == appeal_id)
        ).first()
        if row is None:
            raise NotFound("appeal", appeal_id)
        return _appeal(row)

    def appeals(self, *, denial_id: int | None = None, claim_id: int | None = None) -> list[Appeal]:
        t = appeals
        query = select(t).where(t.c.practice_id == self.practice_id)
        if denial_id is not None:
            query = query.where(t.c.denial_id == denial_id)
        if claim_id is not None:
            query = query.where(t.c.claim_id == claim_id)
        return [_appeal(r) for r in self.conn.execute(query.order_by(t.c.id))]

    # -- attachments ------------------------------------------------------------------------

    def add_attachment(self, attachment: Attachment) -> Attachment:
        a = attachment
        new_id = self.conn.execute(
            insert(denial_attachments).values(
                practice_id=self.practice_id,
                claim_id=a.claim_id,
                denial_id=a.denial_id,
                appeal_id=a.appeal_id,
                name=a.name,
                kind=a.kind,
                report_type=a.report_type,
                attachment_id=a.attachment_id,
                content_type=a.content_type,
                size=a.size,
                sha256=a.sha256,
                content=a.content,
                path=a.path,
                actor=a.actor[:100],
                created_at=a.created_at,
            )
        ).inserted_primary_key
        assert new_id is not None
        return self.attachments(ids=[int(new_id[0])])[0]

    def link_attachments(self, ids: Sequence[int], appeal_id: int) -> None:
        t = denial_attachments
        self.conn.execute(
            update(t)
            .where(t.c.practice_id == self.practice_id, t.c.id.in_(list(ids)))
            .values(appeal_id=appeal_id)
        )

    def attachments(
        self, claim_id: int | None = None, *, ids: Sequence[int] = (), appeal_id: int | None = None
    ) -> list[Attachment]:
        t = denial_attachments
        query = select(t).where(t.c.practice_id == self.practice_id)
        if claim_id is not None:
            query = query.where(t.c.claim_id == claim_id)
        if ids:
            query = query.where(t.c.id.in_(list(ids)))
        if appeal_id is not None:
            query = query.where(t.c.appeal_id == appeal_id)
        return [_attachment(r) for r in self.conn.execute(query.order_by(t.c.id))]

    # -- write-offs -------------------------------------------------------------------------

    def add_write_off(self, request: WriteOffRequest) -> WriteOffRequest:
        r = request
        new_id = self.conn.execute(
            insert(write_off_requests).values(
                practice_id=self.practice_id,
                denial_id=r.denial_id,
                claim_id=r.claim_id,
                line_id=r.line_id,
                amount=r.amount.amount,
                reason_code=r.reason_code,
                note=r.note,
                status=r.status,
                requested_by=r.requested_by[:100],
                requested_at=r.requested_at,
                decided_by=r.decided_by,
                decided_at=r.decided_at,
            )
        ).inserted_primary_key
        assert new_id is not None
        return self.write_off(int(new_id[0]))

    def update_write_off(self, request: WriteOffRequest) -> None:
        t = write_off_requests
        self.conn.execute(
            update(t)
            .where(t.c.practice_id == self.practice_id, t.c.id == request.id)
            .values(
                status=request.status,
                decided_by=(request.decided_by or "")[:100] or None,
                decided_at=request.decided_at,
            )
        )

    def write_off(self, request_id: int) -> WriteOffRequest:
        t = write_off_requests
        row = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id, t.c.id == request_id)
        ).first()
        if row is None:
            raise NotFound("write-off request", request_id)
        return _write_off(row)

    def write_offs(self, status: str | None = None) -> list[WriteOffRequest]:
        t = write_off_requests
        query = select(t).where(t.c.practice_id == self.practice_id)
        if status is not None:
            query = query.where(t.c.status == status)
        return [_write_off(r) for r in self.conn.execute(query.order_by(t.c.id))]

    # -- claims and the ledger --------------------------------------------------------------

    def edit_encounter_line(
        self, encounter_line_id: int, modifiers: tuple[str, ...], procedure: str
    ) -> None:
        t = tables.encounter_lines
        done = self.conn.execute(
            update(t)
            .where(t.c.practice_id == self.practice_id, t.c.id == encounter_line_id)
            .values(modifiers=",".join(modifiers), procedure=procedure)
        )
        if done.rowcount == 0:
            raise NotFound("encounter line", encounter_line_id)

    def claim_entries(self, claim_id: str) -> list[JournalEntry]:
        return LedgerRepository(self.conn).entries_for_claim(self.practice_id, claim_id)

    def unpaid_claims(self) -> list[FilingCandidate]:
        c, e, p = tables.claims, tables.encounters, tables.payers
        rows = self.conn.execute(
            select(
                c.c.id,
                c.c.patient_control_number,
                c.c.status,
                c.c.total_charge,
                e.c.dos_from,
                p.c.name,
                p.c.payer_id,
                p.c.timely_filing_days,
            )
            .select_from(c.join(e, e.c.id == c.c.encounter_id).join(p, p.c.id == c.c.payer_ref))
            .where(c.c.practice_id == self.practice_id, c.c.status.in_(UNPAID))
            .order_by(c.c.id)
        )
        out = []
        for r in rows:
            day: date = r.dos_from
            out.append(
                FilingCandidate(
                    claim_id=r.id,
                    patient_control_number=r.patient_control_number,
                    status=r.status,
                    service_date=day,
                    payer_name=r.name,
                    payer_code=r.payer_id,
                    limit_days=int(r.timely_filing_days),
                    total_charge=Money(Decimal(r.total_charge)),
                    submitted=r.status in _SENT,
                )
            )
        return out


def action_store(uow: UnitOfWork) -> ActionRepository:
    """The denial action store on ``uow``'s connection (inside its transaction)."""
    b = bound(uow, "action_store")
    return ActionRepository(b.conn, b.practice_id, b.clock)
