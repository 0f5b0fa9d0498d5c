"""Patient cost estimates on the real databases: the payer's contract and the latest 271 give
the patient's share line by line; without a 271 the estimate is flagged; self-pay patients get
the fee schedule less the discount; each estimate is numbered, stored with its inputs, result
and PDF, audited, kept to its practice and behind its role; the same through the CLI and API."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from typer.testing import CliRunner

from revcycle.api.app import create_app
from revcycle.cli.app import app
from revcycle.config import Settings
from revcycle.db.estimate_repo import estimate_store
from revcycle.domain.eligibility import Benefit, EligibilityResponse, Entity
from revcycle.domain.errors import DomainValidationError, NotFound, PermissionDenied
from revcycle.domain.money import Money
from revcycle.domain.user import PERMISSIONS
from revcycle.services import audit, auth, charges, patients, setup
from revcycle.services.estimates import estimate, get_estimate, list_estimates
from tests.conftest import TODAY, patient_data, practice_data

PASSWORD = "correct horse battery"
DOS = date(2026, 6, 22)


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def eb(code: str, stype: str, *, amount: str | None = None, percent: str | None = None,
       period: str = "") -> Benefit:  # fmt: skip
    return Benefit(
        code=code,
        coverage_level="IND",
        service_types=(stype,),
        time_period=period,
        amount=Money(amount) if amount else None,
        percent=Decimal(percent) if percent else None,
        in_network="Y",
    )


def ppo_271(deductible_left: str = "50.00", oop_left: str = "1000.00") -> EligibilityResponse:
    """Active PPO: $1,000 deductible with ``deductible_left`` left, 20 % coinsurance, $25
    office-visit copay, out-of-pocket with ``oop_left`` left."""
    return EligibilityResponse(
        payer=Entity("Acme Health PPO", "SIMPPO", "PI", entity_code="PR"),
        provider=Entity("Test Family Practice", "1234567893", "XX", entity_code="1P"),
        created=datetime(2026, 6, 14, 9, 0, tzinfo=UTC),
        benefits=(
            eb("1", "30"),
            eb("C", "30", amount="1000.00", period="23"),
            eb("C", "30", amount=deductible_left, period="29"),
            eb("G", "30", amount="4000.00", period="23"),
            eb("G", "30", amount=oop_left, period="29"),
            eb("A", "30", percent="0.2"),
            eb("B", "98", amount="25.00", period="27"),
        ),
    )


@pytest.fixture
def contracted(billing):
    """SIMPPO pays 92.50 for 99213 and 30.00 a unit for 80053."""
    charges.add_contract(
        billing.ctx,
        billing.payers["SIMPPO"],
        {
            "kind": "fee_schedule",
            "effective": "2026-01-01",
            "rates": [
                {"procedure": "99213", "amount": "92.50"},
                {"procedure": "80053", "amount": "30.00"},
            ],
        },
    )
    return billing


@pytest.fixture
def uninsured(billing) -> int:
    return patients.register_patient(
        billing.ctx, patient_data(mrn="U1", first_name="Mia", last_name="Lopez", dob="1995-07-07")
    ).id


def test_an_insured_estimate_applies_the_contract_and_the_271_line_by_line(contracted):
    ctx = contracted.ctx
    made = estimate(ctx, "S1", ["99213", "80053x2"], store=estimate_store, dos=DOS,
                    diagnoses=["E11.9", "I10"], eligibility=ppo_271())  # fmt: skip
    assert made.number == "E0000001" and made.basis == "benefits" and not made.flagged
    visit, lab = made.result["lines"]
    # 92.50 allowed: 50.00 deductible, then the 25.00 copay on the rest
    assert (visit["price_source"], visit["charge"], visit["allowed"]) == (
        "contract",
        "120.00",
        "92.50",
    )
    assert (visit["deductible"], visit["copay"], visit["patient_pays"], visit["plan_pays"]) == (
        "50.00", "25.00", "75.00", "17.50")  # fmt: skip
    # 2 x 30.00 allowed, deductible met: 20 % coinsurance
    assert (lab["units"], lab["allowed"], lab["coinsurance"], lab["patient_pays"]) == (
        "2", "60.00", "12.00", "12.00")  # fmt: skip
    assert lab["diagnoses"] == ["E11.9", "I10"]
    assert made.result["totals"]["patient_pays"] == "87.00" and made.patient_share == Money("87.00")
    assert made.result["totals"]["plan_pays"] == "65.50" and made.allowed == Money("152.50")
    assert made.inputs["payer"] == "SIMPPO" and made.inputs["contract_id"] is not None
    assert made.inputs["eligibility"]["status"] == "active"
    again = get_estimate(ctx, "e0000001", store=estimate_store)
    assert again.pdf == made.pdf and again.result == made.result
    text = pdf_text(again.pdf)
    for expected in ("PATIENT COST ESTIMATE", "E0000001", "Ana Rivera", "04/02/1980",
                     "Acme Health PPO, member W100", "06/22/2026", "99213", "80053", "$92.50",
                     "$60.00", "$87.00", "$65.50", "Deductible left", "$50.00"):  # fmt: skip
        assert expected in text, expected
    assert "FLAGGED" not in text
    actions = {(e.action, e.record_type) for e in audit.audit_entries(ctx, record_id="E0000001")}
    assert {("create", "estimate"), ("read", "estimate")} <= actions


def test_the_lookup_supplies_the_latest_271_of_the_coverage(contracted):
    asked: list[int] = []

    def latest(uow, coverage_id):
        asked.append(coverage_id)
        return ppo_271(deductible_left="0.00", oop_left="20.00")

    made = estimate(contracted.ctx, contracted.self_pt, ["99213", "80053x2"],
                    store=estimate_store, dos=DOS, lookup=latest)  # fmt: skip
    assert asked == [made.coverage_id] and made.coverage_id is not None
    # 25.00 copay + 12.00 coinsurance = 37.00, capped at the 20.00 out-of-pocket left
    assert made.result["totals"]["patient_pays"] == "20.00"
    assert made.result["totals"]["out_of_pocket_cap"] == "17.00"
    assert any("out-of-pocket limit is reached" in n for n in made.result["notes"])


def test_without_a_271_the_patient_owes_the_allowed_amount_and_the_estimate_is_flagged(billing):
    made = estimate(billing.ctx, "H1", ["99213"], store=estimate_store, dos=DOS)
    assert made.basis == "no_benefits" and made.flagged
    [line] = made.result["lines"]
    assert (line["price_source"], line["allowed"], line["patient_pays"]) == (
        "fee_schedule", "120.00", "120.00")  # fmt: skip
    text = pdf_text(made.pdf)
    assert "FLAGGED" in text and "Summit HMO, member H200" in text


def test_a_patient_without_coverage_gets_self_pay_prices_less_the_discount(billing, uninsured):
    made = estimate(billing.ctx, "U1", ["99213", "80053"], store=estimate_store, dos=DOS,
                    discount=Decimal("0.20"))  # fmt: skip
    assert made.basis == "self_pay" and made.coverage_id is None
    assert [ln["allowed"] for ln in made.result["lines"]] == ["96.00", "30.40"]
    assert made.patient_share == Money("126.40")
    assert "Self-pay" in pdf_text(made.pdf)


def test_an_insured_patient_may_ask_for_a_self_pay_estimate(billing):
    made = estimate(billing.ctx, "S1", ["99213"], store=estimate_store, self_pay=True)
    assert made.basis == "self_pay" and made.service_date == TODAY.date()


def test_a_service_without_a_fee_is_refused_and_nothing_is_stored(billing):
    with pytest.raises(DomainValidationError) as err:
        estimate(billing.ctx, "S1", ["99213", "99499"], store=estimate_store)
    assert [(e.field, e.reason) for e in err.value.errors] == [("services.2.procedure", "no_fee")]
    with pytest.raises(DomainValidationError) as err:
        estimate(billing.ctx, "S1", ["99213@3"], store=estimate_store, diagnoses=["E11.9"])
    assert err.value.errors[0].field == "services.1.pointers"
    assert list_estimates(billing.ctx, store=estimate_store) == []


def test_a_coverage_of_another_patient_is_not_used(billing):
    other = patients.list_coverages(billing.ctx, billing.hmo_pt)[0]
    with pytest.raises(NotFound):
        estimate(billing.ctx, "S1", ["99213"], store=estimate_store, coverage=other.id)


def test_estimates_are_listed_per_patient_and_kept_to_their_practice(billing, operator):
    estimate(billing.ctx, "S1", ["99213"], store=estimate_store)
    estimate(billing.ctx, "H1", ["80053"], store=estimate_store)
    assert [e.number for e in list_estimates(billing.ctx, store=estimate_store)] == [
        "E0000002", "E0000001"]  # fmt: skip
    [only] = list_estimates(billing.ctx, store=estimate_store, patient="H1")
    assert only.number == "E0000002" and only.pdf == b""
    other = setup.create_practice(operator, practice_data(legal_name="Other", tin="987654321"))
    stranger = operator.with_practice(other.id)
    assert list_estimates(stranger, store=estimate_store) == []
    with pytest.raises(NotFound):
        get_estimate(stranger, "E0000001", store=estimate_store)


def test_making_an_estimate_takes_the_estimates_role(billing):
    coder = dataclasses.replace(billing.ctx, permissions=PERMISSIONS["coder"])
    with pytest.raises(PermissionDenied):
        estimate(coder, "S1", ["99213"], store=estimate_store)
    desk = dataclasses.replace(billing.ctx, permissions=PERMISSIONS["front_desk"])
    assert estimate(desk, "S1", ["99213"], store=estimate_store).number == "E0000001"


# ---- CLI and API -----------------------------------------------------------------------------


def cli(database_url: str, practice_id: int, *args: str):
    return CliRunner().invoke(
        app, ["--db", database_url, "--practice", str(practice_id), *args], catch_exceptions=False
    )


def test_cli_creates_lists_and_shows_estimates(billing, database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("REVCYCLE_CLOCK", TODAY.isoformat())
    pid = billing.ctx.practice_id
    pdf = tmp_path / "estimate.pdf"
    r = cli(database_url, pid, "estimates", "create", "S1", "--service", "99213", "--service",
            "80053x2", "--diagnosis", "E11.9", "--dos", "2026-06-22", "--json", "--pdf", str(pdf))  # fmt: skip
    assert r.exit_code == 0, r.output
    made = json.loads(r.stdout)
    assert made["number"] == "E0000001" and made["flagged"] is True
    assert made["patient_pays"] == "196.00" and made["result"]["lines"][1]["units"] == "2"
    assert "$196.00" in pdf_text(pdf.read_bytes())
    r = cli(database_url, pid, "estimates", "create", "U1", "--service", "99213", "--json")
    assert r.exit_code == 1  # no such patient
    r = cli(database_url, pid, "estimates", "create", "S1", "--service", "99213x")
    assert r.exit_code == 2 and "services.1" in r.output
    r = cli(database_url, pid, "estimates", "list", "--json")
    assert [e["number"] for e in json.loads(r.stdout)] == ["E0000001"]
    r = cli(database_url, pid, "estimates", "show", "E0000001")
    assert r.exit_code == 0 and "FLAGGED" in r.stdout and "196.00" in r.stdout
    r = cli(database_url, pid, "estimates", "show", "E0000009")
    assert r.exit_code == 1


@pytest.fixture
def api(database_url, clock, billing):
    for name, role in (("desk", "front_desk"), ("coder", "coder")):
        auth.create_user(billing.ctx, name, role, PASSWORD)
    with TestClient(create_app(Settings(database_url=database_url, clock=clock))) as client:
        yield client


def login(client, user):
    r = client.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_api_creates_an_estimate_and_serves_its_pdf(api, billing):
    h = login(api, "desk")
    body = {
        "services": [{"procedure": "99213"}, {"procedure": "80053", "units": "2", "pointers": [1]}],
        "diagnoses": ["E11.9"],
        "service_date": "2026-06-22",
    }
    r = api.post(f"/api/v1/patients/{billing.self_pt}/estimates", json=body, headers=h)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["patient_pays"] == "196.00" and made["basis"] == "no_benefits"
    assert api.get("/api/v1/estimates", headers=h).json()[0]["number"] == made["number"]
    r = api.get(f"/api/v1/estimates/{made['number']}/pdf", headers=h)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert "E0000001" in pdf_text(r.content)
    r = api.post(f"/api/v1/patients/{billing.self_pt}/estimates",
                 json={"services": [{"procedure": "99499"}]}, headers=h)  # fmt: skip
    assert r.status_code == 422 and "no_fee" in r.text
    coder = login(api, "coder")
    assert api.post(f"/api/v1/patients/{billing.self_pt}/estimates", json=body,
                    headers=coder).status_code == 403  # fmt: skip
