"""Charge entry and claims from the command line."""

import json

import pytest
from typer.testing import CliRunner

from revcycle.cli.app import app


@pytest.fixture
def cli(database_url, monkeypatch, billing):
    monkeypatch.setenv("REVCYCLE_DATABASE_URL", database_url)
    monkeypatch.setenv("REVCYCLE_CLOCK", "2026-06-15T12:00:00+00:00")
    runner = CliRunner()

    def run(*args, ok=True):
        result = runner.invoke(app, list(args))
        if ok:
            assert result.exit_code == 0, (args, result.stdout, result.stderr, result.exception)
        return result

    return run


CSV = """encounter_ref,mrn,dos_from,rendering_npi,pos,diagnoses,procedure,modifiers,units,pointers,charge
E1,S1,2026-06-01,1558444216,11,E11.9 I10,99213,,1,1 2,
E1,S1,2026-06-01,1558444216,11,E11.9 I10,93000,,1,2,
E2,M1,2026-06-02,1558444216,11,I10,99214,,1,1,
E3,S1,2026-06-03,1558444216,11,E11.9,99213,,0,1,
E4,NOBODY,2026-06-03,1558444216,11,E11.9,99213,,1,1,
E5,S1,2026-06-04,1558444216,11,E11.9,99215,,1,1,
"""


def test_encounter_import_then_claims_then_scrub(cli, tmp_path):
    f = tmp_path / "enc.csv"
    f.write_text(CSV)
    r = cli("encounters", "import", str(f), "--json", ok=False)
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["encounters_created"] == 2 and doc["lines_created"] == 3
    assert {(e["row"], e["field"]) for e in doc["errors"]} == {
        (5, "lines.1.units"),
        (6, "mrn"),
        (7, "lines.1.charge"),
    }
    again = json.loads(cli("encounters", "import", str(f), "--json", ok=False).stdout)
    assert again["encounters_created"] == 0  # the references are kept: nothing entered twice

    created = json.loads(cli("claims", "create", "--json").stdout)
    assert len(created) == 2
    scrubbed = json.loads(cli("claims", "scrub", "--json").stdout)
    assert all(s["clean"] for s in scrubbed), scrubbed
    pcn = created[0]["patient_control_number"]
    shown = json.loads(cli("claims", "show", pcn, "--json").stdout)
    assert shown["status"] == "ready" and shown["total_charge"] == "165.00"
    x12 = cli("claims", "x12", pcn).stdout
    assert x12.startswith("ISA*") and f"CLM*{pcn}*165" in x12
    pdf = tmp_path / "claim.pdf"
    cli("claims", "pdf", pcn, "--out", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    r = cli("claims", "status", str(shown["id"]), "--to", "paid", "--reason", "oops", ok=False)
    assert r.exit_code == 2 and "cannot become paid" in r.stderr


def test_fees_and_held_claims_in_the_queue(cli, billing, tmp_path):
    f = tmp_path / "fees.csv"
    f.write_text("procedure,modifier,amount\n99215,,250.00\n9921X,,1\n")
    r = cli("fees", "import", str(f), ok=False)
    assert r.exit_code == 2 and "row 3.procedure" in r.stderr
    f.write_text("procedure,modifier,amount\n99215,,250.00\n")
    cli("fees", "import", str(f))
    assert any(e["procedure"] == "99215" for e in json.loads(cli("fees", "list", "--json").stdout))
    enc = tmp_path / "enc.json"
    enc.write_text(
        json.dumps(
            billing.encounter(
                patient=billing.hmo_pt, lines=[{"procedure": "99215", "pointers": "1"}]
            )
        )
    )
    cli("encounters", "enter", str(enc))
    cli("claims", "create")
    scrubbed = json.loads(cli("claims", "scrub", "--json").stdout)
    assert [f["code"] for f in scrubbed[0]["findings"]] == ["R36"]
    items = json.loads(cli("queue", "list", "scrubber_hold", "--json").stdout)
    assert len(items) == 1 and "R36" in items[0]["reason"]
    cli("queue", "assign", str(items[0]["id"]), "--owner", "maria")
    assert (
        json.loads(
            cli("queue", "list", "scrubber_hold", "--status", "in_progress", "--json").stdout
        )[0]["owner"]
        == "maria"
    )
    missing = json.loads(cli("encounters", "missing", "--days", "3", "--json").stdout)
    assert missing == []
