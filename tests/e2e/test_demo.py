"""`revcycle demo` runs the synthetic practice end to end, as `make demo` does."""

import json
import os
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from pypdf import PdfReader

from revcycle.cli.demo_cmd import STAGES


def _demo(tmp_path: Path, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "revcycle"
    env = {k: v for k, v in os.environ.items() if k != "REVCYCLE_DATABASE_URL"}
    return subprocess.run(
        [str(exe), "demo", "--out", str(out), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=tmp_path,
    )


def test_demo_runs_every_stage_and_writes_its_files(tmp_path):
    out = tmp_path / "out"
    r = _demo(tmp_path, out, "--seed", "3", "--encounters", "120")
    assert r.returncode == 0, r.stderr
    assert "Prairie Family Medicine LLC" in r.stdout and "Medicare Part B" in r.stdout
    assert "Revenue-cycle KPIs" in r.stdout and "days_in_ar" in r.stdout
    for stage in STAGES:  # a progress bar per stage, on stderr
        assert stage in r.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert list(summary["profile"]) == list(STAGES)
    assert all(p["seconds"] >= 0 and p["peak_rss_mb"] > 0 for p in summary["profile"].values())
    assert all(0 <= p["gc_seconds"] <= p["seconds"] for p in summary["profile"].values())
    assert summary["simulator_process"]["peak_rss_mb"] > 0  # the payers run in their own
    reg = summary["registration"]
    # 24 insured patients at least (some with two coverages), 2 uninsured; two specialties
    assert reg["patients"] == 26 and reg["self_pay"] == 2 and reg["coverages"] > 24
    assert reg["providers"] == 6 and reg["facilities"] == 2
    el = summary["eligibility"]
    assert el["appointments"] == 24 and el["answered"] == el["inquiries_sent"]
    assert el["member_ids_corrected"] >= 1 and el["rechecked"] == el["member_ids_corrected"]
    assert el["discrepancies_queued"] >= 1 and el["estimates"] == el["estimates_from_271"]
    co, ce = summary["coding"], summary["charge_entry"]
    assert co["encounters_reviewed"] == ce["encounters"] == 120
    assert co["flagged"] >= co["corrected_by_coder"]
    claims = summary["claims"]
    assert claims["created"] == 120 and claims["clean_first_pass"] + claims["held"] == 120
    assert claims["held"] == claims["fixed_by_rules"] + claims["queued_for_a_person"]
    assert claims["fixed_by_rules"] >= 1 and claims["modifiers_added"] >= 1  # GP on therapy
    sub, adj = summary["submission"], summary["adjudication"]
    assert sub["claims_sent"] == claims["clean_first_pass"] + claims["fixed_by_rules"]
    assert sub["acknowledgments_applied"] >= 2  # 999 and 277CA the same day
    po = summary["posting"]
    assert po["files_posted"] >= 1 and po["files_rejected"] == 0 and po["unmatched"] == 0
    assert po["secondary_claims_created"] == adj["secondary_claims_sent"] >= 1
    assert adj["crossovers"] >= 1  # the crossover patient's claims, never billed to Medigap
    dn, sc = summary["denials"], summary["second_cycle"]
    assert dn["appeals"] >= 1 and sc["paid_after_appeal"] == dn["appeals"]
    assert dn["corrected_claims"] >= 1  # the bundled urinalysis, with 59 on a replacement
    assert sc["corrections_paid"] == dn["corrected_claims"] == sc["claims_sent"]
    assert dn["written_off"] >= 1
    pb = summary["patient_billing"]
    assert pb["statements"] >= 1 and pb["payments_at_desk"] >= 1
    # copays at check-in (the 271s asked for office-visit benefits): point-of-service cash,
    # credit until the 835s set what each patient owes, then applied to those balances
    assert ce["copays_asked"] >= ce["copays_at_checkin"] >= 1
    assert 0 < Decimal(pb["copay_credit_amount"]) <= Decimal(ce["copays_collected"])
    assert Decimal(summary["kpis"]["pos_collection_rate"]) > 0
    with sqlite3.connect(out / "demo.db") as db:  # each copay received on its visit's date
        copays = db.execute(
            "SELECT received_on = service_date, amount FROM patient_receipts WHERE kind = 'copay'"
        ).fetchall()
    assert len(copays) == ce["copays_at_checkin"] and all(on_dos for on_dos, _ in copays)
    assert f"{sum(Decimal(str(amount)) for _, amount in copays):.2f}" == ce["copays_collected"]
    # files: every X12 interchange, one per file; the PDFs named for what they are
    outbound = sorted(p.name for p in (out / "x12" / "outbound").iterdir())
    inbound = sorted(p.name for p in (out / "x12" / "inbound").iterdir())
    assert any(n.startswith("837P-") for n in outbound) and any("270" in n for n in outbound)
    assert {"835", "999", "277CA", "271"} <= {n.split("-")[1].removesuffix(".x12") for n in inbound}
    for f in [*(out / "x12" / "outbound").iterdir(), *(out / "x12" / "inbound").iterdir()]:
        text = f.read_text(encoding="latin-1")
        assert text.startswith("ISA") and text.count("IEA") == 1, f.name
    pdfs = {p.name for p in (out / "pdf").iterdir()}
    assert {"gfe-PF900000.pdf", "gfe-PF900001.pdf"} <= pdfs
    assert len([n for n in pdfs if n.startswith("statement-")]) == pb["statements"]
    assert len([n for n in pdfs if n.startswith("appeal-")]) == dn["appeals"]
    assert 1 <= len([n for n in pdfs if n.startswith("claim-")]) <= 5
    assert len(PdfReader(out / "pdf" / "gfe-PF900000.pdf").pages) >= 1
    # the KPIs, and the dashboard as one self-contained file with its charts
    assert summary["kpis"]["clean_claim_rate"] is not None
    report = (out / "report.html").read_text()
    assert "<svg" in report and "<script" not in report and "http" not in report.split("<svg")[0]
    assert (out / "demo.db").exists()
    assert not (tmp_path / "revcycle.db").exists()


def test_demo_json_is_the_kpis_only_and_byte_identical_for_a_seed(tmp_path):
    first = _demo(tmp_path, tmp_path / "a", "--seed", "11", "--encounters", "40", "--json")
    assert first.returncode == 0, first.stderr
    second = _demo(tmp_path, tmp_path / "b", "--seed", "11", "--encounters", "40", "--json")
    assert second.returncode == 0, second.stderr
    assert first.stdout == second.stdout  # no timestamps, paths or durations
    kpis = json.loads(first.stdout)
    assert {"days_in_ar", "clean_claim_rate", "net_collection_rate"} <= set(kpis)
    assert set(kpis["days_in_ar"]) >= {"value", "numerator", "denominator", "definition"}
    assert str(tmp_path) not in first.stdout
    # progress went to stderr; a rerun in the same folder starts afresh
    assert "registration" in first.stderr
    again = _demo(tmp_path, tmp_path / "a", "--seed", "11", "--encounters", "40", "--json")
    assert again.returncode == 0 and again.stdout == first.stdout
