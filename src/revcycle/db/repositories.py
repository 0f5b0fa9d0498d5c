"""Repositories over SQLAlchemy Core, each bound to one connection and one practice.

Tenant isolation lives here: every query of a scoped repository carries
``practice_id = :practice``, so a record of another practice is simply "not found".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Table, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from revcycle.db import mapping, tables
from revcycle.db.bulk import insert_rows
from revcycle.domain.audit import AuditEntry
from revcycle.domain.coverage import Coverage
from revcycle.domain.errors import Conflict, NotFound
from revcycle.domain.patient import Patient
from revcycle.domain.payer import Enrollment, Payer, Plan
from revcycle.domain.practice import Practice
from revcycle.domain.user import User
from revcycle.services.ports import Clock

T = TypeVar("T")
_ID_CHUNK = 10_000  # ids per IN list: under SQLite's 32,766 and PostgreSQL's 65,535 parameters


def _conflict(exc: IntegrityError, record_type: str) -> Conflict:
    text = str(exc.orig).lower()
    for field in ("mrn", "account_number", "npi", "payer_id", "username", "name"):
        if field in text:
            return Conflict(field, f"another {record_type} already has this {field}")
    return Conflict(record_type, f"this {record_type} conflicts with stored data")


class ScopedRepository(Generic[T]):
    """CRUD for one table whose rows belong to one practice."""

    def __init__(
        self,
        conn: Connection,
        practice_id: int,
        clock: Clock,
        table: Table,
        record_type: str,
        to_row: Callable[[T], dict[str, Any]],
        from_row: Callable[[dict[str, Any]], T],
    ) -> None:
        self.conn = conn
        self.practice_id = practice_id
        self.clock = clock
        self.table = table
        self.record_type = record_type
        self.to_row = to_row
        self.from_row = from_row

    def _scope(self) -> Any:
        return self.table.c.practice_id == self.practice_id

    def _select(self, *where: Any) -> list[T]:
        stmt = select(self.table).where(self._scope(), *where).order_by(self.table.c.id)
        return [self.from_row(dict(r._mapping)) for r in self.conn.execute(stmt)]

    def add(self, item: T) -> T:
        now = self.clock.now()
        row = {
            **self.to_row(item),
            "practice_id": self.practice_id,
            "created_at": now,
            "updated_at": now,
        }
        try:
            with self.conn.begin_nested():
                new_id = self.conn.execute(
                    insert(self.table).values(row).returning(self.table.c.id)
                ).scalar_one()
        except IntegrityError as exc:
            raise _conflict(exc, self.record_type) from None
        return dataclasses.replace(item, id=new_id)  # type: ignore[type-var]

    def get(self, id: int) -> T:
        found = self._select(self.table.c.id == id)
        if not found:
            raise NotFound(self.record_type, id)
        return found[0]

    def get_many(self, ids: Sequence[int]) -> Sequence[T]:
        """The records with these ids (of this practice), in id order; unknown ids are left
        out. Ids go in chunks: a statement's parameters are limited."""
        wanted = sorted(set(ids))
        out: list[T] = []
        for start in range(0, len(wanted), _ID_CHUNK):
            result = self.conn.execute(
                select(self.table)
                .where(self._scope(), self.table.c.id.in_(wanted[start : start + _ID_CHUNK]))
                .order_by(self.table.c.id)
            )
            keys = list(result.keys())  # once: a row's own mapping rebuilds its key view
            out.extend(self.from_row(dict(zip(keys, row, strict=True))) for row in result)
        return out

    def update(self, item: T) -> T:
        item_id = getattr(item, "id", None)
        if item_id is None:
            raise NotFound(self.record_type, None)
        stmt = (
            update(self.table)
            .where(self._scope(), self.table.c.id == item_id)
            .values({**self.to_row(item), "updated_at": self.clock.now()})
        )
        try:
            with self.conn.begin_nested():
                result = self.conn.execute(stmt)
        except IntegrityError as exc:
            raise _conflict(exc, self.record_type) from None
        if result.rowcount == 0:
            raise NotFound(self.record_type, item_id)
        return item

    def list(self) -> Sequence[T]:
        return self._select()

    def add_many(self, items: Sequence[T]) -> Sequence[T]:
        """``add`` for many records: one multi-row insert returning the ids, in order. A
        uniqueness conflict stores none of them and raises ``Conflict`` as ``add`` does."""
        if not items:
            return []
        now = self.clock.now()
        stamps = {"practice_id": self.practice_id, "created_at": now, "updated_at": now}
        rows = [{**self.to_row(item), **stamps} for item in items]
        try:
            with self.conn.begin_nested():
                result = self.conn.execute(
                    insert(self.table).returning(self.table.c.id, sort_by_parameter_order=True),
                    rows,
                )
                ids = [r.id for r in result]
        except IntegrityError as exc:
            raise _conflict(exc, self.record_type) from None
        return [
            dataclasses.replace(item, id=new_id)  # type: ignore[type-var]
            for item, new_id in zip(items, ids, strict=True)
        ]

    def _in_chunks(self, column: Any, values: Sequence[Any], *where: Any) -> Sequence[T]:
        """The records whose ``column`` is one of ``values`` (in chunks of ids: a statement's
        parameters are limited), in id order."""
        wanted = sorted(set(values))
        out: list[T] = []
        for start in range(0, len(wanted), _ID_CHUNK):
            out.extend(self._select(column.in_(wanted[start : start + _ID_CHUNK]), *where))
        return sorted(out, key=lambda item: int(getattr(item, "id", 0) or 0))


