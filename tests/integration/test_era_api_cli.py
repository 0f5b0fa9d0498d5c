"""ERA and paper-EOB posting through the API and the command line: the same services, the
caller's practice only, the documented statuses and exit codes."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from revcycle.api.app import create_app
from revcycle.cli.app import app as cli_app
from revcycle.cli.common import reset_state
from revcycle.config import Settings
from revcycle.domain.money import Money
from revcycle.domain.remittance import Adjustment, ClaimPayment, ServicePayment
from revcycle.services import auth, claims, setup
from tests.conftest import practice_data
from tests.integration.test_era_posting_cases import claim_lines, eob_form, payment, remit
from tests.integration.test_submission import ready_claims

PASSWORD = "correct horse battery"


@pytest.fixture
def claim(billing) -> int:
    (claim_id,) = ready_claims(billing, [billing.self_pt])
    return claim_id


@pytest.fixture
def api(database_url, clock, billing, operator):
    auth.create_user(billing.ctx, "biller", "biller", PASSWORD)
    auth.create_user(billing.ctx, "desk", "front_desk", PASSWORD)
    other = setup.create_practice(
        operator, practice_data(legal_name="Other Practice", tin="987654321")
    )
    auth.create_user(operator.with_practice(other.id), "intruder", "admin", PASSWORD)
    with TestClient(create_app(Settings(database_url=database_url, clock=clock))) as client:
        yield client


def login(client, user):
    r = client.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_an_835_posted_over_the_api_once_then_listed(api, billing, claim):
    h = login(api, "biller")
    content = remit([payment(billing.ctx, claim, "1", "ICN1", Decimal(1))])
    r = api.post("/api/v1/era", content=content, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "posted" and r.json()["claims_matched"] == 1
    again = api.post("/api/v1/era", content=content, headers=h)
    assert (again.status_code, again.json()["status"]) == (200, "already_posted")
    files = api.get("/api/v1/era", headers=h).json()
    assert [f["status"] for f in files] == ["posted"]
    # another practice's user sees none of it, and the front desk may not post remittances
    assert api.get("/api/v1/era", headers=login(api, "intruder")).json() == []
    assert api.post("/api/v1/era", content=content, headers=login(api, "desk")).status_code == 403


def test_a_broken_835_over_the_api_is_422_with_findings(api, claim):
    r = api.post("/api/v1/era", content=b"ISA*00*nonsense~", headers=login(api, "biller"))
    assert r.status_code == 422
    assert r.json()["status"] == "rejected" and r.json()["findings"]


def test_a_paper_eob_over_the_api(api, billing, claim):
    h = login(api, "biller")
    r = api.post("/api/v1/era/manual", json=eob_form(billing.ctx, claim), headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["paid_total"] == "60.00"
    bad = {**eob_form(billing.ctx, claim, check="2"), "check_amount": 60.5}
    r = api.post("/api/v1/era/manual", json=bad, headers=h)
    assert r.status_code == 422
    assert "check_amount" in r.text


def test_era_manual_and_files_from_the_command_line(
    billing, database_url, tmp_path, monkeypatch, claim
):
    monkeypatch.setenv("REVCYCLE_CLOCK", "2026-06-15T12:00:00+00:00")
    runner = CliRunner()
    form = tmp_path / "eob.json"
    practice = str(billing.ctx.practice_id)

    def run(*args: str) -> object:
        reset_state(database_url, None)
        return runner.invoke(cli_app, ["era", *args, "--db", database_url])

    form.write_text(json.dumps(eob_form(billing.ctx, claim)))
    r = run("manual", str(form), "--practice", practice, "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["status"] == "posted"
    r = run("files", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)[0]["summary"]["paid_total"] == "60.00"
    form.write_text(json.dumps({**eob_form(billing.ctx, claim), "claims": []}))
    r = run("manual", str(form), "--practice", practice)
    assert r.exit_code == 2 and "claims" in r.output
    form.write_text("{not json")
    r = run("manual", str(form), "--practice", practice)
    assert r.exit_code == 2 and "not JSON" in r.output
    reset_state(None, None)


def oa_payment(ctx, claim_id: int) -> ClaimPayment:
    """Each line paid all but 10.00 of its charge, the 10.00 as OA-94."""
    lines = [
        ServicePayment(
            proc, charge, charge - Money("10.00"), units=Decimal(1), line_control_number=lcn,
            adjustments=(Adjustment("OA", "94", Money("10.00")),),
        )
        for proc, charge, lcn in claim_lines(ctx, claim_id)
    ]  # fmt: skip
    pcn = claims.get_claim(ctx, claim_id).record.patient_control_number
    return ClaimPayment(
        pcn, "1", Money.sum(ln.charge for ln in lines), Money.sum(ln.paid for ln in lines),
        Money.zero(), "12", "ICN-OA", lines=tuple(lines),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("treatment", "patient_owes", "code"),
    [("adjust", "0.00", 0), ("patient", "10.00", 0), ("bogus", None, 2)],
)
def test_era_post_treats_oa_amounts_as_configured(
    billing, database_url, tmp_path, monkeypatch, claim, treatment, patient_owes, code
):
    monkeypatch.setenv("REVCYCLE_CLOCK", "2026-06-15T12:00:00+00:00")
    path = tmp_path / "oa.835"
    path.write_bytes(remit([oa_payment(billing.ctx, claim)]))
    reset_state(database_url, None)
    r = CliRunner().invoke(
        cli_app, ["era", "post", str(path), "--oa", treatment, "--json", "--db", database_url]
    )
    reset_state(None, None)
    assert r.exit_code == code, r.output
    if patient_owes is not None:
        lines = len(claim_lines(billing.ctx, claim))
        owed = Money(patient_owes).amount * lines
        assert json.loads(r.stdout)["patient_responsibility"] == Money(owed).to_json()
