"""Payer simulator benchmark: answer a 10,000-claim 837 upload (999 + 277CA, claims recorded),
then adjudicate every claim and write the 835s.

Target (issue 6): adjudication >= 2,000 claims/s (measured over ``Simulator.adjudicate``:
decisions, accumulators, state, 835 writing and delivery). Claims differ in payer, member,
codes and charges; a fifth of them hit scenario member IDs.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from revcycle.domain.claim import Claim, Payer, ServiceLine, Subscriber
from revcycle.domain.money import Money
from revcycle.payer.config import load_config
from revcycle.payer.mailboxes import ClearinghouseMailboxes
from revcycle.payer.simulator import Simulator
from revcycle.x12.control import InMemoryControlNumbers
from revcycle.x12.mapping.claim837 import Submitter, write_837
from revcycle.x12.writer import Envelope

NOW = datetime(2026, 3, 2, 14, 30)  # noqa: DTZ001
SUBMITTER_ID = "RC123456789"
CODES = ["99212", "99213", "99214", "71046", "80053", "85025", "93000", "97110", "20610", "36415"]
SCENARIOS = ["1NC0A00AA07", "1DE0A00AA08", "1PP0A00AA09", "1RC0A00AA10", "1EG4TE5MK73",
             "1TE0A00AA01", "1MN0A00AA05"]  # fmt: skip
PAYERS = ["SIMPPO", "SIMHMO", "SIMMCR", "SIMMCD"]


def claims(n: int) -> list[Claim]:
    from tests.unit.x12.samples import professional

    rng = random.Random(6)
    base = professional()
    out = []
    for i in range(n):
        payer = PAYERS[i % len(PAYERS)]
        member = (
            rng.choice(SCENARIOS)
            if rng.randrange(5) == 0
            else (
                f"{rng.randrange(1, 10)}AA0AA0AA{i % 100:02d}" if payer == "SIMMCR" else f"M{i:08d}"
            )
        )
        lines = tuple(
            ServiceLine(rng.choice(CODES), Money(f"{rng.randrange(40, 400)}.{rng.randrange(100):02d}"),
                        Decimal(1), date(2026, 2, 1) + timedelta(days=rng.randrange(25)), f"L{i}-{j}")
            for j in range(rng.randrange(1, 4))
        )  # fmt: skip
        out.append(
            replace(
                base,
                patient_control_number=f"B{i:08d}",
                payer=Payer(payer, payer),
                subscriber=Subscriber(base.subscriber.person, member),
                lines=lines,
                total_charge=Money.sum(x.charge for x in lines),
                referral_number="R1" if payer == "SIMHMO" else "",
            )
        )
    return out


def main(n: int = 10_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        boxes = ClearinghouseMailboxes(root)
        boxes.register(SUBMITTER_ID)
        sim = Simulator(Path(tmp) / "state", boxes, lambda: NOW, seed=1,
                        config=load_config().with_delays(1))  # fmt: skip
        sim.set_background_denial_rate("0.05")
        submitter = Submitter(
            "BENCH CLINIC", SUBMITTER_ID, "A", "5555551234", "SIM", "SIMCLEARHOUSE"
        )
        text = write_837(claims(n), submitter, Envelope(SUBMITTER_ID, "SIMCLEARHOUSE"),
                         InMemoryControlNumbers(), NOW, per_set=5000, check=False)  # fmt: skip
        (root / SUBMITTER_ID / "outbound" / "bench.837").write_text(text, encoding="latin-1")
        t0 = time.perf_counter()
        [result] = sim.process_uploads(NOW)
        t_recv = time.perf_counter() - t0
        print(f"receive {n:,} claims (999 + 277CA, recorded): {t_recv:.2f} s, "
              f"{n / t_recv:,.0f} claims/s; accepted {result.accepted_claims:,}")  # fmt: skip
        t0 = time.perf_counter()
        remits = sim.adjudicate(NOW + timedelta(days=2))
        t_adj = time.perf_counter() - t0
        decided = sum(r.claims for r in remits)
        print(f"adjudicate + 835s: {decided:,} claim payments in {len(remits)} 835s, {t_adj:.2f} s, "
              f"{decided / t_adj:,.0f} claims/s (target >= 2,000)")  # fmt: skip
        remits += sim.adjudicate(NOW + timedelta(days=10))  # the Medigap crossovers
        sim.close()
    core(n)


def core(n: int) -> None:
    """The decisions alone (fee schedule, edits, cost sharing), without state or X12."""
    from revcycle.payer import adjudication as adj

    cfg = load_config()
    acc = adj.Accumulators(Money(0), Money(0))
    batch = claims(n)
    t0 = time.perf_counter()
    for i, c in enumerate(batch):
        payer = cfg.payers[c.payer.payer_id]
        ctx = adj.Context(f"ICN{i}", NOW.date(), cfg.scenarios.get(c.subscriber.member_id))
        adj.adjudicate_primary(cfg, payer, payer.plan, c, acc, ctx)
    t = time.perf_counter() - t0
    print(f"decisions only: {n:,} claims in {t:.2f} s, {n / t:,.0f} claims/s")


if __name__ == "__main__":
    main()
