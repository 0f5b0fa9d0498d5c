"""``revcycle demo``: the walking skeleton. Each stage of the revenue cycle adds its step here,
so the whole cycle runs end to end against the simulator at every commit."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.table import Table

from revcycle.cli.common import err_console, out_console, state


def run_demo(*, out: Path, seed: int, encounters: int, db: str | None, as_json: bool) -> None:
    from revcycle.services.demo import register_demo_practice

    out.mkdir(parents=True, exist_ok=True)
    if db is None:
        demo_db = out / "demo.db"
        demo_db.unlink(missing_ok=True)  # the demo database is the demo's own: start afresh
        db = f"sqlite:///{demo_db}"
    st = state(db)
    with err_console.status("stage 1/1: registration"):
        demo = register_demo_practice(st.context(need_practice=False), seed)
    summary = {
        "database": st.url,
        "seed": seed,
        "stages": {
            "registration": {
                "practice": {
                    "id": demo.practice.id,
                    "legal_name": demo.practice.legal_name,
                    "group_npi": demo.practice.group_npi,
                },
                "providers": len(demo.providers),
                "facilities": len(demo.facilities),
                "payers": len(demo.payers),
                "patients": len(demo.patients),
                "coverages": len(demo.coverages),
            }
        },
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        return
    p = demo.practice
    out_console.print(
        f"[bold]{p.legal_name}[/bold]  TIN {p.tin}  group NPI {p.group_npi}  (practice {p.id})"
    )
    t = Table("provider", "NPI", "roles", "taxonomy", title="Providers", title_justify="left")
    for prov in demo.providers:
        t.add_row(prov.display_name, prov.npi, ", ".join(prov.roles), prov.taxonomy or "")
    out_console.print(t)
    t = Table("payer", "payer ID", "class", "timely filing", title="Payers", title_justify="left")
    for payer in demo.payers:
        t.add_row(payer.name, payer.payer_id, payer.payer_class, f"{payer.timely_filing_days} days")
    out_console.print(t)
    payer_of_plan = {}
    t = Table("MRN", "patient", "DOB", "sex", "coverages", title="Patients", title_justify="left")
    names = {pay.id: pay.payer_id for pay in demo.payers}
    for c in demo.coverages:
        payer_of_plan.setdefault(c.patient_id, []).append(f"{c.order}:{c.member_id}")
    del names
    for pat in demo.patients:
        t.add_row(
            pat.mrn,
            pat.display_name,
            str(pat.dob),
            pat.sex,
            ", ".join(payer_of_plan.get(pat.id, [])),
        )
    out_console.print(t)
    out_console.print(f"database: {st.url}; summary: {out / 'summary.json'}")
