"""Posting benchmarks (pure core, in memory): post a 20,000-claim 835 and recompute balances.

Targets (issue 8): >= 1,000 claims/s; one account's balance recomputed from a large ledger in
< 10 ms. The remittance mixes paid lines with contractual and patient amounts, secondaries,
denials, claim-level adjustments and PLBs; every claim differs (charges, codes, patients).
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from revcycle.domain.ledger import PATIENT, Account, AccountKind, Ledger, Party
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
from revcycle.posting import (
    BilledClaim,
    BilledLine,
    ClaimIndex,
    claim_charge_entry,
    post_remittance,
)

PRACTICE = "bench"
PAYER = "60054"
CODES = ["99212", "99213", "99214", "93000", "36415", "80053", "85025", "81002", "97110"]


def cents(n: int) -> Money:
    return Money(Decimal(n) / 100)


def build(n: int, seed: int = 8) -> tuple[list[BilledClaim], Remittance]:
    rnd = random.Random(seed)
    claims: list[BilledClaim] = []
    payments: list[ClaimPayment] = []
    start = date(2026, 1, 5)
    for i in range(n):
        pcn = f"PCN{i:07d}"
        dos = start + timedelta(days=i % 120)
        kind = rnd.random()
        coverages = (PAYER, "MGAP1") if kind < 0.2 else (PAYER,)
        lines: list[BilledLine] = []
        svcs: list[ServicePayment] = []
        for j in range(rnd.randint(1, 4)):
            charge = rnd.randint(2000, 60000)
            code = rnd.choice(CODES)
            lcn = f"{pcn}-{j + 1}"
            lines.append(BilledLine(f"{pcn}-{j + 1}", j + 1, lcn, code, cents(charge), dos))
            if kind > 0.95:  # denied line
                adj: tuple[Adjustment, ...] = (Adjustment("CO", "50", cents(charge)),)
                paid = 0
            else:
                allowed = charge * rnd.randint(50, 90) // 100
                pr = allowed * rnd.choice((0, 10, 20)) // 100
                paid = allowed - pr
                adj = (Adjustment("CO", "45", cents(charge - allowed)),)
                if pr:
                    adj += (Adjustment("PR", "2", cents(pr)),)
            svcs.append(
                ServicePayment(
                    code,
                    cents(charge),
                    cents(paid),
                    line_control_number=lcn,
                    service_date=dos,
                    adjustments=adj,
                )
            )
        claims.append(BilledClaim(f"C{i}", PRACTICE, f"P{i % 5000}", pcn, tuple(lines), coverages))
        charge_total = Money.sum(s.charge for s in svcs)
        paid_total = Money.sum(s.paid for s in svcs)
        pr_total = Money.sum(a.amount for s in svcs for a in s.adjustments if a.group == "PR")
        payments.append(
            ClaimPayment(
                pcn,
                "4" if kind > 0.95 else "1",
                charge_total,
                paid_total,
                pr_total,
                payer_claim_control_number=f"ICN{i}",
                lines=tuple(svcs),
            )
        )
    plb = (
        ProviderAdjustment("L6", cents(-1234), "PCN0000001"),
        ProviderAdjustment("WO", cents(5000), "ICN-OLD"),
    )
    total = Money.sum(p.paid for p in payments) - Money.sum(p.amount for p in plb)
    remittance = Remittance(
        Payment(total, "ACH", date=date(2026, 6, 1), trace_number="BENCH1"),
        RemitParty("BENCH PAYER", PAYER),
        RemitParty("BENCH CLINIC", "1234567893"),
        tuple(payments),
        plb,
    )
    return claims, remittance


def main(n: int = 20_000) -> None:
    claims, remittance = build(n)
    ledger = Ledger()
    ledger.post_all(claim_charge_entry(c) for c in claims)

    t0 = time.perf_counter()
    result = post_remittance(remittance, ClaimIndex(claims), practice_id=PRACTICE, history=ledger)
    t1 = time.perf_counter()
    ledger.post_all(result.entries)
    t2 = time.perf_counter()
    s = result.summary
    assert s.status == "posted" and s.claims_matched == n, s
    print(
        f"posting: {n} claims -> {len(result.entries)} entries; engine {t1 - t0:.2f} s "
        f"({n / (t1 - t0):,.0f} claims/s), engine + ledger {t2 - t0:.2f} s "
        f"({n / (t2 - t0):,.0f} claims/s; target >= 1,000)"
    )
    print(
        f"  denials {s.denials_created}, secondary claims {s.secondary_claims_created}, "
        f"patient responsibility {s.patient_responsibility}"
    )
    postings = sum(len(e.postings) for e in ledger.entries)
    line = claims[n // 2].lines[0]
    account = Account(
        AccountKind.RECEIVABLE,
        PRACTICE,
        claims[n // 2].patient_id,
        claims[n // 2].claim_id,
        line.line_id,
        PATIENT,
    )
    t0 = time.perf_counter()
    for _ in range(100):
        ledger.recompute_balance(account)
    indexed_ms = (time.perf_counter() - t0) * 10
    t0 = time.perf_counter()
    scanned = Money.sum(
        p.amount for e in ledger.entries for p in e.postings if p.account == account
    )
    scan_ms = (time.perf_counter() - t0) * 1000
    assert scanned == ledger.balance(account)
    t0 = time.perf_counter()
    payer_open = ledger.party_open_balance(PRACTICE, Party.payer(PAYER))
    party_ms = (time.perf_counter() - t0) * 1000
    print(
        f"balances over {postings:,} postings: one account recomputed from its postings "
        f"{indexed_ms:.3f} ms (target < 10), by scanning every posting {scan_ms:.0f} ms; "
        f"payer A/R over all lines {party_ms:.1f} ms ({payer_open})"
    )


if __name__ == "__main__":
    main()
