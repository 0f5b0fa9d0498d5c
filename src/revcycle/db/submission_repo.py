"""Repositories of submission, inbound response files, remittances received and jobs.

Submissions and remittances are practice-scoped like every business table. Inbound files and
jobs are not: a response file is stored before it is known whose it is (routing), and the job
runner serves every practice; their rows still carry ``practice_id`` once known.

Guards kept in SQL, so they hold across processes: a claim can be in flight in one submission
only (primary key of ``claims_in_flight``); a state moves only from the state it was read in
(``UPDATE ... WHERE state = :expected``), so two runners never both take a submission, a file
or a job.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from revcycle.db import job_queue, tables
from revcycle.db import submission_tables as st
from revcycle.db.bulk import insert_rows
from revcycle.domain.errors import Conflict, NotFound
from revcycle.domain.money import Money
from revcycle.services.ports import (
    ClaimResponse,
    Clock,
    InboundFile,
    Job,
    ReceivedRemittance,
    RemittanceClaimRow,
    SubmissionRecord,
    SubmittedClaim,
)


def _money(value: Any) -> Money:
    return Money(value)


def _submission_from(r: Any) -> SubmissionRecord:
    return SubmissionRecord(
        route=r.route,
        kind=r.kind,
        file_name=r.file_name,
        sender_id=r.sender_id,
        receiver_id=r.receiver_id,
        interchange_control_number=r.interchange_control_number,
        group_control_number=r.group_control_number,
        set_control_numbers=tuple(r.set_control_numbers),
        sha256=r.sha256,
        content=bytes(r.content),
        claim_count=r.claim_count,
        total_charge=_money(r.total_charge),
        actor=r.actor,
        state=r.state,
        ack_status=r.ack_status,
        created_at=r.created_at,
        transmitted_at=r.transmitted_at,
        completed_at=r.completed_at,
        id=r.id,
    )


class SubmissionRepository:
    def __init__(self, conn: Connection, practice_id: int, clock: Clock) -> None:
        self.conn = conn
        self.practice_id = practice_id
        self.clock = clock

    def add(
        self, submission: SubmissionRecord, claims: Sequence[tuple[int, str, str]]
    ) -> SubmissionRecord:
        t = st.submissions
        now = self.clock.now()
        row = {
            "practice_id": self.practice_id,
            "route": submission.route,
            "kind": submission.kind,
            "file_name": submission.file_name,
            "sender_id": submission.sender_id,
            "receiver_id": submission.receiver_id,
            "interchange_control_number": submission.interchange_control_number,
            "group_control_number": submission.group_control_number,
            "set_control_numbers": list(submission.set_control_numbers),
            "sha256": submission.sha256,
            "content": submission.content,
            "byte_size": len(submission.content),
            "claim_count": submission.claim_count,
            "total_charge": submission.total_charge.amount,
            "state": submission.state,
            "ack_status": None,
            "actor": submission.actor[:100],
            "created_at": now,
        }
        try:
            new_id = self.conn.execute(insert(t).values(row).returning(t.c.id)).scalar_one()
            if claims:
                insert_rows(
                    self.conn,
                    st.submission_claims,
                    [
                        {
                            "practice_id": self.practice_id,
                            "submission_id": new_id,
                            "claim_id": claim_id,
                            "patient_control_number": pcn,
                            "set_control_number": st02,
                        }
                        for claim_id, pcn, st02 in claims
                    ],
                )
                insert_rows(
                    self.conn,
                    st.claims_in_flight,
                    [
                        {
                            "claim_id": claim_id,
                            "practice_id": self.practice_id,
                            "submission_id": new_id,
                        }
                        for claim_id, _, _ in claims
                    ],
                )
        except IntegrityError as exc:
            raise Conflict("claim", "a claim of this batch is already being submitted") from exc
        # Checked after the in-flight rows are written: a concurrent run that finished one of
        # these claims in the meantime has committed by now (its in-flight row blocked ours).
        c = tables.claims
        ids = [claim_id for claim_id, _, _ in claims]
        still_ready = self.conn.execute(
            select(func.count())
            .select_from(c)
            .where(c.c.practice_id == self.practice_id, c.c.id.in_(ids), c.c.status == "ready")
        ).scalar_one()
        if still_ready != len(ids):
            raise Conflict("claim", "a claim of this batch is no longer ready")
        return self.get(new_id)

    def _select(self) -> Any:
        t = st.submissions
        return select(t).where(t.c.practice_id == self.practice_id)

    def get(self, id: int) -> SubmissionRecord:
        r = self.conn.execute(self._select().where(st.submissions.c.id == id)).first()
        if r is None:
            raise NotFound("submission", id)
        return _submission_from(r)

    def list(self, *, state: str | None = None) -> Sequence[SubmissionRecord]:
        stmt = self._select()
        if state:
            stmt = stmt.where(st.submissions.c.state == state)
        return [_submission_from(r) for r in self.conn.execute(stmt.order_by(st.submissions.c.id))]

    def _claims(self, where: Any) -> Sequence[SubmittedClaim]:
        t = st.submission_claims
        rows = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id, where).order_by(t.c.id)
        )
        return [
            SubmittedClaim(
                r.submission_id, r.claim_id, r.patient_control_number, r.set_control_number
            )
            for r in rows
        ]

    def claims_of(self, submission_id: int) -> Sequence[SubmittedClaim]:
        return self._claims(st.submission_claims.c.submission_id == submission_id)

    def attempts(self, claim_id: int) -> Sequence[SubmittedClaim]:
        return self._claims(st.submission_claims.c.claim_id == claim_id)

    def advance(self, id: int, expected: str, target: str, at: datetime) -> bool:
        t = st.submissions
        values: dict[str, Any] = {"state": target}
        if target == "transmitted":
            values["transmitted_at"] = at
        elif target == "done":
            values["completed_at"] = at
        result = self.conn.execute(
            update(t)
            .where(t.c.practice_id == self.practice_id, t.c.id == id, t.c.state == expected)
            .values(values)
        )
        return result.rowcount == 1

    def release(self, submission_id: int) -> None:
        f = st.claims_in_flight
        self.conn.execute(
            delete(f).where(f.c.practice_id == self.practice_id, f.c.submission_id == submission_id)
        )

    def ready_claims(self, payer_id: str | None = None) -> Sequence[tuple[int, str, str]]:
        c, p, f = tables.claims, tables.payers, st.claims_in_flight
        stmt = (
            select(c.c.id, p.c.route, c.c.kind)
            .join(p, p.c.id == c.c.payer_ref)
            .outerjoin(f, f.c.claim_id == c.c.id)
            .where(c.c.practice_id == self.practice_id, c.c.status == "ready")
            .where(f.c.claim_id.is_(None))
        )
        if payer_id:
            stmt = stmt.where(p.c.payer_id == payer_id)
        return [(r.id, r.route, r.kind) for r in self.conn.execute(stmt.order_by(c.c.id))]

    def _one(self, where: Any) -> SubmissionRecord | None:
        r = self.conn.execute(
            self._select().where(where).order_by(st.submissions.c.id.desc())
        ).first()
        return _submission_from(r) if r else None

    def by_interchange(self, control_number: int) -> SubmissionRecord | None:
        return self._one(st.submissions.c.interchange_control_number == control_number)

    def by_group(self, control_number: int) -> SubmissionRecord | None:
        return self._one(st.submissions.c.group_control_number == control_number)

    def set_ack_status(self, id: int, status: str) -> None:
        t = st.submissions
        self.conn.execute(
            update(t)
            .where(t.c.practice_id == self.practice_id, t.c.id == id)
            .values(ack_status=status[:20])
        )

    def add_response(self, response: ClaimResponse) -> None:
        self.conn.execute(
            insert(st.claim_responses).values(
                practice_id=self.practice_id,
                claim_id=response.claim_id,
                inbound_file_id=response.inbound_file_id,
                submission_id=response.submission_id,
                kind=response.kind,
                outcome=response.outcome,
                payer_claim_number=response.payer_claim_number,
                detail=response.detail[:1000],
                at=response.at,
            )
        )

    def add_responses(self, responses: Sequence[ClaimResponse]) -> None:
        """``add_response`` for several responses in one statement."""
        if not responses:
            return
        insert_rows(
            self.conn,
            st.claim_responses,
            [
                {
                    "practice_id": self.practice_id,
                    "claim_id": r.claim_id,
                    "inbound_file_id": r.inbound_file_id,
                    "submission_id": r.submission_id,
                    "kind": r.kind,
                    "outcome": r.outcome,
                    "payer_claim_number": r.payer_claim_number,
                    "detail": r.detail[:1000],
                    "at": r.at,
                }
                for r in responses
            ],
        )

    def latest_attempts(self, claim_ids: Sequence[int]) -> dict[int, int]:
        """The submission id of each claim's latest attempt (the last of ``attempts``), by
        claim id; claims never submitted are left out."""
        t = st.submission_claims
        out: dict[int, int] = {}
        wanted = sorted(set(claim_ids))
        for start in range(0, len(wanted), 500):
            rows = self.conn.execute(
                select(t.c.claim_id, t.c.submission_id)
                .where(
                    t.c.practice_id == self.practice_id,
                    t.c.claim_id.in_(wanted[start : start + 500]),
                )
                .order_by(t.c.id)
            )
            for r in rows:
                out[r.claim_id] = r.submission_id
        return out

    def responses(self, claim_id: int) -> Sequence[ClaimResponse]:
        t = st.claim_responses
        rows = self.conn.execute(
            select(t)
            .where(t.c.practice_id == self.practice_id, t.c.claim_id == claim_id)
            .order_by(t.c.id)
        )
        return [
            ClaimResponse(
                r.claim_id,
                r.inbound_file_id,
                r.kind,
                r.outcome,
                r.detail,
                r.at,
                r.submission_id,
                r.payer_claim_number,
            )
            for r in rows
        ]


def _inbound_from(r: Any) -> InboundFile:
    return InboundFile(
        mailbox_name=r.mailbox_name,
        sha256=r.sha256,
        content=bytes(r.content),
        kind=r.kind,
        sender_id=r.sender_id,
        receiver_id=r.receiver_id,
        interchange_control_number=r.interchange_control_number,
        state=r.state,
        summary=r.summary,
        received_at=r.received_at,
        practice_id=r.practice_id,
        notes=r.notes,
        error=r.error,
        applied_at=r.applied_at,
        id=r.id,
    )


class InboundFileRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, item: InboundFile) -> InboundFile:
        t = st.inbound_files
        try:
            new_id = self.conn.execute(
                insert(t)
                .values(
                    practice_id=item.practice_id,
                    mailbox_name=item.mailbox_name[:200],
                    sha256=item.sha256,
                    content=item.content,
                    byte_size=len(item.content),
                    kind=item.kind,
                    sender_id=item.sender_id[:15],
                    receiver_id=item.receiver_id[:15],
                    interchange_control_number=item.interchange_control_number[:9],
                    state=item.state,
                    summary=dict(item.summary),
                    notes=list(item.notes) if item.notes is not None else None,
                    error=item.error[:1000] if item.error else None,
                    received_at=item.received_at,
                    applied_at=item.applied_at,
                )
                .returning(t.c.id)
            ).scalar_one()
        except IntegrityError as exc:
            raise Conflict("sha256", "this response file is already stored") from exc
        return self.get(new_id)

    def get(self, id: int) -> InboundFile:
        t = st.inbound_files
        r = self.conn.execute(select(t).where(t.c.id == id)).first()
        if r is None:
            raise NotFound("inbound file", id)
        return _inbound_from(r)

    def by_hash(self, sha256: str) -> InboundFile | None:
        t = st.inbound_files
        r = self.conn.execute(select(t).where(t.c.sha256 == sha256)).first()
        return _inbound_from(r) if r else None

    def list(
        self, *, state: str | None = None, practice_id: int | None = None
    ) -> Sequence[InboundFile]:
        t = st.inbound_files
        stmt = select(t)
        if state:
            stmt = stmt.where(t.c.state == state)
        if practice_id is not None:
            stmt = stmt.where(t.c.practice_id == practice_id)
        return [_inbound_from(r) for r in self.conn.execute(stmt.order_by(t.c.id))]

    def same_interchange(self, sender_id: str, control_number: str) -> Sequence[InboundFile]:
        t = st.inbound_files
        stmt = select(t).where(
            t.c.sender_id == sender_id[:15], t.c.interchange_control_number == control_number
        )
        return [_inbound_from(r) for r in self.conn.execute(stmt.order_by(t.c.id))]

    def take_for_apply(self, id: int, at: datetime) -> bool:
        t = st.inbound_files
        result = self.conn.execute(
            update(t)
            .where(t.c.id == id, t.c.state == "received")
            .values(state="applied", applied_at=at)
        )
        return result.rowcount == 1

    def update(self, item: InboundFile) -> None:
        """Routing and outcome only: the stored bytes and hash never change."""
        t = st.inbound_files
        self.conn.execute(
            update(t)
            .where(t.c.id == item.id)
            .values(
                practice_id=item.practice_id,
                state=item.state,
                notes=list(item.notes) if item.notes is not None else None,
                error=item.error[:1000] if item.error else None,
                applied_at=item.applied_at,
            )
        )

    # ---- without reading the content and summary back (a month's 835 may hold 20 MB) --------

    def add_file(self, item: InboundFile) -> InboundFile:
        """``add``, returning ``item`` with its id instead of reading the row back."""
        t = st.inbound_files
        try:
            new_id = self.conn.execute(
                insert(t).values(**_inbound_row(item)).returning(t.c.id)
            ).scalar_one()
        except IntegrityError as exc:
            raise Conflict("sha256", "this response file is already stored") from exc
        return dataclasses.replace(item, id=new_id)

    def states(self, ids: Sequence[int]) -> dict[int, str]:
        """The state of each of these files, by id."""
        t = st.inbound_files
        out: dict[int, str] = {}
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), 10_000):
            chunk = wanted[start : start + 10_000]
            out.update(
                (r.id, r.state)
                for r in self.conn.execute(select(t.c.id, t.c.state).where(t.c.id.in_(chunk)))
            )
        return out

    def names(self, practice_id: int) -> Sequence[tuple[int, str]]:
        """(id, mailbox name) of the practice's files, oldest first."""
        t = st.inbound_files
        stmt = select(t.c.id, t.c.mailbox_name).where(t.c.practice_id == practice_id)
        return [(int(i), str(n)) for i, n in self.conn.execute(stmt.order_by(t.c.id))]

    def content_of(self, id: int) -> bytes:
        """The stored bytes of one file (not its parsed summary)."""
        t = st.inbound_files
        content = self.conn.execute(select(t.c.content).where(t.c.id == id)).scalar_one_or_none()
        if content is None:
            raise NotFound("inbound file", id)
        return bytes(content)