class PracticeRepository:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self.conn = conn
        self.clock = clock
        self.t = tables.practices

    def add(self, item: Practice) -> Practice:
        now = self.clock.now()
        row = {**mapping.practice_row(item), "created_at": now, "updated_at": now}
        new_id = self.conn.execute(insert(self.t).values(row).returning(self.t.c.id)).scalar_one()
        return dataclasses.replace(item, id=new_id)

    def get(self, id: int) -> Practice:
        row = self.conn.execute(select(self.t).where(self.t.c.id == id)).first()
        if row is None:
            raise NotFound("practice", id)
        return mapping.practice_from(dict(row._mapping))

    def update(self, item: Practice) -> Practice:
        values = {**mapping.practice_row(item), "updated_at": self.clock.now()}
        result = self.conn.execute(update(self.t).where(self.t.c.id == item.id).values(values))
        if result.rowcount == 0:
            raise NotFound("practice", item.id)
        return item

    def list(self) -> Sequence[Practice]:
        rows = self.conn.execute(select(self.t).order_by(self.t.c.id))
        return [mapping.practice_from(dict(r._mapping)) for r in rows]


class PatientRepository(ScopedRepository[Patient]):
    def by_mrn(self, mrn: str) -> Patient | None:
        found = self._select(self.table.c.mrn == mrn.upper())
        return found[0] if found else None

    def search(
        self,
        *,
        name: str | None = None,
        dob: date | None = None,
        mrn: str | None = None,
        member_id: str | None = None,
        limit: int = 50,
    ) -> Sequence[Patient]:
        t = self.table
        where: list[Any] = []
        if name:
            # "last, first", "first last" or a single part of either name
            if "," in name:
                last, _, first = (s.strip() for s in name.partition(","))
                where.append(func.lower(t.c.last_name).like(f"{last.lower()}%"))
                if first:
                    where.append(func.lower(t.c.first_name).like(f"{first.lower()}%"))
            else:
                for part in name.split():
                    p = f"{part.lower()}%"
                    where.append(
                        or_(func.lower(t.c.last_name).like(p), func.lower(t.c.first_name).like(p))
                    )
        if dob:
            where.append(t.c.dob == dob)
        if mrn:
            where.append(t.c.mrn == mrn.strip().upper())
        if member_id:
            c = tables.coverages
            sub = select(c.c.patient_id).where(
                c.c.practice_id == self.practice_id, c.c.member_id == member_id.strip().upper()
            )
            where.append(t.c.id.in_(sub))
        stmt = (
            select(t)
            .where(self._scope(), *where)
            .order_by(t.c.last_name, t.c.first_name, t.c.id)
            .limit(limit)
        )
        return [self.from_row(dict(r._mapping)) for r in self.conn.execute(stmt)]

    def possible_duplicates(
        self, last_name: str, dob: date, first_initial: str
    ) -> Sequence[Patient]:
        t = self.table
        return self._select(
            func.lower(t.c.last_name) == last_name.lower(),
            t.c.dob == dob,
            func.lower(func.substr(t.c.first_name, 1, 1)) == first_initial.lower(),
        )

    def existing_mrns(self, mrns: Sequence[str]) -> set[str]:
        """Which of these MRNs (compared as ``by_mrn`` does, upper case) a patient of this
        practice already has."""
        t = self.table
        wanted = sorted({m.upper() for m in mrns})
        found: set[str] = set()
        for start in range(0, len(wanted), _ID_CHUNK):
            found.update(
                self.conn.execute(
                    select(t.c.mrn).where(
                        self._scope(), t.c.mrn.in_(wanted[start : start + _ID_CHUNK])
                    )
                ).scalars()
            )
        return found


