"""Records read back from rows are the same however they are built: claims and encounters
built the fast way (stored amounts taken as they are) equal the ones the checked way built,
quiet claims read in two steps equal the ones the correlated query found (same claims, same
order), and a sweep's 276 questions read a chunk of sources at a time equal the ones read
claim by claim. The reference is the demo's month, on each database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import Connection, Engine, and_, func, select, text

from revcycle.cli.demo_cmd import DEMO_NOW
from revcycle.db import submission_tables as st
from revcycle.db import tables
from revcycle.db.charges_repo import _inst_from
from revcycle.db.claim_status_repo import StatusRepository
from revcycle.db.claim_status_tables import claim_status_inquiries
from revcycle.db.engine import make_engine
from revcycle.db.uow import SqlUnitOfWorkFactory
from revcycle.domain.claim_record import ClaimLineRecord, ClaimRecord
from revcycle.domain.encounter import Diagnosis, Encounter, ServiceLine
from revcycle.domain.money import Money
from revcycle.services import claim_status as service
from revcycle.services.claim_builder import build_claim, load_sources
from revcycle.services.claim_status import (
    _EPOCH,
    QuietClaim,
    _requests,
    _StatusReads,
    status_request,
)
from revcycle.services.clock import FixedClock
from revcycle.services.context import Context
from revcycle.services.ports import UnitOfWork

# ---- the builders as they were: the reference -------------------------------------------------


def _old_line(r: Any) -> ServiceLine:
    return ServiceLine(
        procedure=r.procedure,
        units=Decimal(r.units).normalize() if r.units % 1 else Decimal(int(r.units)),
        pointers=tuple(int(p) for p in r.pointers.split(",") if p),
        modifiers=tuple(m for m in r.modifiers.split(",") if m),
        charge=Money(r.charge),
        charge_source=r.charge_source,
        dos_from=r.dos_from,
        dos_to=r.dos_to,
        ndc=r.ndc,
        ndc_unit=r.ndc_unit,
        ndc_quantity=r.ndc_quantity,
        anesthesia_minutes=r.anesthesia_minutes,
        revenue_code=r.revenue_code,
        note=r.note,
        entered_at=r.entered_at,
        id=r.id,
    )


def _old_encounters(conn: Connection, practice_id: int) -> list[Encounter]:
    e, lt = tables.encounters, tables.encounter_lines
    rows = conn.execute(select(e).where(e.c.practice_id == practice_id).order_by(e.c.id)).all()
    by_enc: dict[int, list[ServiceLine]] = {}
    for lr in conn.execute(
        select(lt)
        .where(lt.c.encounter_id.in_([r.id for r in rows]))
        .order_by(lt.c.encounter_id, lt.c.line_no)
    ):
        by_enc.setdefault(lr.encounter_id, []).append(_old_line(lr))
    return [
        Encounter(
            patient_id=r.patient_id,
            dos_from=r.dos_from,
            dos_to=r.dos_to,
            rendering_provider_id=r.rendering_ref,
            place_of_service=r.place_of_service,
            diagnoses=tuple(Diagnosis(d["code"], d.get("poa")) for d in r.diagnoses),
            lines=tuple(by_enc.get(r.id, ())),
            kind=r.kind,
            referring_provider_id=r.referring_ref,
            supervising_provider_id=r.supervising_ref,
            facility_id=r.facility_ref,
            coverage_ids=tuple(r.coverage_ids or ()),
            prior_authorization=r.prior_authorization,
            referral_number=r.referral_number,
            external_ref=r.external_ref,
            institutional=_inst_from(r.institutional),
            id=r.id,
        )
        for r in rows
    ]


def _old_claims(conn: Connection, practice_id: int) -> list[ClaimRecord]:
    c, cl = tables.claims, tables.claim_lines
    rows = conn.execute(select(c).where(c.c.practice_id == practice_id).order_by(c.c.id)).all()
    by_claim: dict[int, list[ClaimLineRecord]] = {}
    for lr in conn.execute(
        select(cl)
        .where(cl.c.claim_id.in_([r.id for r in rows]))
        .order_by(cl.c.claim_id, cl.c.line_no)
    ):
        by_claim.setdefault(lr.claim_id, []).append(
            ClaimLineRecord(
                lr.line_no, lr.encounter_line_id, lr.line_control_number, Money(lr.charge), lr.id
            )
        )
    return [
        ClaimRecord(
            encounter_id=r.encounter_id,
            coverage_id=r.coverage_id,
            payer_id=r.payer_ref,
            kind=r.kind,
            patient_control_number=r.patient_control_number,
            total_charge=Money(r.total_charge),
            lines=tuple(by_claim.get(r.id, ())),
            status=r.status,
            frequency=r.frequency,
            original_claim_id=r.original_claim_id,
            payer_claim_number=r.payer_claim_number,
            first_pass_clean=r.first_pass_clean,
            scrub_runs=r.scrub_runs,
            created_at=r.created_at,
            id=r.id,
        )
        for r in rows
    ]


def _old_quiet_claims(conn: Connection, pid: int) -> list[QuietClaim]:
    c, p = tables.claims, tables.payers
    s, sc = st.submissions, st.submission_claims
    i, rc, w = claim_status_inquiries, st.remittance_claims, tables.work_items
    last_sent = (
        select(func.max(func.coalesce(s.c.completed_at, s.c.transmitted_at, s.c.created_at)))
        .select_from(sc.join(s, s.c.id == sc.c.submission_id))
        .where(sc.c.practice_id == pid, sc.c.claim_id == c.c.id)
        .scalar_subquery()
    )
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
            last_sent.label("last_sent"),
            last_asked.label("last_asked"),
        )
        .join(p, p.c.id == c.c.payer_ref)
        .where(c.c.practice_id == pid, c.c.status.in_(service.QUIET_STATES), ~remitted, ~queued)
        .order_by(c.c.id)
    )

    def when(value: Any) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value
        return datetime.fromisoformat(str(value))

    return [
        QuietClaim(
            claim_id=r.id,
            patient_control_number=r.patient_control_number,
            payer_ref=r.payer_ref,
            payer_id=r.payer_id,
            status=r.status,
            total_charge=Money(Decimal(r.total_charge)),
            last_sent=when(r.last_sent) or r.created_at,
            last_asked=when(r.last_asked),
        )
        for r in conn.execute(query)
    ]


def _amounts(value: Any) -> list[str]:
    """Every amount inside ``value`` as its exact text (``1.5`` and ``1.50`` differ)."""
    out: list[str] = []

    def walk(x: Any) -> None:
        if isinstance(x, Money):
            out.append(str(x.amount))
        elif isinstance(x, list | tuple):
            for y in x:
                walk(y)
        elif hasattr(x, "__dataclass_fields__"):
            for name in x.__dataclass_fields__:
                walk(getattr(x, name))

    walk(value)
    return out


# ---- the demo's month -------------------------------------------------------------------------


@dataclass
class Demo:
    ctx: Context
    engine: Engine
    practice_id: int


def _run_demo(database_url: str, out: Path) -> int:
    exe = Path(sys.executable).parent / "revcycle"
    env = {k: v for k, v in os.environ.items() if k != "REVCYCLE_DATABASE_URL"}
    args = ["demo", "--out", str(out), "--encounters", "120", "--seed", "3", "--json"]
    r = subprocess.run(
        [str(exe), *args, "--db", database_url],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=out.parent,
    )
    assert r.returncode == 0, r.stderr
    summary = json.loads((out / "summary.json").read_text())
    return int(summary["registration"]["practice"]["id"])


@pytest.fixture
def demo(database_url: str, tmp_path: Path) -> Iterator[Demo]:
    practice_id = _run_demo(database_url, tmp_path / "out")
    engine = make_engine(database_url)
    clock = FixedClock(DEMO_NOW)
    ctx = Context.operator("tester", clock, SqlUnitOfWorkFactory(engine, clock))
    yield Demo(ctx.with_practice(practice_id), engine, practice_id)
    engine.dispose()


def test_claims_and_encounters_built_from_rows_equal_the_checked_ones(demo: Demo) -> None:
    with demo.engine.connect() as conn:
        old_claims = _old_claims(conn, demo.practice_id)
        old_encounters = _old_encounters(conn, demo.practice_id)
    with demo.ctx.uow() as uow:
        claims = list(uow.claims.get_many([c.id or 0 for c in old_claims]))
        encounters = list(uow.encounters.get_many([e.id or 0 for e in old_encounters]))
        one = uow.claims.get(old_claims[0].id or 0)
    assert len(old_claims) >= 120 and len(old_encounters) >= 120
    assert claims == old_claims and one == old_claims[0]
    assert encounters == old_encounters
    assert _amounts(claims) == _amounts(old_claims)  # two places, as the checked way made them
    assert _amounts(encounters) == _amounts(old_encounters)
    assert all(a.endswith(tuple("0123456789")) and a[-3] == "." for a in _amounts(claims))


def test_quiet_claims_are_the_ones_the_correlated_query_found_in_order(demo: Demo) -> None:
    pid = demo.practice_id
    with demo.engine.connect() as conn:
        # many quiet claims: most claims back to "submitted", half of the remittances unlinked
        # (claims never sent fall back to their creation time)
        conn.execute(
            text(
                "UPDATE claims SET status = 'submitted' WHERE practice_id = :p"
                " AND status IN ('paid', 'denied', 'partially_paid', 'scrubbed_errors')"
            ),
            {"p": pid},
        )
        conn.execute(
            text(
                "UPDATE remittance_claims SET claim_id = NULL WHERE id % 2 = 0 AND practice_id = :p"
            ),
            {"p": pid},
        )
        repo = StatusRepository(conn, pid, demo.ctx.clock)
        expected = _old_quiet_claims(conn, pid)
        got = repo.quiet_claims()
        some_payer = expected[0].payer_ref
        by_payer = repo.quiet_claims(some_payer)
        conn.rollback()
    assert len(expected) > 20
    assert any(q.last_asked is not None for q in expected)
    assert got == expected
    assert by_payer == [q for q in expected if q.payer_ref == some_payer]


def test_276_questions_read_in_chunks_equal_the_claim_by_claim_ones(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "_SOURCES_CHUNK", 7)  # several chunks
    with demo.ctx.uow() as uow:
        practice = uow.practices.get(demo.practice_id)
        records = [
            r for r in uow.claims.list(limit=1000) if r.status not in ("draft", "scrubbed_errors")
        ]
        expected = [
            status_request(build_claim(load_sources(uow, r)), r, practice, "", _EPOCH, lines=True)
            for r in records
        ]
        reads = cast(UnitOfWork, _StatusReads(uow, records))
        got = _requests(reads, records, practice, True)
        bare = _requests(cast(UnitOfWork, _StatusReads(uow, records)), records, practice, False)
    assert len(records) > 20
    assert got == expected
    assert [q.lines for q in bare] == [() for _ in records]