def _inbound_row(item: InboundFile) -> dict[str, Any]:
    return {
        "practice_id": item.practice_id,
        "mailbox_name": item.mailbox_name[:200],
        "sha256": item.sha256,
        "content": item.content,
        "byte_size": len(item.content),
        "kind": item.kind,
        "sender_id": item.sender_id[:15],
        "receiver_id": item.receiver_id[:15],
        "interchange_control_number": item.interchange_control_number[:9],
        "state": item.state,
        "summary": dict(item.summary),
        "notes": list(item.notes) if item.notes is not None else None,
        "error": item.error[:1000] if item.error else None,
        "received_at": item.received_at,
        "applied_at": item.applied_at,
    }


class RemittanceRepository:
    def __init__(self, conn: Connection, practice_id: int) -> None:
        self.conn = conn
        self.practice_id = practice_id

    def add(self, remittance: ReceivedRemittance) -> ReceivedRemittance:
        t = st.remittances
        new_id = self.conn.execute(
            insert(t)
            .values(
                practice_id=self.practice_id,
                inbound_file_id=remittance.inbound_file_id,
                set_index=remittance.set_index,
                set_control_number=remittance.set_control_number[:9],
                payer_name=remittance.payer_name[:60],
                payer_identifier=remittance.payer_identifier[:80],
                payee_identifier=remittance.payee_identifier[:80],
                trace_number=remittance.trace_number[:50],
                payment_amount=remittance.payment_amount.amount,
                payment_method=remittance.payment_method[:3],
                payment_date=remittance.payment_date,
                provider_adjustments=remittance.provider_adjustments.amount,
                claim_count=len(remittance.claims),
                received_at=remittance.received_at,
            )
            .returning(t.c.id)
        ).scalar_one()
        if remittance.claims:
            insert_rows(
                self.conn,
                st.remittance_claims,
                [
                    {
                        "practice_id": self.practice_id,
                        "remittance_id": new_id,
                        "claim_id": c.claim_id,
                        "patient_control_number": c.patient_control_number[:38],
                        "status_code": c.status_code[:2],
                        "outcome": c.outcome,
                        "charge": c.charge.amount,
                        "paid": c.paid.amount,
                        "patient_responsibility": (
                            c.patient_responsibility.amount
                            if c.patient_responsibility is not None
                            else None
                        ),
                        "payer_claim_number": c.payer_claim_number[:50],
                        "detail": dict(c.detail),
                    }
                    for c in remittance.claims
                ],
            )
        return ReceivedRemittance(**{**_fields(remittance), "id": new_id})

    def _claim_rows(self, where: Any) -> list[RemittanceClaimRow]:
        t = st.remittance_claims
        rows = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id, where).order_by(t.c.id)
        )
        return [
            RemittanceClaimRow(
                r.patient_control_number,
                r.status_code,
                r.outcome,
                _money(r.charge),
                _money(r.paid),
                _money(r.patient_responsibility) if r.patient_responsibility is not None else None,
                r.payer_claim_number,
                r.detail,
                r.claim_id,
            )
            for r in rows
        ]

    def list(self) -> Sequence[ReceivedRemittance]:
        t = st.remittances
        out = []
        for r in self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id).order_by(t.c.id)
        ).all():
            out.append(
                ReceivedRemittance(
                    inbound_file_id=r.inbound_file_id,
                    set_index=r.set_index,
                    set_control_number=r.set_control_number,
                    payer_name=r.payer_name,
                    payer_identifier=r.payer_identifier,
                    payee_identifier=r.payee_identifier,
                    trace_number=r.trace_number,
                    payment_amount=_money(r.payment_amount),
                    payment_method=r.payment_method,
                    payment_date=r.payment_date,
                    provider_adjustments=_money(r.provider_adjustments),
                    claims=tuple(self._claim_rows(st.remittance_claims.c.remittance_id == r.id)),
                    received_at=r.received_at,
                    id=r.id,
                )
            )
        return out

    def for_claim(self, claim_id: int) -> Sequence[RemittanceClaimRow]:
        return self._claim_rows(st.remittance_claims.c.claim_id == claim_id)