class CoverageRepository(ScopedRepository[Coverage]):
    def for_patient(self, patient_id: int) -> Sequence[Coverage]:
        return self._select(self.table.c.patient_id == patient_id)

    def for_patients(self, patient_ids: Sequence[int]) -> dict[int, list[Coverage]]:
        """``for_patient`` for many patients: their coverages in id order, by patient id;
        patients without any are left out."""
        out: dict[int, list[Coverage]] = {}
        for coverage in self._in_chunks(self.table.c.patient_id, patient_ids):
            out.setdefault(coverage.patient_id, []).append(coverage)
        return out


class PlanRepository(ScopedRepository[Plan]):
    def for_payer(self, payer_id: int) -> Sequence[Plan]:
        return self._select(self.table.c.payer_ref == payer_id)


class PayerRepository(ScopedRepository[Payer]):
    def by_payer_id(self, payer_id: str) -> Payer | None:
        found = self._select(self.table.c.payer_id == payer_id.strip().upper())
        return found[0] if found else None


class EnrollmentRepository(ScopedRepository[Enrollment]):
    def for_payer(self, payer_id: int) -> Sequence[Enrollment]:
        return self._select(self.table.c.payer_ref == payer_id)


def _user_from(r: Any) -> User:
    return User(
        practice_id=r.practice_id, username=r.username, role=r.role, active=r.active, id=r.id
    )


