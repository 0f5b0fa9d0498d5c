"""Report benchmark: the KPI queries over 1,000,000 claim lines on PostgreSQL.

Target (issue 10): ``services.reports.kpis`` over 1,000,000 claim lines in < 2 s.

A practice is set up as in ``claims_bench`` (one real encounter and claim give the foreign
keys), then 250,000 claims of 4 lines each are loaded with COPY (``db.bulk.insert_rows``, not
timed): encounters and their lines, claims and claim lines, the charge entries (2 postings a
line), an 835 payment entry for 85% of the claims (payment, contractual and receivable a line)
with the ledger's roll-up rows of each chunk's postings (as ``add_entries`` writes them),
a ``submitted`` history row per claim and a denial for 10% of them, then ``VACUUM ANALYZE`` (what
autovacuum does after a bulk load). Then ``kpis`` is timed over all dates and over one month,
after one warm-up run.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.claims_bench import _prepare
from bench.denials_bench import _with_pg_database

LINES_PER_CLAIM = 4


def _clone(conn: Any, table: Any, row_id: int) -> dict[str, Any]:
    from sqlalchemy import select

    row = dict(conn.execute(select(table).where(table.c.id == row_id)).mappings().one())
    return {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in row.items()}


def load(ctx: Any, engine: Any, n_claims: int) -> None:
    from sqlalchemy import func, select, text

    from revcycle.db.bulk import insert_rows
    from revcycle.db.denial_tables import denials
    from revcycle.db.ledger_repo import roll_up_rows
    from revcycle.db.ledger_tables import (
        journal_entries,
        ledger_day_totals,
        postings,
        receivable_day_totals,
    )
    from revcycle.db.tables import claim_history, claim_lines, claims, encounter_lines, encounters
    from revcycle.services.claims import create_claims

    create_claims(ctx)
    pid = ctx.practice_id
    now = ctx.clock.now()
    with engine.connect() as conn:
        first = conn.execute(select(func.min(claims.c.id))).scalar_one()
        claim0 = _clone(conn, claims, first)
        enc0 = _clone(conn, encounters, claim0["encounter_id"])
        line_id = conn.execute(
            select(func.min(encounter_lines.c.id)).where(
                encounter_lines.c.encounter_id == enc0["id"]
            )
        ).scalar_one()
        line0 = _clone(conn, encounter_lines, line_id)
        payer = conn.execute(text("SELECT payer_id FROM payers WHERE id = :i"), {"i": claim0["payer_ref"]}).scalar_one()  # fmt: skip
        base = 1 + max(
            conn.execute(select(func.max(t.c.id))).scalar_one() or 0
            for t in (claims, encounters, encounter_lines, claim_lines)
        )
    rnd = random.Random(10)
    party = f"payer:{payer}"
    chunk = 25_000
    t0 = time.perf_counter()
    for start in range(0, n_claims, chunk):
        rows: dict[str, list[dict[str, Any]]] = {
            k: [] for k in ("enc", "el", "cl", "cll", "je", "p", "h", "d")
        }
        for i in range(start, min(start + chunk, n_claims)):
            cid = base + i
            dos = date(2025, 7, 1) + timedelta(days=rnd.randint(0, 350))
            entered = now.replace(year=dos.year, month=dos.month, day=dos.day) + timedelta(
                days=rnd.randint(0, 6)
            )
            rows["enc"].append({**enc0, "id": cid, "dos_from": dos, "dos_to": dos,
                                "external_ref": f"B{cid}"})  # fmt: skip
            clean = rnd.random() < 0.95
            charges = [Decimal(rnd.randint(5000, 30000)) / 100 for _ in range(LINES_PER_CLAIM)]
            rows["cl"].append({**claim0, "id": cid, "encounter_id": cid, "patient_control_number": f"B{cid}",
                               "total_charge": sum(charges), "first_pass_clean": clean,
                               "status": "paid"})  # fmt: skip
            scid = str(cid)
            rows["je"].append({"practice_id": pid, "entry_id": f"C{cid}", "kind": "charge",
                               "effective_date": dos, "claim_id": scid, "source": "bench",
                               "reference": "", "memo": "charge", "reverses": "",
                               "created_at": now})  # fmt: skip
            submitted = dos + timedelta(days=rnd.randint(1, 5))
            rows["h"].append({"practice_id": pid, "claim_id": cid, "at": now.replace(
                year=submitted.year, month=submitted.month, day=submitted.day), "actor": "bench",
                "from_status": "ready", "to_status": "submitted", "reason": ""})  # fmt: skip
            paid = rnd.random() < 0.85
            paid_on = submitted + timedelta(days=rnd.randint(7, 40))
            if paid:
                rows["je"].append({"practice_id": pid, "entry_id": f"P{cid}",
                                   "kind": "insurance_payment", "effective_date": paid_on,
                                   "claim_id": scid, "source": "835:bench", "reference": "",
                                   "memo": "", "reverses": "", "created_at": now})  # fmt: skip
            elif rnd.random() < 0.7:
                rows["d"].append({"practice_id": pid, "claim_id": cid, "line_id": None,
                                  "line_key": 0, "source": "835", "source_ref": f"B{cid}",
                                  "payer_id": claim0["payer_ref"], "payer_claim_number": None,
                                  "carcs": '["CO-50"]', "rarcs": "[]",
                                  "category": rnd.choice(["coding", "medical_necessity", "eligibility"]),
                                  "action": "appeal", "amount": sum(charges), "denied_on": paid_on,
                                  "timely_filing_deadline": None, "appeal_deadline": None,
                                  "deadline": None, "appeal_level": 0,
                                  "status": rnd.choice(["open", "appealed", "resolved"]),
                                  "priority": 0, "owner": None, "follow_up": None,
                                  "resolution": None, "created_at": now, "updated_at": now})  # fmt: skip
            for k, charge in enumerate(charges):
                lid = cid * LINES_PER_CLAIM + k
                rows["el"].append({**line0, "id": lid, "encounter_id": cid, "line_no": k + 1,
                                   "charge": charge, "dos_from": dos, "dos_to": dos,
                                   "entered_at": entered})  # fmt: skip
                rows["cll"].append({"id": lid, "practice_id": pid, "claim_id": cid,
                                    "line_no": k + 1, "encounter_line_id": lid,
                                    "line_control_number": f"B{lid}", "charge": charge})  # fmt: skip
                common = {"practice_id": pid, "patient_id": str(enc0["patient_id"]),
                          "claim_id": scid, "line_id": str(lid), "reason": ""}  # fmt: skip
                charged = {**common, "entry_id": f"C{cid}", "effective_date": dos}
                rows["p"] += [
                    {**charged, "account_kind": "receivable", "party": party, "amount": charge},
                    {**charged, "account_kind": "charges", "party": "", "amount": -charge},
                ]  # fmt: skip
                if paid:
                    pay = (charge * Decimal("0.7")).quantize(Decimal("0.01"))
                    payment = {**common, "entry_id": f"P{cid}", "effective_date": paid_on}
                    rows["p"] += [
                        {**payment, "account_kind": "insurance_payments",
                         "party": party, "amount": pay},
                        {**payment, "account_kind": "contractual_adjustments",
                         "party": party, "amount": charge - pay},
                        {**payment, "account_kind": "receivable",
                         "party": party, "amount": -charge},
                    ]  # fmt: skip
        with engine.begin() as conn:
            insert_rows(conn, encounters, rows["enc"])
            insert_rows(conn, encounter_lines, rows["el"])
            insert_rows(conn, claims, rows["cl"])
            insert_rows(conn, claim_lines, rows["cll"])
            insert_rows(conn, journal_entries, rows["je"])
            insert_rows(conn, postings, rows["p"])
            # What LedgerRepository.add_entries writes with them: a chunk is one call's worth.
            for table, roll_up in roll_up_rows(rows["p"]):
                insert_rows(conn, table, roll_up)
            insert_rows(conn, claim_history, rows["h"])
            insert_rows(conn, denials, rows["d"])
    # What autovacuum does to a live database after a bulk load (it is off on the test server):
    # the statistics, and the visibility map without which no index-only scan reads an index
    # alone.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    with engine.begin() as conn:
        lines = conn.execute(select(func.count()).select_from(claim_lines)).scalar_one()
        n_postings = conn.execute(select(func.count()).select_from(postings)).scalar_one()
        n_days, n_recv = (
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (ledger_day_totals, receivable_day_totals)
        )
    print(f"PostgreSQL: {lines:,} claim lines, {n_postings:,} postings (roll-ups: {n_days:,} "
          f"ledger_day_totals, {n_recv:,} receivable_day_totals rows) "
          f"loaded with COPY in {time.perf_counter() - t0:.0f} s (not timed)", flush=True)  # fmt: skip


def kpi_bench(url: str, n_claims: int) -> None:
    from revcycle.db.report_repo import report_store
    from revcycle.services import reports

    ctx, engine = _prepare(url, 10)
    load(ctx, engine, n_claims)
    for label, start, end in (
        ("all dates", None, None),
        ("one month", date(2026, 3, 1), date(2026, 3, 31)),
    ):
        reports.kpis(ctx, start, end, store=report_store)  # warm
        t0 = time.perf_counter()
        got = reports.kpis(ctx, start, end, store=report_store)
        elapsed = time.perf_counter() - t0
        print(f"PostgreSQL: kpis over {label}: {elapsed:.2f} s (target < 2 s); "
              f"clean claim rate {got['clean_claim_rate']['value']}, "
              f"days in A/R {got['days_in_ar']['value']}", flush=True)  # fmt: skip
    engine.dispose()


def main(n_claims: int = 1_000_000 // LINES_PER_CLAIM) -> None:
    _with_pg_database(kpi_bench, n_claims)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