def _fields(r: ReceivedRemittance) -> dict[str, Any]:
    return {name: getattr(r, name) for name in ReceivedRemittance.__dataclass_fields__}


def _job_from(r: Any) -> Job:
    return Job(r.kind, r.payload, r.practice_id, r.state, r.attempts, r.error, r.id)


class JobRepository:
    """Jobs: on SQLite the ``jobs`` table, leased by the in-process runner; on PostgreSQL the
    procrastinate queue (``revcycle.db.job_queue``), written on this same connection. Either
    way a job is recorded in the caller's transaction, and the error of each failed attempt
    is kept in ``job_attempts``."""

    def __init__(self, conn: Connection, clock: Clock) -> None:
        self.conn = conn
        self.clock = clock
        self._queue = (
            job_queue.QueueJobs(conn, clock) if conn.dialect.name == "postgresql" else None
        )

    def add(self, job: Job, run_after: datetime | None = None) -> Job:
        if self._queue is not None:
            return self._queue.add(job, run_after)
        t = st.jobs
        now = self.clock.now()
        run_after = run_after or now
        new_id = self.conn.execute(
            insert(t)
            .values(
                practice_id=job.practice_id,
                kind=job.kind,
                payload=dict(job.payload),
                state="pending",
                attempts=0,
                run_after=run_after,
                created_at=now,
                updated_at=now,
            )
            .returning(t.c.id)
        ).scalar_one()
        return Job(job.kind, job.payload, job.practice_id, id=new_id)

    def take_next(
        self,
        now: datetime,
        lease_until: datetime,
        kinds: Sequence[str] | None,
        practice_id: int | None,
        exclude: Sequence[str] = (),
    ) -> Job | None:
        t = st.jobs
        due = or_(
            and_(t.c.state == "pending", t.c.run_after <= now),
            and_(t.c.state == "running", t.c.lease_until < now),
        )
        stmt = select(t.c.id).where(due)
        if kinds is not None:
            stmt = stmt.where(t.c.kind.in_(list(kinds)))
        if exclude:
            stmt = stmt.where(t.c.kind.not_in(list(exclude)))
        if practice_id is not None:
            stmt = stmt.where(t.c.practice_id == practice_id)
        for (job_id,) in self.conn.execute(stmt.order_by(t.c.id).limit(20)).all():
            taken = self.conn.execute(
                update(t)
                .where(t.c.id == job_id, due)
                .values(
                    state="running",
                    lease_until=lease_until,
                    attempts=t.c.attempts + 1,
                    updated_at=now,
                )
            )
            if taken.rowcount == 1:
                r = self.conn.execute(select(t).where(t.c.id == job_id)).one()
                return _job_from(r)
        return None

    def finish(
        self,
        id: int,
        state: str,
        at: datetime,
        error: str | None = None,
        run_after: datetime | None = None,
    ) -> None:
        t = st.jobs
        values: dict[str, Any] = {
            "state": state,
            "error": error[:1000] if error else None,
            "lease_until": None,
            "updated_at": at,
        }
        if run_after is not None:
            values["run_after"] = run_after
        self.conn.execute(update(t).where(t.c.id == id).values(values))
        if error:
            r = self.conn.execute(select(t).where(t.c.id == id)).one()
            job_queue.record_attempt(
                self.conn, id, r.practice_id, r.kind, r.attempts, error, at, run_after
            )

    def list(self, *, state: str | None = None) -> Sequence[Job]:
        return self.search(state=state)

    # -- steering (revcycle jobs) --

    def search(
        self,
        *,
        state: str | None = None,
        kind: str | None = None,
        practice_id: int | None = None,
        limit: int = 1000,
    ) -> Sequence[Job]:
        if self._queue is not None:
            return self._queue.list(state=state, kind=kind, practice_id=practice_id, limit=limit)
        t = st.jobs
        stmt = select(t)
        if state:
            stmt = stmt.where(t.c.state == state)
        if kind:
            stmt = stmt.where(t.c.kind == kind)
        if practice_id is not None:
            stmt = stmt.where(t.c.practice_id == practice_id)
        newest = self.conn.execute(stmt.order_by(t.c.id.desc()).limit(limit)).all()
        return [_job_from(r) for r in reversed(newest)]

    def get(self, id: int) -> Job:
        if self._queue is not None:
            return self._queue.get(id)
        r = self.conn.execute(select(st.jobs).where(st.jobs.c.id == id)).one_or_none()
        if r is None:
            raise NotFound("job", id)
        return _job_from(r)

    def retry(self, id: int) -> Job:
        """A failed or cancelled job due again now: it gets one more attempt."""
        if self._queue is not None:
            return self._queue.retry(id)
        t = st.jobs
        job = self.get(id)
        now = self.clock.now()
        done = self.conn.execute(
            update(t)
            .where(t.c.id == id, t.c.state.in_(["failed", "cancelled"]))
            .values(state="pending", run_after=now, updated_at=now)
        )
        if done.rowcount != 1:
            raise Conflict(
                "state", f"job {id} is {job.state}: only a failed or cancelled job is retried"
            )
        return self.get(id)

    def cancel(self, id: int) -> Job:
        """A waiting job out of the queue (a running one is left to finish)."""
        if self._queue is not None:
            return self._queue.cancel(id)
        t = st.jobs
        job = self.get(id)
        done = self.conn.execute(
            update(t)
            .where(t.c.id == id, t.c.state == "pending")
            .values(state="cancelled", updated_at=self.clock.now())
        )
        if done.rowcount != 1:
            raise Conflict("state", f"job {id} is {job.state}: only a waiting job is cancelled")
        return self.get(id)

    def attempts(self, id: int) -> Sequence[dict[str, Any]]:
        return job_queue.attempts_of(self.conn, [id]).get(id, [])

    def queue(self) -> job_queue.ProcrastinateQueue | None:
        return self._queue.queue() if self._queue is not None else None

    def queue_names(
        self, kinds: Sequence[str] | None, practice_id: int | None, with_mailbox: bool
    ) -> Sequence[str]:
        return job_queue.queues_for(kinds, practice_id, with_mailbox)
