"""Denial benchmarks: classify and queue the denials of a 20,000-claim 835, and page a work
queue of 1,000,000 denial records.

Targets (issue 9): the denials of a 20,000-claim 835 classified and inserted in < 10 s on
SQLite and on PostgreSQL; a work-queue page of 50 items over 1,000,000 denial records in
< 200 ms on PostgreSQL (first page and a deep keyset page).

The remittance is built in memory as in ``posting_bench`` and posted by the pure engine (not
timed); its denials (about 5% of the claims, claim and line level) plus one line-level record
for every other line with a CARC (so about 20,000 records in all) are classified and inserted
through ``denial_store``. The records point at a few real claims (the foreign key), each with
its own source reference. The million rows are loaded with COPY (``db.bulk.insert_rows``).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.claims_bench import PG_URL, _prepare
from bench.posting_bench import build
from revcycle.posting import ClaimIndex, post_remittance


def _records(n: int) -> list:  # type: ignore[type-arg]
    from revcycle.posting.model import DenialRecord

    claims, remittance = build(n)
    result = post_remittance(remittance, ClaimIndex(claims), practice_id="bench")
    records = list(result.denials)
    # the other adjusted lines too, so the run classifies and inserts ~20,000 records
    for cp in remittance.claims:
        for k, svc in enumerate(cp.lines):
            if len(records) >= n:
                return records
            if svc.adjustments and svc.paid:
                records.append(
                    DenialRecord(cp.patient_control_number, f"{k}", "BENCH",
                                 cp.payer_claim_control_number, svc.adjustments, (),
                                 svc.adjustments[0].amount)
                )  # fmt: skip
    return records


def queue_insert_bench(kind: str, url: str, n: int) -> None:
    from revcycle.db.denial_repo import denial_store
    from revcycle.denials.classify import classify
    from revcycle.denials.deadlines import appeal_deadline, timely_filing_deadline
    from revcycle.domain.denial import Denial
    from revcycle.services.claims import create_claims

    ctx, engine = _prepare(url, 50)
    real = [c.id for c in create_claims(ctx)]
    records = _records(n)
    with ctx.uow() as uow:
        payer = uow.payers.list()[0]
    denied_on = date(2026, 6, 1)
    t0 = time.perf_counter()
    rows = []
    for i, r in enumerate(records):
        found = classify("835", r.carcs, r.remarks, payer_class=payer.payer_class)
        rows.append(
            Denial(
                claim_id=real[i % len(real)], source="835",
                source_ref=f"BENCH1:{r.payer_claim_control_number}:{r.line_id or '-'}",
                category=found.category, action=found.action, amount=r.amount,
                denied_on=denied_on, payer_id=payer.id, carcs=r.carcs, rarcs=r.remarks,
                payer_claim_number=r.payer_claim_control_number,
                timely_filing_deadline=timely_filing_deadline(date(2026, 5, 1), 365),
                appeal_deadline=appeal_deadline(denied_on, payer.payer_class,
                                                appealable=found.appealable),
            )
        )  # fmt: skip
    t1 = time.perf_counter()
    with ctx.uow() as uow:
        stored = denial_store(uow).add_many(rows, ctx.actor)
        uow.commit()
    t2 = time.perf_counter()
    assert len(stored) == len(rows)
    print(
        f"{kind}: {len(rows):,} denial records classified in {t1 - t0:.2f} s and inserted "
        f"(with their 'created' events) in {t2 - t1:.2f} s = {t2 - t0:.2f} s (target < 10 s)",
        flush=True,
    )
    engine.dispose()


def page_bench(url: str, total: int) -> None:
    from sqlalchemy import func, select, text

    from revcycle.db.bulk import insert_rows
    from revcycle.db.denial_repo import denial_store
    from revcycle.db.denial_tables import denials
    from revcycle.services.claims import create_claims
    from revcycle.services.denial_ports import DenialFilter

    ctx, engine = _prepare(url, 50)
    real = [c.id for c in create_claims(ctx)]
    with ctx.uow() as uow:
        payer = uow.payers.list()[0]
    rnd = random.Random(9)
    cats = ["coding", "medical_necessity", "authorization", "eligibility", "missing_information"]
    statuses = ["open"] * 6 + ["in_progress"] * 2 + ["closed", "appealed"]
    now = ctx.clock.now()
    t0 = time.perf_counter()
    chunk = 100_000
    for start in range(0, total, chunk):
        rows = []
        for i in range(start, min(start + chunk, total)):
            amount = Decimal(rnd.randint(1000, 200_000)) / 100
            status = rnd.choice(statuses)
            deadline = date(2026, 6, 15) + timedelta(days=rnd.randint(-30, 365))
            rows.append(
                {
                    "practice_id": ctx.practice_id, "claim_id": real[i % len(real)],
                    "line_id": None, "line_key": 0, "source": "835", "source_ref": f"L{i}",
                    "payer_id": payer.id, "payer_claim_number": f"ICN{i}",
                    "carcs": '["CO-50"]', "rarcs": "[]", "category": rnd.choice(cats),
                    "action": "appeal", "amount": amount,
                    "denied_on": date(2026, 6, 15) - timedelta(days=rnd.randint(0, 200)),
                    "timely_filing_deadline": deadline, "appeal_deadline": deadline,
                    "deadline": deadline, "appeal_level": 0, "status": status,
                    "priority": int(amount * 100) * rnd.randint(1, 5) if status in ("open", "in_progress") else 0,
                    "owner": rnd.choice([None, "maria", "lee"]), "follow_up": None,
                    "resolution": None, "created_at": now, "updated_at": now,
                }
            )  # fmt: skip
        with engine.begin() as conn:
            insert_rows(conn, denials, rows)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE denials"))
        n = conn.execute(select(func.count()).select_from(denials)).scalar_one()
    print(f"PostgreSQL: {n:,} denial records loaded with COPY in {time.perf_counter() - t0:.0f} s "
          "(not timed)", flush=True)  # fmt: skip
    today = ctx.clock.today()
    t = denials

    def timed(label: str, where: DenialFilter, after: str | None = None) -> None:
        with ctx.uow() as uow:
            store = denial_store(uow)
            store.page(where, today, 50, after)  # warm
            t0 = time.perf_counter()
            for _ in range(20):
                page = store.page(where, today, 50, after)
            ms = (time.perf_counter() - t0) * 1000 / 20
        assert len(page.items) == 50
        print(f"PostgreSQL: {label}: 50 items in {ms:.1f} ms (target < 200 ms)", flush=True)

    timed("first page of the open queue", DenialFilter())
    with engine.connect() as conn:
        deep = conn.execute(
            select(t.c.priority, t.c.id)
            .where(t.c.practice_id == ctx.practice_id, t.c.status.in_(["open", "in_progress"]))
            .order_by(t.c.priority.desc(), t.c.id.desc())
            .offset(total * 7 // 10)
            .limit(1)
        ).one()
    timed("deep keyset page (70% down the queue)", DenialFilter(), f"{deep[0]}.{deep[1]}")
    timed("first page, status open only", DenialFilter(statuses=("open",)))
    timed("first page, one category and owner", DenialFilter(category="coding", owner="maria"))
    engine.dispose()


def _with_pg_database(fn, *args) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"revcycle_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        fn(PG_URL.rsplit("/", 1)[0] + f"/{name}", *args)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(n: int = 20_000, total: int = 1_000_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        queue_insert_bench("SQLite", f"sqlite:///{tmp}/bench.db", n)
    _with_pg_database(lambda url: queue_insert_bench("PostgreSQL", url, n))
    _with_pg_database(page_bench, total)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
