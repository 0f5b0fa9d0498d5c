"""Submission benchmark: submit and acknowledge 10,000 claims end to end over SFTP on loopback.

Target (issue 6): < 60 s for 10,000 claims. Timed: ``services.submission.submit`` (837s up over
the simulator's real SFTP server), the simulator answering the uploads (999 + 277CA into the
inbound folder) and ``services.inbox.poll`` (fetch over SFTP, store, apply). Not timed: entering
the encounters, creating the claims and moving them to ``ready``. Every claim must end
``accepted``. Runs on a temporary SQLite file, then on PostgreSQL when it is reachable
(``REVCYCLE_BENCH_POSTGRES_URL``; a throwaway database is created and dropped).
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.claims_bench import CODES, DX, PG_URL

N = int(os.environ.get("REVCYCLE_BENCH_SUBMIT_CLAIMS", "10000"))
TARGET_SECONDS = 60.0
TIN = "123456789"
SUBMITTER = f"RC{TIN}"  # services.x12_out.submitter_for: RC + the practice's TIN
PASSWORD = "bench-Secret-pw1"
NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _prepare(url: str, n: int):  # type: ignore[no-untyped-def]
    """A practice billing SIMPPO with ``n`` claims ``ready`` (one unit of work per step)."""
    from revcycle.db.engine import open_engine
    from revcycle.db.uow import SqlUnitOfWorkFactory
    from revcycle.domain.fees import Chargemaster
    from revcycle.services import charges, claims, patients, setup
    from revcycle.services.clock import FixedClock
    from revcycle.services.context import Context

    clock = FixedClock(NOW)
    engine = open_engine(url)
    ctx = Context.operator("bench", clock, SqlUnitOfWorkFactory(engine, clock))
    practice = setup.create_practice(
        ctx,
        {
            "legal_name": "Bench Practice",
            "tin": TIN,
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
        ctx,
        {
            "npi": "1558444216",
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
    rng = random.Random(6)
    per_patient = 10
    with ctx.uow() as uow:
        cm = Chargemaster(tuple(uow.fee_schedule.list()))
        for i in range(-(-n // per_patient)):
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
                {"payer": "SIMPPO", "member_id": f"ABC{i:07d}", "effective": "2026-01-01"},
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
                            for code in rng.sample(CODES, rng.randrange(1, 4))
                        ],
                    },
                    cm,
                )
        uow.commit()
    created = claims.create_claims(ctx)
    with ctx.uow() as uow:
        for record in created:
            clean = claims.transition(uow, ctx, record, "scrubbed_clean", "bench")
            claims.transition(uow, ctx, clean, "ready", "bench")
        uow.commit()
    return ctx, engine, [c.id or 0 for c in created]


def submit_bench(kind: str, url: str, n: int = N) -> float:
    from revcycle.payer.sftp_server import SftpServerThread, SftpUser
    from revcycle.payer.simulator import Simulator
    from revcycle.services import inbox, submission
    from revcycle.services.context import Context
    from revcycle.transport import RetryPolicy, SftpConfig, open_mailbox

    t0 = time.perf_counter()
    ctx, engine, ids = _prepare(url, n)
    assert len(ids) == n, (len(ids), n)
    progress(f"{kind}: {n:,} ready claims prepared in {time.perf_counter() - t0:.1f} s (not timed)")

    def factory(pid: int | None) -> Context:
        return Context(pid, ctx.actor, ctx.channel, ctx.permissions, ctx.clock, ctx.uow_factory)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "sftp-root"
        with SftpServerThread(root, [SftpUser(SUBMITTER, password=PASSWORD)]) as server:
            config = SftpConfig(
                host="127.0.0.1",
                port=server.port,
                username=SUBMITTER,
                password=PASSWORD,
                host_key=server.host_key,
                retry=RetryPolicy(attempts=3, initial_delay=0.01, max_delay=0.05),
            )
            sim = Simulator(Path(tmp) / "sim-state", server.mailboxes, ctx.clock.now, seed=6)
            try:
                t_start = time.perf_counter()
                with open_mailbox(config) as mailbox:
                    sent = submission.submit(ctx, mailbox)
                    t_submitted = time.perf_counter()
                    progress(
                        f"{kind}: submitted {sent.claim_count:,} claims in "
                        f"{len(sent.batches)} file(s) in {t_submitted - t_start:.1f} s"
                    )
                    answers = sim.process_uploads(ctx.clock.now())
                    t_answered = time.perf_counter()
                    progress(
                        f"{kind}: simulator answered {len(answers)} upload(s) in "
                        f"{t_answered - t_submitted:.1f} s"
                    )
                    polled = inbox.poll(factory, mailbox)
                    t_end = time.perf_counter()
            finally:
                sim.close()
    assert not polled.failed, polled.failed
    with ctx.uow() as uow:
        statuses: dict[str, int] = {}
        for claim_id in ids:
            status = uow.claims.get(claim_id).status
            statuses[status] = statuses.get(status, 0) + 1
    engine.dispose()
    assert statuses == {"accepted": n}, statuses
    total = t_end - t_start
    print(
        f"{kind}: submit + acknowledge {n:,} claims over SFTP in {total:.1f} s "
        f"= {n / total:,.0f} claims/s (submit {t_submitted - t_start:.1f} s, simulator "
        f"{t_answered - t_submitted:.1f} s, poll+apply {t_end - t_answered:.1f} s; "
        f"{len(polled.stored)} response files); target < {TARGET_SECONDS:.0f} s "
        f"-> {TARGET_SECONDS / total:.2f}x"
    )
    return total


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        submit_bench("SQLite", f"sqlite:///{tmp}/bench.db")
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"revcycle_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # PostgreSQL is optional here: say so and stop
        print(f"PostgreSQL: skipped ({type(exc).__name__}: {exc})".splitlines()[0])
        admin.dispose()
        return
    try:
        submit_bench("PostgreSQL", PG_URL.rsplit("/", 1)[0] + f"/{name}")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
