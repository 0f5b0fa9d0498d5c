"""Claims benchmarks: the scrubber in process (1,000,000-pair PTP table and MUEs loaded), and
creating and persisting claims from encounters on SQLite and on PostgreSQL.

Targets (issue 5): scrub >= 5,000 claims/s; create and persist >= 2,000 claims/s.
Every claim differs (patients, codes, diagnoses, charges), so no result comes from a cache.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from revcycle.codesets import default_codesets
from revcycle.codesets.ncci import MueEdit, MueTable, PtpTable, synthetic_ptp_rows
from revcycle.domain import claim as x
from revcycle.domain.money import Money
from revcycle.scrubber import scrub

PG_URL = os.environ.get(
    "REVCYCLE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
CODES = [
    "99212",
    "99213",
    "99214",
    "93000",
    "36415",
    "80053",
    "85025",
    "81002",
    "90471",
    "20610",
    "11102",
    "97110",
]
DX = [
    "E11.9",
    "I10",
    "E78.5",
    "J06.9",
    "N39.0",
    "M17.11",
    "R07.9",
    "Z00.00",
    "J44.1",
    "K21.9",
    "F41.1",
    "M54.50",
]


def scrub_bench(n: int = 20000) -> float:
    from tests.unit.scrubber.builders import line, scrub_input

    t0 = time.perf_counter()
    cs = default_codesets()
    ptp = PtpTable.from_rows(synthetic_ptp_rows(1_000_000))
    mue = MueTable.from_rows(MueEdit(c, 4, 2) for c in CODES)
    cs = cs.with_ncci(ptp, mue)
    print(f"codesets with {len(ptp):,} PTP pairs ready in {time.perf_counter() - t0:.1f} s")
    rng = random.Random(5)
    base = scrub_input(codesets=cs)
    inputs = []
    for i in range(n):
        k = rng.randrange(1, 4)
        lines = tuple(
            line(
                rng.choice(CODES),
                f"{rng.randrange(20, 400)}.{rng.randrange(100):02d}",
                j + 1,
                pointers=(1,),
                service_date=date(2026, 6, 1) - timedelta(days=rng.randrange(30)),
            )
            for j in range(k)
        )
        dx = tuple(x.Diagnosis(d.replace(".", "")) for d in rng.sample(DX, rng.randrange(1, 4)))
        claim = replace(
            base.claim,
            patient_control_number=f"P1C{i:07d}",
            lines=lines,
            diagnoses=dx,
            total_charge=Money.sum(li.charge for li in lines),
        )
        inputs.append(replace(base, claim=claim))
    t0 = time.perf_counter()
    findings = 0
    for inp in inputs:
        findings += len(scrub(inp))
    elapsed = time.perf_counter() - t0
    rate = n / elapsed
    print(
        f"scrub: {n:,} claims in {elapsed:.2f} s = {rate:,.0f} claims/s ({findings:,} findings); target 5,000/s "
        f"-> {rate / 5000:.2f}x"
    )
    return rate


def _prepare(url: str, n: int):  # type: ignore[no-untyped-def]
    from revcycle.db.engine import open_engine
    from revcycle.db.uow import SqlUnitOfWorkFactory
    from revcycle.domain.fees import Chargemaster
    from revcycle.services import charges, patients, setup
    from revcycle.services.clock import FixedClock
    from revcycle.services.context import Context

    clock = FixedClock(datetime(2026, 6, 15, 12, tzinfo=UTC))
    engine = open_engine(url)
    ctx = Context.operator("bench", clock, SqlUnitOfWorkFactory(engine, clock))
    practice = setup.create_practice(
        ctx,
        {
            "legal_name": "Bench Practice",
            "tin": "123456789",
            "group_npi": "1234567893",
            "taxonomy": "207Q00000X",
            "billing_address": {
                "line1": "1 Main St",
                "city": "Springfield",
                "state": "IL",
                "zip": "627011234",
            },
            "phone": "2175550100",
        },
    )
    ctx = ctx.with_practice(practice.id or 0)
    prov = setup.create_provider(
        ctx, {"npi": "1558444216", "first_name": "A", "last_name": "B", "roles": "rendering"}
    )
    payer = setup.create_payer(ctx, {"name": "Acme", "payer_id": "SIMPPO"})
    setup.add_plan(ctx, payer.id or 0, {"name": "PPO", "claim_filing_indicator": "12"})
    for code in CODES:
        charges.add_fee(ctx, {"procedure": code, "amount": "100.00"})
    rng = random.Random(9)
    with ctx.uow() as uow:
        cm = Chargemaster(tuple(uow.fee_schedule.list()))
        for i in range(n // 10):
            p = patients.register_patient_in(
                ctx,
                uow,
                {
                    "mrn": f"B{i}",
                    "last_name": "Pat" + "abcdefghij"[i % 10] * (1 + i // 10 % 5),
                    "first_name": "X",
                    "dob": "1970-01-01",
                    "sex": "F",
                    "address": {
                        "line1": "1 Elm St",
                        "city": "Springfield",
                        "state": "IL",
                        "zip": "62701",
                    },
                },
                True,
            )
            patients.add_coverage_in(
                ctx,
                uow,
                p.id or 0,
                {"payer": "SIMPPO", "member_id": f"M{i}", "effective": "2026-01-01"},
            )
            for j in range(10):
                charges.record_encounter(
                    ctx,
                    uow,
                    {
                        "patient_id": p.id,
                        "dos_from": date(2026, 5, 1) + timedelta(days=j),
                        "rendering_provider_id": prov.id,
                        "place_of_service": "11",
                        "diagnoses": rng.sample(DX, 2),
                        "lines": [
                            {"procedure": rng.choice(CODES), "pointers": "1,2"}
                            for _ in range(rng.randrange(1, 4))
                        ],
                    },
                    cm,
                )
        uow.commit()
    return ctx, engine


def create_bench(kind: str, url: str, n: int = 2000) -> float:
    from revcycle.services.claims import create_claims

    t0 = time.perf_counter()
    ctx, engine = _prepare(url, n)
    print(f"{kind}: {n:,} encounters entered in {time.perf_counter() - t0:.1f} s (not timed)")
    t0 = time.perf_counter()
    created = create_claims(ctx)
    elapsed = time.perf_counter() - t0
    engine.dispose()
    rate = len(created) / elapsed
    print(
        f"{kind}: created and persisted {len(created):,} claims in {elapsed:.2f} s = {rate:,.0f} claims/s; "
        f"target 2,000/s -> {rate / 2000:.2f}x"
    )
    return rate


def main() -> None:
    scrub_bench()
    with tempfile.TemporaryDirectory() as tmp:
        create_bench("SQLite", f"sqlite:///{tmp}/bench.db")
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"revcycle_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        create_bench("PostgreSQL", PG_URL.rsplit("/", 1)[0] + f"/{name}")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
