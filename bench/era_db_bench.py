"""ERA posting on the databases: one 20,000-claim 835 posted end to end by ``post_era`` (read,
validate, match, post, record) on SQLite and on PostgreSQL, and one account balance recomputed
from the postings table.

Targets (issue 8): the 20,000-claim file in <= 20 s (>= 1,000 claims/s) on each database with
flat memory; any account's balance recomputed from the ledger in < 10 ms.
The claims are real claims created from encounters (claims bench set-up); the 835 pays them
with contractual and patient amounts, denials and two PLBs, every claim different.
"""

from __future__ import annotations

import random
import resource
import sys
import tempfile
import time
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.claims_bench import PG_URL, _prepare
from revcycle.domain.money import Money
from revcycle.domain.remittance import (
    Adjustment,
    ClaimPayment,
    Payment,
    ProviderAdjustment,
    RemitParty,
    Remittance,
    ServicePayment,
)


def _cents(n: int) -> Money:
    return Money(Decimal(n) / 100)


def _835(billed: list, seed: int = 8) -> bytes:  # type: ignore[type-arg]
    from revcycle.services.x12_out import CLEARINGHOUSE_ID
    from revcycle.x12.control import InMemoryControlNumbers
    from revcycle.x12.mapping.remit835 import transaction_835
    from revcycle.x12.writer import Envelope, write_interchange

    rnd = random.Random(seed)
    payments = []
    for c in billed:
        denied = rnd.random() > 0.95
        svcs = []
        for ln in c.lines:
            charge = int(ln.charge.amount * 100)
            if denied:
                adj: tuple[Adjustment, ...] = (Adjustment("CO", "50", ln.charge),)
                paid = 0
            else:
                allowed = charge * rnd.randint(50, 90) // 100
                pr = allowed * rnd.choice((0, 10, 20)) // 100
                paid = allowed - pr
                adj = (Adjustment("CO", "45", _cents(charge - allowed)),)
                if pr:
                    adj += (Adjustment("PR", "2", _cents(pr)),)
            svcs.append(
                ServicePayment(
                    ln.procedure,
                    ln.charge,
                    _cents(paid),
                    units=Decimal(1),
                    line_control_number=ln.line_control_number,
                    service_date=ln.service_date,
                    adjustments=adj,
                )
            )
        pr_total = Money.sum(a.amount for s in svcs for a in s.adjustments if a.group == "PR")
        payments.append(
            ClaimPayment(
                c.patient_control_number,
                "4" if denied else "1",
                Money.sum(s.charge for s in svcs),
                Money.sum(s.paid for s in svcs),
                pr_total,
                "12",
                f"ICN{c.claim_id}",
                lines=tuple(svcs),
            )
        )
    year_end = date(2026, 12, 31)
    plb = (
        ProviderAdjustment("L6", _cents(-1234), billed[0].patient_control_number, "1234567893",
                           year_end),
        ProviderAdjustment("WO", _cents(5000), "ICN-OLD", "1234567893", year_end),
    )  # fmt: skip
    total = Money.sum(p.paid for p in payments) - Money.sum(p.amount for p in plb)
    r = Remittance(
        Payment(total, "ACH", date=date(2026, 6, 20), trace_number="BENCH20K",
                payer_identifier="1234567890"),
        RemitParty("ACME", "SIMPPO", "XV", "1 PAYER WAY", "CHICAGO", "IL", "60601"),
        RemitParty("BENCH PRACTICE", "1234567893", "XX", tax_id="123456789"),
        tuple(payments),
        plb,
    )  # fmt: skip
    env = Envelope(sender_id=CLEARINGHOUSE_ID, receiver_id="RC123456789")
    return write_interchange(
        env, "HP", [transaction_835(r)], InMemoryControlNumbers(start=5), date(2026, 6, 20)
    ).encode()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def era_bench(kind: str, url: str, n: int) -> float:
    from sqlalchemy import func, select

    from revcycle.db.ledger_repo import LedgerRepository, ledger_store
    from revcycle.db.ledger_tables import postings
    from revcycle.services.claims import create_claims
    from revcycle.services.era import post_era

    t0 = time.perf_counter()
    ctx, engine = _prepare(url, n)
    created = create_claims(ctx)
    with engine.connect() as conn:
        billed = LedgerRepository(conn).billed_claims(
            ctx.practice_id or 0, [c.patient_control_number for c in created]
        )
    content = _835(billed)
    print(
        f"{kind}: {len(created):,} claims created and an 835 of {len(content) / 1e6:.1f} MB "
        f"written in {time.perf_counter() - t0:.0f} s (not timed)",
        flush=True,
    )
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    summary = post_era(ctx, content, ledger=ledger_store)
    elapsed = time.perf_counter() - t0
    rss1 = _rss_mb()
    assert summary["status"] == "posted", summary["findings"][:3]
    assert summary["claims_matched"] == len(created), summary
    rate = len(created) / elapsed
    print(
        f"{kind}: posted {len(created):,} claims in {elapsed:.1f} s = {rate:,.0f} claims/s "
        f"(target <= 20 s, >= 1,000/s -> {rate / 1000:.2f}x); peak RSS {rss0:.0f} -> "
        f"{rss1:.0f} MB; paid {summary['paid_total']}, denials {summary['denials_created']}",
        flush=True,
    )
    again = time.perf_counter()
    assert post_era(ctx, content, ledger=ledger_store)["status"] == "already_posted"
    print(f"{kind}: the same file again -> already_posted in {time.perf_counter() - again:.1f} s")
    p = postings
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(p)).scalar_one()
        target = billed[len(billed) // 2]
        line = target.lines[0]
        query = select(func.coalesce(func.sum(p.c.amount), 0)).where(
            p.c.practice_id == ctx.practice_id,
            p.c.claim_id == target.claim_id,
            p.c.line_id == line.line_id,
            p.c.account_kind == "receivable",
            p.c.party == "patient",
        )
        conn.execute(query).scalar_one()
        t0 = time.perf_counter()
        for _ in range(100):
            conn.execute(query).scalar_one()
        ms = (time.perf_counter() - t0) * 10
    print(
        f"{kind}: one account's balance recomputed from {total:,} postings in {ms:.2f} ms "
        "(target < 10 ms)"
    )
    engine.dispose()
    return rate


def main(n: int = 20_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        era_bench("SQLite", f"sqlite:///{tmp}/bench.db", n)
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"revcycle_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        era_bench("PostgreSQL", PG_URL.rsplit("/", 1)[0] + f"/{name}", n)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
