"""Claim status inquiries, answers and follow-up settings of one practice.

``status_store(uow)`` binds the ``StatusStore`` port of ``services.claim_status`` to the
connection of a ``SqlUnitOfWork``, so an answer, the claim's history event and the work item
it opens commit together. ``apply_277`` is the inbox applier of transaction type ``277``
(registered in ``services.inbox.APPLIERS``): the service's applier with this store.

Every query carries the practice id (tenant isolation); a trace is unique per practice, so
an inquiry is found again by the trace the payer echoes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, select, update

from revcycle.db import submission_tables as st
from revcycle.db import tables
from revcycle.db.bulk import insert_rows
from revcycle.db.claim_status_tables import (
    claim_status_inquiries,
    claim_status_responses,
    claim_status_settings,
)
from revcycle.db.uow import bound
from revcycle.domain.errors import NotFound
from revcycle.domain.money import Money
from revcycle.services import claim_status as service
from revcycle.services.claim_status import (
    FollowUpSetting,
    QuietClaim,
    StatusAnswer,
    StatusInquiry,
)
from revcycle.services.context import Context
from revcycle.services.ports import Clock, InboundFile, UnitOfWork

_CHUNK = 500
_IDS = 10_000  # ids per IN list (PostgreSQL takes at most 65,535 parameters)


def _money(value: Any) -> Money | None:
    return Money(Decimal(value)) if value is not None else None


def _inquiry(r: Any) -> StatusInquiry:
    return StatusInquiry(
        claim_id=r.claim_id,
        trace=r.trace,
        mode=r.mode,
        request=r.request,
        interchange_control_number=r.interchange_control_number,
        created_at=r.created_at,
        actor=r.actor,
        state=r.state,
        file_name=r.file_name,
        error=r.error,
        attempts=r.attempts,
        sent_at=r.sent_at,
        answered_at=r.answered_at,
        id=r.id,
    )


def _answer(r: Any) -> StatusAnswer:
    return StatusAnswer(
        claim_id=r.claim_id,
        trace=r.trace,
        category=r.category,
        status_code=r.status_code,
        entity=r.entity,
        effective_date=r.effective_date,
        charge=_money(r.charge),
        paid=_money(r.paid),
        check_number=r.check_number,
        check_date=r.check_date,
        payer_claim_number=r.payer_claim_number,
        info=r.info,
        received_at=r.received_at,
        inquiry_id=r.inquiry_id,
        inbound_file_id=r.inbound_file_id,
        raw=r.raw,
        id=r.id,
    )


class StatusRepository:
    """The claim status tables of one practice, on one connection."""

    def __init__(self, conn: Connection, practice_id: int, clock: Clock) -> None:
        self.conn = conn
        self.practice_id = practice_id
        self.clock = clock

    # -- inquiries --------------------------------------------------------------------------

    @staticmethod
    def _values(i: StatusInquiry) -> dict[str, Any]:
        return {
            "claim_id": i.claim_id,
            "trace": i.trace,
            "mode": i.mode,
            "state": i.state,
            "request": i.request,
            "interchange_control_number": i.interchange_control_number,
            "file_name": i.file_name,
            "error": i.error,
            "attempts": i.attempts,
            "actor": i.actor[:100],
            "created_at": i.created_at,
            "sent_at": i.sent_at,
            "answered_at": i.answered_at,
        }

    def add_inquiries(self, items: Sequence[StatusInquiry]) -> list[StatusInquiry]:
        if not items:
            return []
        t = claim_status_inquiries
        insert_rows(
            self.conn, t, [{"practice_id": self.practice_id, **self._values(i)} for i in items]
        )
        found = self.by_traces([i.trace for i in items])
        return [found[i.trace] for i in items]

    def update_inquiries(self, items: Sequence[StatusInquiry]) -> None:
        if not items:
            return
        t = claim_status_inquiries
        statement = (
            update(t)
            .where(t.c.practice_id == self.practice_id, t.c.id == bindparam("_id"))
            .values(
                state=bindparam("state"),
                error=bindparam("error"),
                attempts=bindparam("attempts"),
                file_name=bindparam("file_name"),
                sent_at=bindparam("sent_at"),
                answered_at=bindparam("answered_at"),
            )
        )
        self.conn.execute(
            statement,
            [
                {
                    "_id": i.id,
                    "state": i.state,
                    "error": i.error,
                    "attempts": i.attempts,
                    "file_name": i.file_name,
                    "sent_at": i.sent_at,
                    "answered_at": i.answered_at,
                }
                for i in items
            ],
        )

    def inquiry(self, id: int) -> StatusInquiry:
        t = claim_status_inquiries
        row = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id, t.c.id == id)
        ).first()
        if row is None:
            raise NotFound("claim status inquiry", id)
        return _inquiry(row)

    def by_traces(self, traces: Sequence[str]) -> dict[str, StatusInquiry]:
        t = claim_status_inquiries
        out: dict[str, StatusInquiry] = {}
        wanted = sorted(set(traces))
        for start in range(0, len(wanted), _CHUNK):
            rows = self.conn.execute(
                select(t).where(
                    t.c.practice_id == self.practice_id,
                    t.c.trace.in_(wanted[start : start + _CHUNK]),
                )
            )
            for r in rows:
                out[r.trace] = _inquiry(r)
        return out

    def inquiries(
        self, *, claim_id: int | None = None, state: str | None = None, limit: int = 500
    ) -> list[StatusInquiry]:
        t = claim_status_inquiries
        query = select(t).where(t.c.practice_id == self.practice_id)
        if claim_id is not None:
            query = query.where(t.c.claim_id == claim_id)
        if state is not None:
            query = query.where(t.c.state == state)
        rows = self.conn.execute(query.order_by(t.c.id.desc()).limit(limit))
        return [_inquiry(r) for r in rows]

    # -- answers ----------------------------------------------------------------------------

    def add_answers(self, answers: Sequence[StatusAnswer]) -> None:
        if not answers:
            return
        insert_rows(
            self.conn,
            claim_status_responses,
            [
                {
                    "practice_id": self.practice_id,
                    "claim_id": a.claim_id,
                    "inquiry_id": a.inquiry_id,
                    "inbound_file_id": a.inbound_file_id,
                    "trace": a.trace[:50],
                    "category": a.category[:3],
                    "status_code": a.status_code[:10],
                    "entity": a.entity[:3],
                    "effective_date": a.effective_date,
                    "charge": a.charge.amount if a.charge is not None else None,
                    "paid": a.paid.amount if a.paid is not None else None,
                    "check_number": a.check_number[:50],
                    "check_date": a.check_date,
                    "payer_claim_number": a.payer_claim_number[:50],
                    "info": dict(a.info),
                    "raw": a.raw,
                    "received_at": a.received_at,
                }
                for a in answers
            ],
        )

    def answers(self, claim_id: int) -> list[StatusAnswer]:
        t = claim_status_responses
        rows = self.conn.execute(
            select(t)
            .where(t.c.practice_id == self.practice_id, t.c.claim_id == claim_id)
            .order_by(t.c.id)
        )
        return [_answer(r) for r in rows]

    # -- settings ---------------------------------------------------------------------------

    def settings(self) -> dict[int, FollowUpSetting]:
        t, p = claim_status_settings, tables.payers
        rows = self.conn.execute(
            select(t, p.c.payer_id)
            .join(p, p.c.id == t.c.payer_ref)
            .where(t.c.practice_id == self.practice_id)
        )
        return {
            r.payer_ref: FollowUpSetting(r.payer_ref, r.payer_id, r.after_days, r.repeat_days)
            for r in rows
        }

    def save_setting(self, setting: FollowUpSetting) -> None:
        t = claim_status_settings
        values = {
            "after_days": setting.after_days,
            "repeat_days": setting.repeat_days,
            "updated_at": self.clock.now(),
        }
        done = self.conn.execute(
            update(t)
            .where(t.c.practice_id == self.practice_id, t.c.payer_ref == setting.payer_ref)
            .values(values)
        )
        if done.rowcount == 0:
            self.conn.execute(
                insert(t).values(
                    practice_id=self.practice_id, payer_ref=setting.payer_ref, **values
                )
            )

    # -- quiet claims -----------------------------------------------------------------------

    def quiet_claims(self, payer_ref: int | None = None) -> list[QuietClaim]:
        c, p = tables.claims, tables.payers
        i, rc, w = claim_status_inquiries, st.remittance_claims, tables.work_items
        pid = self.practice_id
        last_asked = (
            select(func.max(i.c.created_at))
            .where(i.c.practice_id == pid, i.c.claim_id == c.c.id, i.c.state != "failed")
            .scalar_subquery()
        )
        remitted = select(rc.c.id).where(rc.c.practice_id == pid, rc.c.claim_id == c.c.id).exists()
        queued = (
            select(w.c.id)
            .where(
                and_(
                    w.c.practice_id == pid,
                    w.c.queue == service.QUEUE,
                    w.c.target_kind == "claim",
                    w.c.target_id == c.c.id,
                    w.c.status.in_(("open", "in_progress")),
                )
            )
            .exists()
        )
        query = (
            select(
                c.c.id,
                c.c.patient_control_number,
                c.c.payer_ref,
                p.c.payer_id,
                c.c.status,
                c.c.total_charge,
                c.c.created_at,
                last_asked.label("last_asked"),
            )
            .join(p, p.c.id == c.c.payer_ref)
            .where(
                c.c.practice_id == pid,
                c.c.status.in_(service.QUIET_STATES),
                ~remitted,
                ~queued,
            )
            .order_by(c.c.id)
        )
        if payer_ref is not None:
            query = query.where(c.c.payer_ref == payer_ref)
        rows = self.conn.execute(query).all()
        sent = self._last_sent([r.id for r in rows])
        return [
            QuietClaim(
                claim_id=r.id,
                patient_control_number=r.patient_control_number,
                payer_ref=r.payer_ref,
                payer_id=r.payer_id,
                status=r.status,
                total_charge=Money(Decimal(r.total_charge)),
                last_sent=sent.get(r.id) or r.created_at,
                last_asked=_datetime(r.last_asked),
            )
            for r in rows
        ]

    def _last_sent(self, claim_ids: Sequence[int]) -> dict[int, datetime]:
        """When each claim was last sent: the latest of its submissions' completion (else
        transmission, else creation) times.

        Read in two steps rather than as a correlated subquery per claim: a submission row
        holds the whole file, and its times come after it, so SQLite walks the file's
        overflow pages each time one is read; here each submission is read once."""
        s, sc = st.submissions, st.submission_claims
        pid = self.practice_id
        of_claim: dict[int, list[int]] = {}
        for start in range(0, len(claim_ids), _IDS):
            for claim_id, submission_id in self.conn.execute(
                select(sc.c.claim_id, sc.c.submission_id).where(
                    sc.c.practice_id == pid, sc.c.claim_id.in_(claim_ids[start : start + _IDS])
                )
            ):
                of_claim.setdefault(claim_id, []).append(submission_id)
        wanted = sorted({sid for sids in of_claim.values() for sid in sids})
        when: dict[int, datetime] = {}
        for start in range(0, len(wanted), _IDS):
            for sid, value in self.conn.execute(
                select(
                    s.c.id, func.coalesce(s.c.completed_at, s.c.transmitted_at, s.c.created_at)
                ).where(s.c.id.in_(wanted[start : start + _IDS]))
            ):
                at = _datetime(value)
                if at is not None:
                    when[sid] = at
        out: dict[int, datetime] = {}
        for claim_id, sids in of_claim.items():
            times = [when[sid] for sid in sids if sid in when]
            if times:
                out[claim_id] = max(times)
        return out


def _datetime(value: Any) -> datetime | None:
    """A scalar subquery's datetime (SQLite hands ``max()`` back as text)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def status_store(uow: UnitOfWork) -> StatusRepository:
    """The claim status store on ``uow``'s connection (inside its transaction)."""
    b = bound(uow, "status_store")
    return StatusRepository(b.conn, b.practice_id, b.clock)


def apply_277(
    ctx: Context,
    uow: UnitOfWork,
    f: InboundFile,
    index: int,
    transaction: Mapping[str, Any],
) -> list[str]:
    """The inbox applier of a 277 (005010X212) set: see ``services.claim_status.apply_277``."""
    return service.apply_277(ctx, uow, f, index, transaction, store=status_store)
