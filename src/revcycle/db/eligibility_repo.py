"""Eligibility requests, responses, discrepancies, appointments and settings of one practice.

``eligibility_store(uow)`` binds :class:`EligibilityRepository` to the connection of an open
``SqlUnitOfWork`` (inside its transaction), the store the eligibility services take. Many rows
go in one statement each way (``INSERT ... RETURNING`` in parameter order, ``executemany``
updates), so a batch of thousands of requests or answers costs a few statements.

``apply_271`` is the inbox's applier for transaction type 271 (registered in
``services.inbox.APPLIERS``): the service's ``apply_271`` with this store.
``latest_eligibility(uow, coverage_id)`` is the service's with this store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, and_, bindparam, insert, select, update

from revcycle.db.bulk import insert_rows
from revcycle.db.eligibility_tables import (
    appointments,
    eligibility_discrepancies,
    eligibility_requests,
    eligibility_responses,
    eligibility_settings,
)
from revcycle.db.uow import bound
from revcycle.domain.eligibility import EligibilityResponse
from revcycle.domain.errors import NotFound
from revcycle.services import eligibility as service
from revcycle.services.context import Context
from revcycle.services.eligibility import (
    Appointment,
    Discrepancy,
    LatestEligibility,
    PlannedService,
    StoredRequest,
    StoredResponse,
)
from revcycle.services.ports import Clock, InboundFile, UnitOfWork

_ID_CHUNK = 10_000  # ids per IN list: under SQLite's 32,766 and PostgreSQL's 65,535 parameters


def _request(row: Any) -> StoredRequest:
    return StoredRequest(
        patient_id=row.patient_id,
        coverage_id=row.coverage_id,
        channel=row.channel,
        service_types=tuple(row.service_types),
        service_date=row.service_date,
        trace=row.trace,
        raw_270=row.raw_270,
        actor=row.actor,
        created_at=row.created_at,
        state=row.state,
        appointment_id=row.appointment_id,
        file_name=row.file_name,
        attempts=row.attempts,
        sent_at=row.sent_at,
        answered_at=row.answered_at,
        error=row.error,
        id=row.id,
    )


def _response(row: Any) -> StoredResponse:
    return StoredResponse(
        request_id=row.request_id,
        raw_271=row.raw_271,
        parsed=dict(row.parsed),
        findings=list(row.findings),
        summary=dict(row.summary),
        usable=row.usable,
        active=row.active,
        received_at=row.received_at,
        inbound_file_id=row.inbound_file_id,
        id=row.id,
    )


def _appointment(row: Any) -> Appointment:
    return Appointment(
        patient_id=row.patient_id,
        provider_id=row.provider_id,
        starts_at=row.starts_at,
        services=tuple(PlannedService(s["procedure"], int(s["units"])) for s in row.services),
        status=row.status,
        note=row.note,
        id=row.id,
    )


class EligibilityRepository:
    """The eligibility tables of one practice, on one connection."""

    def __init__(self, conn: Connection, practice_id: int, clock: Clock) -> None:
        self.conn = conn
        self.practice_id = practice_id
        self.clock = clock

    def _insert(self, table: Any, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        if not rows:
            return []
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [int(r[0]) for r in self.conn.execute(stmt, list(rows))]

    # -- requests ---------------------------------------------------------------------------

    def add_requests(self, requests: Sequence[StoredRequest]) -> list[StoredRequest]:
        rows = [
            {
                "practice_id": self.practice_id,
                "patient_id": r.patient_id,
                "coverage_id": r.coverage_id,
                "appointment_id": r.appointment_id,
                "channel": r.channel,
                "service_types": list(r.service_types),
                "service_date": r.service_date,
                "trace": r.trace,
                "state": r.state,
                "raw_270": r.raw_270,
                "file_name": r.file_name,
                "attempts": r.attempts,
                "actor": r.actor,
                "created_at": r.created_at,
                "sent_at": r.sent_at,
                "answered_at": r.answered_at,
                "error": r.error,
            }
            for r in requests
        ]
        ids = self._insert(eligibility_requests, rows)
        return [replace(r, id=i) for r, i in zip(requests, ids, strict=True)]

    def get_request(self, id: int) -> StoredRequest:
        t = eligibility_requests
        row = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id, t.c.id == id)
        ).first()
        if row is None:
            raise NotFound("eligibility request", id)
        return _request(row)

    def update_requests(self, requests: Sequence[StoredRequest]) -> None:
        if not requests:
            return
        t = eligibility_requests
        stmt = (
            update(t)
            .where(and_(t.c.practice_id == self.practice_id, t.c.id == bindparam("b_id")))
            .values(
                state=bindparam("b_state"),
                attempts=bindparam("b_attempts"),
                sent_at=bindparam("b_sent_at"),
                answered_at=bindparam("b_answered_at"),
                error=bindparam("b_error"),
            )
        )
        self.conn.execute(
            stmt,
            [
                {
                    "b_id": r.id,
                    "b_state": r.state,
                    "b_attempts": r.attempts,
                    "b_sent_at": r.sent_at,
                    "b_answered_at": r.answered_at,
                    "b_error": r.error,
                }
                for r in requests
            ],
        )

    def requests(
        self, *, states: Sequence[str] = (), patient_id: int | None = None, limit: int = 500
    ) -> list[StoredRequest]:
        t = eligibility_requests
        q = select(t).where(t.c.practice_id == self.practice_id)
        if states:
            q = q.where(t.c.state.in_(list(states)))
        if patient_id is not None:
            q = q.where(t.c.patient_id == patient_id)
        rows = self.conn.execute(q.order_by(t.c.id.desc()).limit(limit))
        return [_request(r) for r in rows]

    def by_traces(self, traces: Sequence[str]) -> dict[str, StoredRequest]:
        t = eligibility_requests
        out: dict[str, StoredRequest] = {}
        wanted = list(dict.fromkeys(traces))
        for start in range(0, len(wanted), 1000):
            chunk = wanted[start : start + 1000]
            rows = self.conn.execute(
                select(t).where(t.c.practice_id == self.practice_id, t.c.trace.in_(chunk))
            )
            out.update({r.trace: _request(r) for r in rows})
        return out

    # -- responses --------------------------------------------------------------------------

    def add_responses(self, responses: Sequence[StoredResponse]) -> list[StoredResponse]:
        rows = [
            {
                "practice_id": self.practice_id,
                "request_id": r.request_id,
                "inbound_file_id": r.inbound_file_id,
                "raw_271": r.raw_271,
                "parsed": dict(r.parsed),
                "findings": [dict(f) for f in r.findings],
                "summary": dict(r.summary),
                "usable": r.usable,
                "active": r.active,
                "received_at": r.received_at,
            }
            for r in responses
        ]
        ids = self._insert(eligibility_responses, rows)
        return [replace(r, id=i) for r, i in zip(responses, ids, strict=True)]

    def responses_for(self, request_id: int) -> list[StoredResponse]:
        t = eligibility_responses
        rows = self.conn.execute(
            select(t)
            .where(t.c.practice_id == self.practice_id, t.c.request_id == request_id)
            .order_by(t.c.id)
        )
        return [_response(r) for r in rows]

    def latest_for_coverage(self, coverage_id: int) -> tuple[StoredResponse, StoredRequest] | None:
        r, q = eligibility_responses, eligibility_requests
        row = self.conn.execute(
            select(r.c.id, r.c.request_id)
            .join(q, q.c.id == r.c.request_id)
            .where(
                r.c.practice_id == self.practice_id,
                q.c.coverage_id == coverage_id,
                r.c.usable.is_(True),
            )
            .order_by(r.c.received_at.desc(), r.c.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        found = self.conn.execute(select(r).where(r.c.id == row.id)).one()
        return _response(found), self.get_request(row.request_id)

    def latest_for_coverages(
        self, coverage_ids: Sequence[int]
    ) -> dict[int, tuple[StoredResponse, StoredRequest]]:
        """``latest_for_coverage`` for many coverages, by coverage id (coverages without a
        usable answer are left out): the candidates' keys in one statement, then the chosen
        answers and their requests."""
        r, q = eligibility_responses, eligibility_requests
        wanted = sorted(set(coverage_ids))
        chosen: dict[int, tuple[int, int]] = {}  # coverage id -> (response id, request id)
        best: dict[int, Any] = {}  # coverage id -> (received_at, response id) of the newest
        for start in range(0, len(wanted), _ID_CHUNK):
            for row in self.conn.execute(
                select(q.c.coverage_id, r.c.id, r.c.request_id, r.c.received_at)
                .join(q, q.c.id == r.c.request_id)
                .where(
                    r.c.practice_id == self.practice_id,
                    q.c.coverage_id.in_(wanted[start : start + _ID_CHUNK]),
                    r.c.usable.is_(True),
                )
            ):
                key = (row.received_at, row.id)
                if row.coverage_id not in best or key > best[row.coverage_id]:
                    best[row.coverage_id] = key
                    chosen[row.coverage_id] = (row.id, row.request_id)
        response_ids = sorted(rid for rid, _ in chosen.values())
        request_ids = sorted({qid for _, qid in chosen.values()})
        responses: dict[int, StoredResponse] = {}
        requests: dict[int, StoredRequest] = {}
        for start in range(0, len(response_ids), _ID_CHUNK):
            for row in self.conn.execute(
                select(r).where(r.c.id.in_(response_ids[start : start + _ID_CHUNK]))
            ):
                responses[row.id] = _response(row)
        for start in range(0, len(request_ids), _ID_CHUNK):
            for row in self.conn.execute(
                select(q).where(
                    q.c.practice_id == self.practice_id,
                    q.c.id.in_(request_ids[start : start + _ID_CHUNK]),
                )
            ):
                requests[row.id] = _request(row)
        return {
            coverage_id: (responses[rid], requests[qid])
            for coverage_id, (rid, qid) in sorted(chosen.items())
        }

    # -- discrepancies ----------------------------------------------------------------------

    def add_discrepancies(self, items: Sequence[Discrepancy]) -> None:
        now = self.clock.now()
        insert_rows(
            self.conn,
            eligibility_discrepancies,
            [
                {
                    "practice_id": self.practice_id,
                    "patient_id": d.patient_id,
                    "coverage_id": d.coverage_id,
                    "response_id": d.response_id,
                    "field": d.field,
                    "registered": d.registered,
                    "payer": d.payer,
                    "created_at": d.created_at or now,
                }
                for d in items
            ],
        )

    def discrepancies(
        self, *, patient_id: int | None = None, response_id: int | None = None
    ) -> list[Discrepancy]:
        t = eligibility_discrepancies
        q = select(t).where(t.c.practice_id == self.practice_id)
        if patient_id is not None:
            q = q.where(t.c.patient_id == patient_id)
        if response_id is not None:
            q = q.where(t.c.response_id == response_id)
        return [
            Discrepancy(
                r.patient_id, r.coverage_id, r.response_id, r.field, r.registered, r.payer,
                r.created_at, r.id,
            )
            for r in self.conn.execute(q.order_by(t.c.id))
        ]  # fmt: skip

    # -- appointments -----------------------------------------------------------------------

    def _appointment_values(self, a: Appointment) -> dict[str, Any]:
        return {
            "patient_id": a.patient_id,
            "provider_id": a.provider_id,
            "starts_at": a.starts_at,
            "day": a.day,
            "services": [s.to_json() for s in a.services],
            "status": a.status,
            "note": a.note,
            "updated_at": self.clock.now(),
        }

    def add_appointments(self, items: Sequence[Appointment]) -> list[Appointment]:
        now = self.clock.now()
        rows = [
            {**self._appointment_values(a), "practice_id": self.practice_id, "created_at": now}
            for a in items
        ]
        ids = self._insert(appointments, rows)
        return [replace(a, id=i) for a, i in zip(items, ids, strict=True)]

    def get_appointment(self, id: int) -> Appointment:
        t = appointments
        row = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id, t.c.id == id)
        ).first()
        if row is None:
            raise NotFound("appointment", id)
        return _appointment(row)

    def update_appointment(self, item: Appointment) -> Appointment:
        t = appointments
        done = self.conn.execute(
            update(t)
            .where(t.c.practice_id == self.practice_id, t.c.id == item.id)
            .values(self._appointment_values(item))
        )
        if done.rowcount == 0:
            raise NotFound("appointment", item.id)
        return item

    def appointments(self, *, day: Any = None, patient_id: int | None = None) -> list[Appointment]:
        t = appointments
        q = select(t).where(t.c.practice_id == self.practice_id)
        if day is not None:
            q = q.where(t.c.day == day)
        if patient_id is not None:
            q = q.where(t.c.patient_id == patient_id)
        return [_appointment(r) for r in self.conn.execute(q.order_by(t.c.starts_at, t.c.id))]

    # -- settings ---------------------------------------------------------------------------

    def realtime_url(self) -> str | None:
        t = eligibility_settings
        value = self.conn.execute(
            select(t.c.realtime_url).where(t.c.practice_id == self.practice_id)
        ).scalar()
        return str(value) if value else None

    def set_realtime_url(self, url: str | None) -> None:
        t = eligibility_settings
        values = {"realtime_url": url, "updated_at": self.clock.now()}
        done = self.conn.execute(
            update(t).where(t.c.practice_id == self.practice_id).values(values)
        )
        if done.rowcount == 0:
            self.conn.execute(insert(t).values(practice_id=self.practice_id, **values))


def eligibility_store(uow: UnitOfWork) -> EligibilityRepository:
    """The eligibility store on ``uow``'s connection (inside its transaction)."""
    b = bound(uow, "eligibility_store")
    return EligibilityRepository(b.conn, b.practice_id, b.clock)


def apply_271(
    ctx: Context, uow: UnitOfWork, inbound_file: InboundFile, index: int, t: Mapping[str, Any]
) -> list[str]:
    """The inbox applier of 271 transactions (see ``services.eligibility.apply_271``)."""
    return service.apply_271(ctx, uow, eligibility_store(uow), inbound_file, index, t)


def latest_eligibility(uow: UnitOfWork, coverage_id: int) -> LatestEligibility | None:
    """The newest usable 271 answer about ``coverage_id`` (``services.eligibility``)."""
    return service.latest_eligibility(eligibility_store(uow), coverage_id)


def latest_271(uow: UnitOfWork, coverage_id: int) -> EligibilityResponse | None:
    """The benefits of the newest usable 271 for the coverage (an ``EligibilityLookup`` for
    cost estimates), or ``None`` when none was received."""
    found = latest_eligibility(uow, coverage_id)
    return found.response if found is not None else None
