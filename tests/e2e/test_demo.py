"""`revcycle demo` runs the synthetic practice end to end, as `make demo` does."""

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from revcycle.cli.app import app


def test_demo_registers_the_sample_practice_and_prints_it(tmp_path):
    exe = Path(sys.executable).parent / "revcycle"
    env = {k: v for k, v in os.environ.items() if k != "REVCYCLE_DATABASE_URL"}
    r = subprocess.run(
        [str(exe), "demo", "--out", str(tmp_path / "out"), "--seed", "3", "--encounters", "40"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert "Prairie Family Medicine LLC" in r.stdout
    assert "Medicare Part B" in r.stdout
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    reg = summary["stages"]["registration"]
    # 24 insured patients (some with two coverages) and 2 uninsured
    assert reg["patients"] == 26 and reg["coverages"] > 24 and reg["providers"] == 5
    claims = summary["stages"]["claims"]
    assert summary["stages"]["charge_entry"]["encounters"] == 40
    assert claims["created"] == 40 and claims["clean_first_pass"] + claims["held"] == 40
    assert claims["held"] >= 1 and claims["clean_first_pass"] >= 30
    assert (tmp_path / "out" / "837P-ready-claims.x12").read_text().startswith("ISA*")
    sub = summary["stages"]["submission"]
    assert sub["claims_sent"] == claims["clean_first_pass"] and sub["responses_applied"] >= 3
    adjudicated = sum(
        n
        for status, n in sub["claims_by_status"].items()
        if status in ("paid", "partially_paid", "denied")
    )
    assert adjudicated == sub["claims_sent"] + sub["secondary_claims_sent"]
    # every 835 posted itself to the ledger; the secondaries it created went out and were paid
    po = summary["stages"]["posting"]
    assert po["files_posted"] >= 1 and po["files_rejected"] == 0 and po["unmatched"] == 0
    assert po["claim_payments"] == adjudicated
    assert po["secondary_claims_created"] == sub["secondary_claims_sent"]
    pb = summary["stages"]["patient_billing"]
    assert pb["statements"] >= 1 and pb["payments_at_desk"] >= 1
    assert len(list((tmp_path / "out" / "statements").glob("*.pdf"))) == pb["statements"]
    es = summary["stages"]["estimates"]
    assert es["good_faith_estimates"] == es["met_deadline"] == 2
    assert len(list((tmp_path / "out" / "estimates").glob("G*.pdf"))) == 2
    # tomorrow's schedule: one batch 270, every 271 applied, estimates from their benefits
    el = summary["stages"]["eligibility"]
    assert el["appointments"] == el["inquiries_sent"] == el["answered"] == 24
    assert el["estimates"] == el["estimates_from_271"] == 24
    assert sub["status_inquiries"] >= 0
    # the denials are worked: at least one appeal each run, decided and paid by the next 835
    dn = summary["stages"]["denials"]
    assert dn["appeals"] >= 1 and dn["paid_after_appeal"] == dn["appeals"]
    assert dn["written_off"] >= 1
    # the KPIs, and the dashboard as one self-contained file with its charts
    kpis = summary["stages"]["reports"]["kpis"]
    assert kpis["clean_claim_rate"] is not None and kpis["days_in_ar"] is not None
    report = (tmp_path / "out" / "report.html").read_text()
    assert "<svg" in report and "<script" not in report and "http" not in report.split("<svg")[0]
    assert (tmp_path / "out" / "demo.db").exists()
    assert not (tmp_path / "revcycle.db").exists()


def test_demo_is_deterministic_for_a_seed_and_reruns_cleanly(tmp_path):
    runner = CliRunner()
    first = runner.invoke(
        app, ["demo", "--out", str(tmp_path), "--seed", "11", "--encounters", "20", "--json"]
    )
    assert first.exit_code == 0, first.stderr
    second = runner.invoke(
        app, ["demo", "--out", str(tmp_path), "--seed", "11", "--encounters", "20", "--json"]
    )
    assert second.exit_code == 0
    assert json.loads(first.stdout) == json.loads(second.stdout)
