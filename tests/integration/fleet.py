"""Practices with many ``ready`` claims, made quickly, for the worker fleet test and the queue
benchmark: ``python -m tests.integration.fleet URL INDEX N`` prepares practice number INDEX
(its own TIN, NPI and submitter ID) with N claims ready to send to SIMPPO, in one process, so
that several practices can be prepared side by side. Same path as ``bench/submit_bench.py``:
patients, coverages and encounters entered through the services, claims created and moved to
``ready`` (not scrubbed: the test is about the queue, not the scrubber)."""

from __future__ import annotations

import random
import sys
from datetime import UTC, date, datetime, timedelta

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
CODES = ["99213", "99214", "93000", "80053", "97110"]
DX = ["E11.9", "I10", "E78.5", "J06.9", "N39.0", "K21.9", "F41.1", "M54.50"]


def tin_of(index: int) -> str:
    return f"{31_000_000 + index:09d}"


def npi_of(index: int) -> str:
    from revcycle.domain.identifiers import npi_check_digit

    first = f"1{55_000_000 + index * 7:08d}"
    return first + str(npi_check_digit(first))


def submitter_of(index: int) -> str:
    return f"RC{tin_of(index)}"


def prepare(url: str, index: int, n: int) -> int:
    """Practice ``index`` with ``n`` ready claims to SIMPPO; returns its id."""
    from revcycle.db.engine import make_engine
    from revcycle.db.uow import SqlUnitOfWorkFactory
    from revcycle.domain.fees import Chargemaster
    from revcycle.services import charges, claims, patients, setup
    from revcycle.services.clock import FixedClock
    from revcycle.services.context import Context

    clock = FixedClock(NOW)
    engine = make_engine(url)
    ctx = Context.operator("fleet", clock, SqlUnitOfWorkFactory(engine, clock))
    practice = setup.create_practice(
        ctx,
        {
            "legal_name": f"Fleet Practice {index}",
            "tin": tin_of(index),
            "group_npi": npi_of(index),
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
        ctx,
        {
            "npi": npi_of(index + 500),
            "first_name": "A",
            "last_name": "B",
            "roles": "rendering,billing",
            "taxonomy": "207Q00000X",
        },
    )
    payer = setup.create_payer(ctx, {"name": "Acme Health PPO", "payer_id": "SIMPPO"})
    setup.add_plan(ctx, payer.id or 0, {"name": "PPO", "claim_filing_indicator": "12"})
    setup.add_enrollment(ctx, payer.id or 0, {"effective": "2020-01-01", "era": True})
    for code in CODES:
        charges.add_fee(ctx, {"procedure": code, "amount": "100.00"})
    rng = random.Random(index)
    per_patient = 10
    with ctx.uow() as uow:
        cm = Chargemaster(tuple(uow.fee_schedule.list()))
        for i in range(-(-n // per_patient)):
            p = patients.register_patient_in(
                ctx,
                uow,
                {
                    "mrn": f"F{index}-{i}",
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
                {"payer": "SIMPPO", "member_id": f"F{index}X{i:07d}", "effective": "2026-01-01"},
            )
            for j in range(min(per_patient, n - i * per_patient)):
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
                            {"procedure": code, "pointers": "1,2"}
                            for code in rng.sample(CODES, rng.randrange(1, 3))
                        ],
                    },
                    cm,
                )
        uow.commit()
    created = claims.create_claims(ctx)
    with ctx.uow() as uow:
        for record in created:
            clean = claims.transition(uow, ctx, record, "scrubbed_clean", "fleet")
            claims.transition(uow, ctx, clean, "ready", "fleet")
        uow.commit()
    engine.dispose()
    assert len(created) == n, (len(created), n)
    return practice.id or 0


if __name__ == "__main__":
    url, index, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    print(prepare(url, index, n))