class UserRepository:
    """Users are looked up by name before the practice is known (at login), so this one is not
    scoped; the services only hand out users of the caller's practice."""

    def __init__(self, conn: Connection, clock: Clock) -> None:
        self.conn = conn
        self.clock = clock

    def add(self, user: User, password_hash: str) -> User:
        t = tables.users
        now = self.clock.now()
        row = {
            "practice_id": user.practice_id,
            "username": user.username,
            "role": user.role,
            "active": user.active,
            "password_hash": password_hash,
            "created_at": now,
            "updated_at": now,
        }
        try:
            with self.conn.begin_nested():
                new_id = self.conn.execute(insert(t).values(row).returning(t.c.id)).scalar_one()
        except IntegrityError:
            raise Conflict("username", "this username is taken") from None
        return dataclasses.replace(user, id=new_id)

    def by_username(self, username: str) -> tuple[User, str] | None:
        t = tables.users
        r = self.conn.execute(select(t).where(t.c.username == username)).first()
        return (_user_from(r), r.password_hash) if r else None

    def get(self, id: int) -> User:
        t = tables.users
        r = self.conn.execute(select(t).where(t.c.id == id)).first()
        if r is None:
            raise NotFound("user", id)
        return _user_from(r)

    def list_for_practice(self, practice_id: int) -> Sequence[User]:
        t = tables.users
        rows = self.conn.execute(select(t).where(t.c.practice_id == practice_id).order_by(t.c.id))
        return [_user_from(r) for r in rows]

    def add_token(
        self, user_id: int, token_hash: str, created: datetime, expires: datetime
    ) -> None:
        self.conn.execute(
            insert(tables.api_tokens).values(
                user_id=user_id,
                token_hash=token_hash,
                created_at=created,
                expires_at=expires,
                revoked=False,
            )
        )

    def user_for_token(self, token_hash: str, now: datetime) -> User | None:
        k, u = tables.api_tokens, tables.users
        r = self.conn.execute(
            select(u)
            .join(k, k.c.user_id == u.c.id)
            .where(and_(k.c.token_hash == token_hash, k.c.revoked.is_(False), k.c.expires_at > now))
        ).first()
        return _user_from(r) if r else None


class AuditLog:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def record(
        self,
        *,
        practice_id: int | None,
        actor: str,
        channel: str,
        action: str,
        record_type: str,
        record_id: object,
        at: datetime,
    ) -> None:
        self.conn.execute(
            insert(tables.audit_log).values(
                practice_id=practice_id,
                at=at,
                actor=actor[:100],
                channel=channel,
                action=action,
                record_type=record_type,
                record_id=None if record_id is None else str(record_id),
            )
        )

    def record_many(self, entries: Sequence[AuditEntry]) -> None:
        if not entries:
            return
        insert_rows(
            self.conn,
            tables.audit_log,
            [
                {
                    "practice_id": e.practice_id,
                    "at": e.at,
                    "actor": e.actor[:100],
                    "channel": e.channel,
                    "action": e.action,
                    "record_type": e.record_type,
                    "record_id": e.record_id,
                }
                for e in entries
            ],
        )

    def entries(
        self,
        practice_id: int,
        *,
        record_type: str | None = None,
        record_id: str | None = None,
        limit: int = 100,
    ) -> Sequence[AuditEntry]:
        t = tables.audit_log
        stmt = select(t).where(t.c.practice_id == practice_id)
        if record_type:
            stmt = stmt.where(t.c.record_type == record_type)
        if record_id:
            stmt = stmt.where(t.c.record_id == record_id)
        rows = self.conn.execute(stmt.order_by(t.c.id.desc()).limit(limit))
        return [
            AuditEntry(
                at=r.at,
                actor=r.actor,
                channel=r.channel,
                action=r.action,
                record_type=r.record_type,
                record_id=r.record_id,
                practice_id=r.practice_id,
                id=r.id,
            )
            for r in rows
        ]


class Sequences:
    """Named counters in the ``sequences`` table; the row lock serializes concurrent callers."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def next_block(self, practice_id: int, name: str, size: int) -> range:
        """``size`` consecutive values reserved at once."""
        t = tables.sequences
        key = and_(t.c.practice_id == practice_id, t.c.name == name)
        first = self.next(practice_id, name)
        if size > 1:
            self.conn.execute(update(t).where(key).values(value=t.c.value + (size - 1)))
        return range(first, first + size)

    def next(self, practice_id: int, name: str) -> int:
        t = tables.sequences
        key = and_(t.c.practice_id == practice_id, t.c.name == name)
        result = self.conn.execute(
            update(t).where(key).values(value=t.c.value + 1).returning(t.c.value)
        )
        value = result.scalar_one_or_none()
        if value is not None:
            return int(value)
        try:
            with self.conn.begin_nested():
                self.conn.execute(insert(t).values(practice_id=practice_id, name=name, value=1))
            return 1
        except IntegrityError:  # another transaction created it first
            return self.next(practice_id, name)
