"""The SQL unit of work: one database transaction, repositories bound to one practice.

Leaving the ``with`` block without ``commit()`` rolls everything back, so a failure half-way
through a use case writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from revcycle.db import (
    charges_repo,
    cob_repo,
    ledger_repo,
    mapping,
    repositories,
    submission_repo,
    tables,
)
from revcycle.domain.errors import PermissionDenied
from revcycle.domain.provider import Facility, Provider
from revcycle.services.ports import Clock


class _NoPractice:
    """Stands in for scoped repositories when no practice is chosen: any use is an error."""

    def __getattr__(self, name: str) -> object:
        raise PermissionDenied("no practice chosen for this operation")


class SqlUnitOfWork:
    def __init__(self, engine: Engine, clock: Clock, practice_id: int | None) -> None:
        self.engine = engine
        self.clock = clock
        self.practice_id = practice_id
        self._conn: Connection | None = None

    def __enter__(self) -> Self:
        conn = self.engine.connect()
        conn.begin()
        self._conn = conn
        clock, pid = self.clock, self.practice_id
        self.practices = repositories.PracticeRepository(conn, clock)
        self.users = repositories.UserRepository(conn, clock)
        self.audit = repositories.AuditLog(conn)
        self.sequences = repositories.Sequences(conn)
        self.inbound_files = submission_repo.InboundFileRepository(conn)
        self.ledger = ledger_repo.LedgerRepository(conn)
        self.jobs = submission_repo.JobRepository(conn, clock)
        if pid is None:
            none: object = _NoPractice()
            for name in (
                "providers",
                "facilities",
                "payers",
                "plans",
                "enrollments",
                "patients",
                "coverages",
                "submissions",
                "remittances",
                "eligibility",
            ):
                setattr(self, name, none)
            return self
        self.providers = repositories.ScopedRepository[Provider](
            conn,
            pid,
            clock,
            tables.providers,
            "provider",
            mapping.provider_row,
            mapping.provider_from,
        )
        self.facilities = repositories.ScopedRepository[Facility](
            conn,
            pid,
            clock,
            tables.facilities,
            "facility",
            mapping.facility_row,
            mapping.facility_from,
        )
        self.payers = repositories.PayerRepository(
            conn, pid, clock, tables.payers, "payer", mapping.payer_row, mapping.payer_from
        )
        self.plans = repositories.PlanRepository(
            conn, pid, clock, tables.plans, "plan", mapping.plan_row, mapping.plan_from
        )
        self.enrollments = repositories.EnrollmentRepository(
            conn,
            pid,
            clock,
            tables.enrollments,
            "enrollment",
            mapping.enrollment_row,
            mapping.enrollment_from,
        )
        self.patients = repositories.PatientRepository(
            conn, pid, clock, tables.patients, "patient", mapping.patient_row, mapping.patient_from
        )
        self.coverages = repositories.CoverageRepository(
            conn,
            pid,
            clock,
            tables.coverages,
            "coverage",
            mapping.coverage_row,
            mapping.coverage_from,
        )
        self.encounters = charges_repo.EncounterRepository(conn, pid, clock)
        self.fee_schedule = charges_repo.FeeScheduleRepository(conn, pid, clock)
        self.contracts = charges_repo.ContractRepository(conn, pid, clock)
        self.authorizations = charges_repo.AuthorizationRepository(conn, pid, clock)
        self.claims = charges_repo.ClaimRepository(conn, pid, clock)
        self.work_items = charges_repo.WorkQueueRepository(conn, pid, clock)
        self.submissions = submission_repo.SubmissionRepository(conn, pid, clock)
        self.remittances = submission_repo.RemittanceRepository(conn, pid)
        self.cob = cob_repo.CobRepository(conn, pid, clock)
        from revcycle.db import eligibility_repo  # it imports this module

        self.eligibility = eligibility_repo.EligibilityRepository(conn, pid, clock)
        return self

    def commit(self) -> None:
        assert self._conn is not None
        self._conn.commit()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._conn is not None
        self._conn.rollback()
        self._conn.close()
        self._conn = None


class SqlUnitOfWorkFactory:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def __call__(self, practice_id: int | None) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self.clock, practice_id)


@dataclass(frozen=True, slots=True)
class Bound:
    """What a feature's store needs from an open unit of work: its connection (so the store
    writes in the same transaction), its practice and its clock."""

    conn: Connection
    practice_id: int
    clock: Clock


def bound(uow: object, store: str) -> Bound:
    """The open ``SqlUnitOfWork`` behind ``uow`` for the store named ``store``: every
    ``*_store(uow)`` factory of ``revcycle.db`` binds itself through this one place."""
    if not isinstance(uow, SqlUnitOfWork) or uow._conn is None:
        raise TypeError(f"{store} needs an open SqlUnitOfWork")
    if uow.practice_id is None:
        raise PermissionDenied("no practice chosen for this operation")
    return Bound(uow._conn, uow.practice_id, uow.clock)
