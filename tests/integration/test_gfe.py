"""Good Faith Estimates on the real databases: every field the No Surprises Act requires is in
the PDF; only uninsured or self-pay-by-choice patients get one; each is stored as issued with
its issue date, the deadline it had to meet and whether it did, and late ones are listed; the
same through the CLI and API."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from typer.testing import CliRunner

from revcycle.api.app import create_app
from revcycle.cli.app import app
from revcycle.config import Settings
from revcycle.db.estimate_repo import estimate_store
from revcycle.domain.errors import DomainValidationError
from revcycle.domain.money import Money
from revcycle.services import auth, patients
from revcycle.services.estimates import get_gfe, good_faith_estimate, list_gfes
from tests.conftest import TODAY, patient_data

PASSWORD = "correct horse battery"


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def uninsured(billing) -> int:
    return patients.register_patient(
        billing.ctx, patient_data(mrn="U1", first_name="Mia", last_name="Lopez", dob="1995-07-07")
    ).id


def issue(billing, patient="U1", scheduled: str | None = "2026-06-30", **kw):
    kw.setdefault("services", ["99213", "80053x2@2"])
    kw.setdefault("diagnoses", ["E11.9", "I10"])
    services = kw.pop("services")
    when = date.fromisoformat(scheduled) if scheduled else None
    return good_faith_estimate(billing.ctx, patient, when, services, store=estimate_store, **kw)


def test_a_gfe_prints_every_required_field(billing, uninsured):
    made = issue(billing, separately_scheduled=["Pathology of the biopsy specimen"])
    assert made.number == "G0000001" and made.issued_on == TODAY.date()
    # scheduled Monday June 15 for June 30: 10 business days ahead (Juneteenth is a holiday)
    assert (made.deadline_rule, made.due_date, made.met) == (
        "scheduled_10_business_days_ahead", date(2026, 6, 18), True)  # fmt: skip
    assert made.total == Money("196.00") and made.retain_until == date(2032, 6, 15)
    provider, facility = made.content["parties"]
    assert (provider["name"], provider["npi"], provider["tin"], provider["state"]) == (
        "Helen Okonkwo, MD", "1558444216", "123456789", "IL")  # fmt: skip
    assert [(i["service"], i["units"], i["diagnoses"], i["expected_charge"])
            for i in provider["items"]] == [
        ("99213", "1", ["E11.9", "I10"], "120.00"), ("80053", "2", ["I10"], "76.00")]  # fmt: skip
    assert (facility["name"], facility["npi"], facility["items"]) == (
        "Main Clinic",
        "1234567893",
        [],
    )
    text = pdf_text(made.pdf)
    required = (
        "GOOD FAITH ESTIMATE",
        "G0000001",
        "Date issued",
        "06/15/2026",  # number, issue date
        "Mia Lopez",
        "07/07/1995",  # patient name and date of birth
        "Primary service",
        "99213 (Office visit)",
        "06/30/2026",  # primary service, scheduled
        "E11.9",
        "I10",  # diagnosis codes
        "Provider: Helen Okonkwo, MD",
        "1558444216",
        "123456789",  # provider, NPI, TIN
        "100 Main St, Springfield, IL 62701-1234",  # location
        "Facility: Main Clinic",
        "1234567893",  # facility and its NPI
        "80053",
        "$120.00",
        "$76.00",
        "Total estimated charges",
        "$196.00",  # items and charges
        "Pathology of the biopsy specimen",  # items needing separate scheduling
        "not included",  # other separately scheduled items
        "only an estimate",
        "actual items, services or charges may differ",
        "is not a contract",
        "does not require you to obtain",
        "patient-provider dispute resolution",
        "$400",
        "120",
        "www.cms.gov/nosurprises",
        "06/15/2032",  # kept 6 years
    )
    flat = " ".join(text.split())
    for expected in required:
        assert expected in flat, expected


def test_an_insured_patient_gets_a_gfe_only_as_self_pay_by_choice(billing):
    with pytest.raises(DomainValidationError) as err:
        issue(billing, "S1")
    assert err.value.errors[0].reason == "insured"
    assert list_gfes(billing.ctx, store=estimate_store) == []
    made = issue(billing, "S1", self_pay=True)
    assert made.content["self_pay_by_choice"] is True


def test_a_gfe_issued_after_its_deadline_is_recorded_late_and_listed(billing, uninsured):
    # scheduled Monday June 8 for Friday June 12 (4 business days ahead): due June 9
    late = issue(billing, scheduled="2026-06-12", scheduled_on=date(2026, 6, 8))
    assert (late.deadline_rule, late.due_date, late.met) == (
        "scheduled_3_business_days_ahead", date(2026, 6, 9), False)  # fmt: skip
    on_time = issue(billing)
    assert on_time.met
    assert [g.number for g in list_gfes(billing.ctx, store=estimate_store, late=True)] == [
        late.number]  # fmt: skip
    assert len(list_gfes(billing.ctx, store=estimate_store, patient="U1")) == 2
    assert "LATE" in pdf_text(late.pdf)


def test_a_requested_gfe_needs_no_date_and_is_due_in_three_business_days(billing, uninsured):
    made = issue(billing, scheduled=None, requested=True, scheduled_on=date(2026, 6, 10))
    assert (made.deadline_rule, made.due_date, made.met) == ("on_request", date(2026, 6, 15), True)
    assert "not yet scheduled" in pdf_text(made.pdf)
    with pytest.raises(DomainValidationError) as err:
        issue(billing, scheduled=None)
    assert err.value.errors[0].field == "scheduled_date"


def test_a_service_too_soon_after_scheduling_has_no_deadline(billing, uninsured):
    made = issue(billing, scheduled="2026-06-16")
    assert (made.due_date, made.met, made.deadline_rule) == (
        None, True, "scheduled_less_than_3_business_days_ahead")  # fmt: skip


def test_impossible_dates_are_refused(billing, uninsured):
    with pytest.raises(DomainValidationError) as err:
        issue(billing, scheduled="2026-06-30", scheduled_on=date(2026, 6, 20))
    assert err.value.errors[0].reason == "in_future"
    with pytest.raises(DomainValidationError) as err:
        issue(billing, scheduled="2026-06-01", scheduled_on=date(2026, 6, 10))
    assert err.value.errors[0].reason == "before_scheduling"


def test_a_gfe_is_kept_exactly_as_issued(billing, uninsured):
    made = issue(billing, discount=None)
    kept = get_gfe(billing.ctx, made.number, store=estimate_store)
    assert kept.pdf == made.pdf and kept.content == made.content and kept.met == made.met


# ---- CLI and API -----------------------------------------------------------------------------


def cli(database_url: str, practice_id: int, *args: str):
    return CliRunner().invoke(
        app, ["--db", database_url, "--practice", str(practice_id), *args], catch_exceptions=False
    )


def test_cli_issues_lists_shows_and_prints_gfes(billing, uninsured, database_url, tmp_path,
                                               monkeypatch):  # fmt: skip
    monkeypatch.setenv("REVCYCLE_CLOCK", TODAY.isoformat())
    pid = billing.ctx.practice_id
    pdf = tmp_path / "gfe.pdf"
    r = cli(database_url, pid, "gfe", "create", "U1", "--scheduled", "2026-06-12",
            "--scheduled-on", "2026-06-08", "--service", "99213", "--diagnosis", "E11.9",
            "--separate", "Follow-up imaging", "--discount", "10", "--pdf", str(pdf), "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    made = json.loads(r.stdout)
    assert (made["number"], made["met"], made["due_date"], made["total"]) == (
        "G0000001", False, "2026-06-09", "108.00")  # fmt: skip
    assert "Follow-up imaging" in pdf_text(pdf.read_bytes())
    r = cli(
        database_url, pid, "gfe", "create", "S1", "--scheduled", "2026-06-30", "--service", "99213"
    )
    assert r.exit_code == 2 and "insured" in r.output
    r = cli(database_url, pid, "gfe", "create", "U1", "--scheduled", "2026-06-30", "--service",
            "99213", "--requested")  # fmt: skip
    assert r.exit_code == 0 and "G0000002" in r.stdout
    r = cli(database_url, pid, "gfe", "list", "--late", "--json")
    assert [g["number"] for g in json.loads(r.stdout)] == ["G0000001"]
    r = cli(database_url, pid, "gfe", "list")
    assert r.exit_code == 0 and "LATE" in r.stdout and "G0000002" in r.stdout
    r = cli(database_url, pid, "gfe", "show", "G0000001")
    assert r.exit_code == 0 and "LATE" in r.stdout and "Helen Okonkwo" in r.stdout
    out = tmp_path / "again.pdf"
    r = cli(database_url, pid, "gfe", "pdf", "G0000001", "--out", str(out))
    assert r.exit_code == 0 and out.read_bytes() == pdf.read_bytes()
    assert cli(database_url, pid, "gfe", "show", "G0000042").exit_code == 1


@pytest.fixture
def api(database_url, clock, billing, uninsured):
    for name, role in (("desk", "front_desk"), ("coder", "coder")):
        auth.create_user(billing.ctx, name, role, PASSWORD)
    with TestClient(create_app(Settings(database_url=database_url, clock=clock))) as client:
        yield client


def login(client, user):
    r = client.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_api_issues_a_gfe_lists_late_ones_and_serves_the_pdf(api, billing, uninsured):
    h = login(api, "desk")
    body = {
        "services": [{"procedure": "99213"}],
        "diagnoses": ["E11.9"],
        "scheduled_date": "2026-06-12",
        "scheduled_on": "2026-06-08",
        "separately_scheduled": ["Physical therapy evaluation"],
    }
    r = api.post(f"/api/v1/patients/{uninsured}/good-faith-estimates", json=body, headers=h)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["met"] is False and made["due_date"] == "2026-06-09"
    late = api.get("/api/v1/good-faith-estimates", params={"late": True}, headers=h).json()
    assert [g["number"] for g in late] == [made["number"]]
    r = api.get(f"/api/v1/good-faith-estimates/{made['number']}/pdf", headers=h)
    assert r.status_code == 200 and "Physical therapy evaluation" in pdf_text(r.content)
    r = api.post(f"/api/v1/patients/{billing.self_pt}/good-faith-estimates", json=body, headers=h)
    assert r.status_code == 422 and "insured" in r.text
    coder = login(api, "coder")
    assert api.get("/api/v1/good-faith-estimates", headers=coder).status_code == 403
