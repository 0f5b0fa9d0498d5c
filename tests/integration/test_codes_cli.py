"""``revcycle codes``: the lookup contract (JSON and exit statuses), search, suggest, check,
loading with line-numbered rejections, and loaded versions seen by a new process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from revcycle.cli.codes_cmds import codes
from revcycle.cli.common import reset_state

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "codesets"
CONTRACT_KEYS = {"code", "system", "found", "valid_on_dos", "billable", "description"}


def _app() -> typer.Typer:
    """The ``codes`` group under a root that resets the shared state like ``cli.app`` does."""
    root = typer.Typer()

    @root.callback()
    def main() -> None:
        reset_state(None, None)

    root.add_typer(codes, name="codes")
    return root


@pytest.fixture
def cli(database_url, monkeypatch):
    monkeypatch.setenv("REVCYCLE_DATABASE_URL", database_url)
    monkeypatch.setenv("REVCYCLE_CLOCK", "2026-06-15T12:00:00+00:00")
    runner, app = CliRunner(), _app()

    def run(*args: str, status: int = 0):
        result = runner.invoke(app, ["codes", *args])
        assert result.exit_code == status, (args, result.stdout, result.stderr, result.exception)
        return result

    yield run
    reset_state(None, None)  # dispose the engine the commands opened


def test_lookup_on_a_fresh_database_prints_the_contract_object(cli):
    out = json.loads(cli("lookup", "E11.9", "--dos", "2026-03-02", "--json").stdout)
    assert out.keys() >= CONTRACT_KEYS
    assert {k: out[k] for k in CONTRACT_KEYS} == {
        "code": "E11.9",
        "system": "icd10cm",
        "found": True,
        "valid_on_dos": True,
        "billable": True,
        "description": "Type 2 diabetes mellitus without complications",
    }


@pytest.mark.parametrize("code", ["E11.Q9", "not-a-code", "Z"])
def test_lookup_of_unknown_or_malformed_code_exits_1_with_found_false(cli, code):
    out = json.loads(cli("lookup", code, "--json", status=1).stdout)
    assert out.keys() >= CONTRACT_KEYS
    assert out["found"] is False


def test_header_code_is_found_but_not_billable(cli):
    out = json.loads(cli("lookup", "E11", "--json").stdout)
    assert (out["found"], out["billable"]) == (True, False)


@pytest.mark.parametrize(
    "args",
    [
        ("lookup", "E11.9", "--system", "icd9"),
        ("lookup", "E11.9", "--dos", "2026-02-30"),
        ("search", "htn", "--system", "pos"),
    ],
)
def test_usage_errors_exit_2(cli, args):
    result = cli(*args, "--json", status=2)
    assert result.stdout == ""


def test_date_of_service_no_loaded_version_covers_names_the_missing_version(cli):
    out = json.loads(cli("lookup", "E11.9", "--dos", "2026-10-15", "--json").stdout)
    assert out["valid_on_dos"] is None
    assert "ICD-10-CM FY2027" in out["note"]


def test_other_systems_answer_from_bundled_lists(cli):
    pos = json.loads(cli("lookup", "11", "--system", "pos", "--json").stdout)
    assert (pos["found"], pos["description"]) == (True, "Office")
    carc = json.loads(cli("lookup", "45", "--system", "carc", "--json").stdout)
    assert "contractual" in carc["note"]
    cli("lookup", "ZZ", "--system", "modifier", "--json", status=1)


def test_cpt_without_a_loaded_file_is_checked_for_format_and_said_once(cli):
    result = cli(
        "check", "--dos", "2026-03-02", "--dx", "I10", "--line", "99213", "--line", "93000"
    )
    assert result.stderr.count("No CPT file is loaded") == 1
    out = json.loads(cli("lookup", "99213", "--system", "cpt", "--json").stdout)
    assert (out["found"], out["valid_on_dos"]) == (True, None)
    cli("lookup", "9921", "--system", "cpt", "--json", status=1)


def test_load_order_file_then_lookup_and_versions_see_it(cli):
    loaded = json.loads(
        cli(
            "load",
            "icd10cm",
            "--effective",
            "2026-10-01",
            str(FIXTURES / "icd10cm_order_2027.txt"),
            "--json",
        ).stdout
    )
    assert (loaded["name"], loaded["row_count"], loaded["active"]) == ("FY2027", 9, True)
    out = json.loads(cli("lookup", "E11.A1", "--dos", "2026-11-02", "--json").stdout)
    assert (out["found"], out["valid_on_dos"], out["version"]) == (True, True, "FY2027")
    versions = json.loads(cli("versions", "--json").stdout)
    assert [(v["system"], v["name"]) for v in versions] == [("icd10cm", "FY2027")]


def test_malformed_file_is_rejected_with_its_line_and_nothing_loaded(cli, tmp_path):
    lines = (FIXTURES / "ptp_practitioner.txt").read_text("utf-8").splitlines()
    lines[5] = lines[5].replace("\t1\t", "\t7\t")  # modifier indicator must be 0, 1 or 9
    bad = tmp_path / "ptp_bad.txt"
    bad.write_text("\n".join(lines) + "\n", "utf-8")

    result = cli("load", "ptp", str(bad), status=2)

    assert "ptp_bad.txt: line 6" in result.stderr
    assert json.loads(cli("versions", "--json").stdout) == []


def test_icd_load_needs_an_effective_date(cli):
    result = cli("load", "icd10cm", str(FIXTURES / "icd10cm_order_2027.txt"), status=2)
    assert "effective" in result.stderr


def test_search_ranks_abbreviations(cli):
    hits = json.loads(cli("search", "htn", "--limit", "3", "--json").stdout)
    assert hits[0]["code"] == "I10"
    hits = json.loads(cli("search", "chest pain", "--json").stdout)
    assert hits[0]["code"].startswith("R07")


def test_suggest_reads_a_note_and_skips_negated_phrases(cli, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("Type 2 diabetes, hypertension. Denies chest pain.", "utf-8")
    found = json.loads(cli("suggest", "--note", str(note), "--json").stdout)
    codes_found = [s["code"] for s in found]
    assert {"E11.9", "I10"} <= set(codes_found[:4])
    assert not any(c.startswith("R07") for c in codes_found)
    assert all(s["phrase"] for s in found)


def test_check_reports_the_four_claim_problems(cli):
    cli("load", "ptp", str(FIXTURES / "ptp_practitioner.txt"))
    cli("load", "mue", str(FIXTURES / "mue_practitioner.csv"))
    cli("load", "icd10cm", "--effective", "2026-10-01", str(FIXTURES / "icd10cm_order_2027.txt"))
    result = cli(
        "check",
        "--dos",
        "2026-03-02",
        "--dx",
        "E11",
        "--dx",
        "E11.A1",
        "--line",
        "93000",
        "--line",
        "93005",
        "--line",
        "97110*9",
        "--json",
        status=1,
    )
    found = {f["code"] for f in json.loads(result.stdout)}
    assert {
        "icd10cm.not_billable",
        "icd10cm.not_valid_on_dos",
        "ncci.ptp",
        "ncci.mue",
    } <= found


def test_a_new_process_sees_what_was_loaded(cli, database_url):
    cli("load", "hcpcs", str(FIXTURES / "HCPC2026_JAN_ANWEB.txt"))
    program = (
        "import typer; from revcycle.cli.codes_cmds import codes; "
        "app = typer.Typer(); app.add_typer(codes, name='codes'); "
        "app.callback()(lambda: None); app()"
    )
    env = {**os.environ, "REVCYCLE_DATABASE_URL": database_url}
    r = subprocess.run(
        [sys.executable, "-c", program, "codes", "lookup", "J3490", "--system", "hcpcs", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert (out["found"], out["description"]) == (True, "Unclassified drugs")
