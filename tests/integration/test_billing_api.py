"""Patient billing over the API: payments (idempotent by key), refunds, the account, statements
with their PDFs and payment plans, each behind its role and within the caller's practice."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from revcycle.api.app import create_app
from revcycle.config import Settings
from revcycle.services import auth, setup
from tests.conftest import practice_data
from tests.integration.test_patient_billing import adjudicate, assert_ledger_holds, visit

PASSWORD = "correct horse battery"


@pytest.fixture
def api(database_url, clock, billing, engine, operator):
    for name, role in (("biller", "biller"), ("desk", "front_desk"), ("coder", "coder")):
        auth.create_user(billing.ctx, name, role, PASSWORD)
    other = setup.create_practice(
        operator, practice_data(legal_name="Other Practice", tin="987654321")
    )
    auth.create_user(operator.with_practice(other.id), "intruder", "admin", PASSWORD)
    adjudicate(
        billing, engine, visit(billing, billing.self_pt, "2026-03-02"), patient_share="30.00"
    )
    adjudicate(
        billing, engine, visit(billing, billing.self_pt, "2026-05-04"), patient_share="25.00"
    )
    with TestClient(create_app(Settings(database_url=database_url, clock=clock))) as client:
        yield client


def login(client, user):
    r = client.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_a_payment_posts_once_per_idempotency_key(api, billing, engine):
    h = login(api, "desk")
    body = {
        "tenders": [
            {"method": "cash", "amount": "20.00"},
            {"method": "check", "amount": "50.00", "reference": "1234"},
        ]
    }
    url = f"/api/v1/patients/{billing.self_pt}/payments"
    r = api.post(url, json=body, headers={**h, "Idempotency-Key": "pos-1"})
    assert r.status_code == 201, r.text
    first = r.json()
    assert (first["applied"], first["unapplied"], first["credit"]) == ("55.00", "15.00", "15.00")
    assert [a["amount"] for a in first["applied_lines"]] == ["30.00", "25.00"]
    r = api.post(url, json=body, headers={**h, "Idempotency-Key": "pos-1"})
    assert r.status_code == 200 and r.json()["replayed"] is True
    assert r.json()["receipt_number"] == first["receipt_number"]
    account = api.get(f"/api/v1/patients/{billing.self_pt}/account", headers=h).json()
    assert (account["credit"], account["patient_open"], account["amount_due"]) == (
        "15.00",
        "0.00",
        "-15.00",
    )
    assert len(account["receipts"]) == 1
    assert_ledger_holds(engine, billing.ctx.practice_id, billing.self_pt)


def test_refunds_need_the_billing_role_and_stay_within_the_credit(api, billing):
    desk, biller = login(api, "desk"), login(api, "biller")
    api.post(
        f"/api/v1/patients/{billing.self_pt}/payments",
        json={"tenders": [{"method": "cash", "amount": "60.00"}]},
        headers=desk,
    )
    url = f"/api/v1/patients/{billing.self_pt}/refunds"
    body = {"amount": "9.00", "method": "check", "reference": "7001"}
    assert api.post(url, json=body, headers=desk).status_code == 403
    r = api.post(url, json=body, headers=biller)
    assert r.status_code == 422 and r.json()["code"] == "refund_above_credit"
    assert "9.00" in r.text and "5.00" in r.text
    r = api.post(url, json={**body, "amount": "5.00"}, headers=biller)
    assert r.status_code == 201 and r.json()["credit"] == "0.00"


def test_statements_run_list_and_download_over_the_api(api, billing):
    biller = login(api, "biller")
    assert api.post("/api/v1/statements/runs", json={"date": "2026-06-30"},
                    headers=login(api, "desk")).status_code == 403  # fmt: skip
    r = api.post("/api/v1/statements/runs", json={"date": "2026-06-30"}, headers=biller)
    assert r.status_code == 201, r.text
    [made] = r.json()["statements"]
    assert made["amount_due"] == "55.00" and made["aging"]["91-120"] == "30.00"
    listed = api.get("/api/v1/statements", headers=biller).json()
    assert [s["number"] for s in listed] == [made["number"]]
    pdf = api.get(f"/api/v1/statements/{made['number']}/pdf", headers=biller)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    intruder = login(api, "intruder")
    assert api.get(f"/api/v1/statements/{made['number']}/pdf", headers=intruder).status_code == 404
    assert api.get("/api/v1/statements", headers=intruder).json() == []


def test_payment_plans_over_the_api(api, billing):
    biller = login(api, "biller")
    url = f"/api/v1/patients/{billing.self_pt}/payment-plans"
    r = api.post(url, json={"start": "2026-07-01", "installments": 4}, headers=biller)
    assert r.status_code == 201, r.text
    plan = r.json()
    assert [i["amount"] for i in plan["installments"]] == ["13.75"] * 4
    assert api.get(f"/api/v1/payment-plans/{plan['id']}", headers=biller).json() == plan
    assert [p["id"] for p in api.get("/api/v1/payment-plans", headers=biller).json()] == [
        plan["id"]
    ]
    r = api.post(url, json={"start": "2026-07-01", "installments": 2}, headers=biller)
    assert r.status_code == 409
    coder = login(api, "coder")
    assert api.get(f"/api/v1/patients/{billing.self_pt}/account", headers=coder).status_code == 403
    intruder = login(api, "intruder")
    assert api.get(f"/api/v1/payment-plans/{plan['id']}", headers=intruder).status_code == 404
