"""The command line: exit statuses, field errors on stderr, pure JSON on stdout."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from revcycle.cli.app import app

FIXTURE = Path(__file__).parent.parent / "fixtures" / "patients.csv"
PRACTICE = [
    "practices",
    "create",
    "--legal-name",
    "Test Practice",
    "--tin",
    "12-3456789",
    "--npi",
    "1234567893",
    "--taxonomy",
    "207Q00000X",
    "--line1",
    "100 Main St",
    "--city",
    "Springfield",
    "--state",
    "IL",
    "--zip",
    "62701-1234",
    "--phone",
    "2175550100",
]
PATIENT = [
    "patients",
    "create",
    "--last-name",
    "Rivera",
    "--first-name",
    "Ana",
    "--dob",
    "1980-04-02",
    "--sex",
    "F",
    "--line1",
    "12 Oak St",
    "--city",
    "Springfield",
    "--state",
    "IL",
    "--zip",
    "62704",
]


@pytest.fixture
def cli(database_url, monkeypatch):
    monkeypatch.setenv("REVCYCLE_DATABASE_URL", database_url)
    monkeypatch.setenv("REVCYCLE_CLOCK", "2026-06-15T12:00:00+00:00")
    runner = CliRunner()

    def run(*args, ok=True):
        result = runner.invoke(app, list(args))
        if ok:
            assert result.exit_code == 0, (args, result.stdout, result.stderr, result.exception)
        return result

    run(*PRACTICE)
    run("payers", "create", "--name", "Acme Health", "--payer-id", "SIMPPO")
    run(
        "payers",
        "plan-add",
        "1",
        "--name",
        "Acme PPO",
        "--filing-indicator",
        "12",
        "--plan-type",
        "PPO",
    )
    return run


def test_register_patient_and_coverage_and_show_as_json(cli):
    created = json.loads(cli(*PATIENT, "--mrn", "R1", "--json").stdout)
    assert created["mrn"] == "R1"
    cli(
        "coverages",
        "add",
        "R1",
        "--payer",
        "SIMPPO",
        "--member-id",
        "W1",
        "--effective",
        "2026-01-01",
    )
    shown = json.loads(cli("patients", "show", "R1", "--json").stdout)
    assert shown["coverages"][0]["member_id"] == "W1"
    found = json.loads(cli("patients", "search", "--member-id", "W1", "--json").stdout)
    assert [p["mrn"] for p in found] == ["R1"]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (
            [
                "providers",
                "create",
                "--npi",
                "1234567890",
                "--last-name",
                "Okafor",
                "--first-name",
                "Ada",
                "--roles",
                "rendering",
            ],
            "npi",
        ),
        ([*PATIENT[:7], "2099-01-01", *PATIENT[8:]], "dob"),
        ([*PATIENT[:-1], "1234"], "address.zip"),
        ([*PATIENT[:-3], "ZZ", *PATIENT[-2:]], "address.state"),
    ],
)
def test_bad_input_exits_2_naming_the_field(cli, args, field):
    result = cli(*args, ok=False)
    assert result.exit_code == 2
    assert f"{field}:" in result.stderr


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (["--member-id", " "], "member_id"),
        (["--member-id", "W1", "--termination", "2025-01-01"], "termination"),
        (["--member-id", "W1", "--order", "secondary"], "order"),
        (["--member-id", "W1", "--relationship", "99"], "relationship"),
    ],
)
def test_bad_coverage_exits_2_naming_the_field(cli, extra, field):
    cli(*PATIENT, "--mrn", "R1")
    result = cli(
        "coverages", "add", "R1", "--payer", "SIMPPO", "--effective", "2026-01-01", *extra, ok=False
    )
    assert result.exit_code == 2, result.stderr
    assert f"{field}:" in result.stderr
    assert json.loads(cli("coverages", "list", "R1", "--json").stdout) == []


def test_unknown_payer_and_duplicate_mrn_exit_2(cli):
    cli(*PATIENT, "--mrn", "R1")
    r = cli(
        "coverages",
        "add",
        "R1",
        "--payer",
        "NOPE",
        "--member-id",
        "W1",
        "--effective",
        "2026-01-01",
        ok=False,
    )
    assert r.exit_code == 2 and "payer:" in r.stderr
    r = cli(*PATIENT[:3], "Other", *PATIENT[4:], "--mrn", "R1", ok=False)
    assert r.exit_code == 2 and "mrn:" in r.stderr


def test_duplicate_patient_refused_with_existing_mrn_unless_allowed(cli):
    cli(*PATIENT, "--mrn", "R1")
    r = cli(*PATIENT, "--mrn", "R2", ok=False)
    assert r.exit_code == 2 and "MRN R1" in r.stderr
    cli(*PATIENT, "--mrn", "R2", "--allow-duplicate")


def test_not_found_exits_1(cli):
    assert cli("patients", "show", "NOBODY", ok=False).exit_code == 1


def test_import_csv_reports_rows(cli):
    r = cli("patients", "import", str(FIXTURE), "--json", ok=False)
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["patients_created"] == 2  # the fixture's Medicare payer is not registered here
    assert {e["row"] for e in doc["errors"]} >= {5, 6}


def test_several_practices_need_practice_option(cli):
    cli(*PRACTICE[:3], "Second Practice", *PRACTICE[4:])
    r = cli("patients", "search", "--name", "x", ok=False)
    assert r.exit_code == 2 and "--practice" in r.stderr
    assert (
        cli("--practice", "2", "patients", "search", "--name", "x", "--json").stdout.strip() == "[]"
    )
    assert (
        cli("patients", "search", "--name", "x", "--practice", "2", "--json").stdout.strip() == "[]"
    )


def test_users_and_audit_commands(cli):
    cli("users", "create", "--username", "admin", "--role", "admin", "--password", "long enough pw")
    r = cli("users", "create", "--username", "x", "--role", "boss", "--password", "short", ok=False)
    assert r.exit_code == 2 and "role:" in r.stderr and "password:" in r.stderr
    cli(*PATIENT, "--mrn", "R1")
    cli("patients", "show", "R1")
    entries = json.loads(cli("audit", "list", "--record-type", "patient", "--json").stdout)
    assert [e["action"] for e in entries] == ["read", "create"]
    assert entries[0]["actor"].startswith("os:")


def test_help_lists_the_command_groups():
    result = CliRunner().invoke(app, ["--help"])
    for group in (
        "practices",
        "providers",
        "facilities",
        "payers",
        "patients",
        "coverages",
        "users",
        "serve",
        "demo",
    ):
        assert group in result.stdout


def test_installed_command_prints_pure_json_and_creates_the_database(tmp_path):
    env = {**os.environ, "REVCYCLE_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    exe = Path(sys.executable).parent / "revcycle"
    r = subprocess.run(
        [str(exe), *PRACTICE, "--json"], capture_output=True, text=True, env=env, check=False
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["legal_name"] == "Test Practice"
    r = subprocess.run(
        [str(exe), "practices", "list", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert [p["tin"] for p in json.loads(r.stdout)] == ["123456789"]
