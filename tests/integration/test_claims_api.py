"""Charge entry and claims through the API, within the caller's practice only."""

import pytest
from fastapi.testclient import TestClient

from revcycle.api.app import create_app
from revcycle.config import Settings
from revcycle.services import auth, setup
from tests.conftest import practice_data

PASSWORD = "correct horse battery"


@pytest.fixture
def api(database_url, clock, billing, operator):
    auth.create_user(billing.ctx, "biller", "biller", PASSWORD)
    other = setup.create_practice(
        operator, practice_data(legal_name="Other Practice", tin="987654321")
    )
    auth.create_user(operator.with_practice(other.id), "intruder", "admin", PASSWORD)
    with TestClient(create_app(Settings(database_url=database_url, clock=clock))) as client:
        yield client


def login(client, user):
    r = client.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_encounter_to_scrubbed_claim_over_the_api(api, billing):
    h = login(api, "biller")
    body = {
        "patient_id": billing.self_pt,
        "dos_from": "2026-06-01",
        "rendering_provider_id": billing.rendering,
        "place_of_service": "11",
        "diagnoses": ["E11.9", {"code": "I10"}],
        "lines": [
            {"procedure": "99213", "pointers": [1, 2]},
            {"procedure": "93000", "pointers": [2], "charge": "50.00"},
        ],
    }
    r = api.post("/api/v1/encounters", json=body, headers=h)
    assert r.status_code == 201, r.text
    assert [line["charge"] for line in r.json()["lines"]] == ["120.00", "50.00"]
    r = api.post("/api/v1/claims", headers=h)
    assert r.status_code == 201 and len(r.json()) == 1
    claim = r.json()[0]
    assert claim["total_charge"] == "170.00"
    r = api.post("/api/v1/claims/scrub", headers=h)
    assert r.json()[0]["clean"] is True
    detail = api.get(f"/api/v1/claims/{claim['id']}", headers=h).json()
    assert detail["status"] == "ready" and [e["to_status"] for e in detail["history"]] == [
        "draft",
        "scrubbed_clean",
        "ready",
    ]
    x12 = api.get(f"/api/v1/claims/{claim['id']}/x12", headers=h)
    assert x12.status_code == 200 and "CLM*" + claim["patient_control_number"] in x12.text
    r = api.post(
        f"/api/v1/claims/{claim['id']}/status", json={"to": "paid", "reason": "x"}, headers=h
    )
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"

    intruder = login(api, "intruder")
    assert api.get(f"/api/v1/claims/{claim['id']}", headers=intruder).status_code == 404
    assert api.get(f"/api/v1/claims/{claim['id']}/x12", headers=intruder).status_code == 404
    assert api.get("/api/v1/claims", headers=intruder).json() == []


def test_bad_encounter_gets_field_paths(api, billing):
    h = login(api, "biller")
    body = {
        "patient_id": billing.self_pt,
        "dos_from": "2026-06-01",
        "rendering_provider_id": billing.rendering,
        "place_of_service": "11",
        "diagnoses": ["E11.9"],
        "lines": [{"procedure": "9921", "pointers": [3]}],
    }
    r = api.post("/api/v1/encounters", json=body, headers=h)
    assert r.status_code == 422
    locs = {tuple(d["loc"]) for d in r.json()["detail"]}
    assert ("body", "lines", "1", "procedure") in locs and (
        "body",
        "lines",
        "1",
        "pointers",
    ) in locs
