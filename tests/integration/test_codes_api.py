"""The code-set routes: authentication, the lookup contract over HTTP, search, suggestion,
validation, and admin-only loading that rejects malformed files with their line number."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from revcycle.api.app import create_app
from revcycle.api.routers import codes
from revcycle.config import Settings
from revcycle.services import auth, setup
from tests.conftest import practice_data

PASSWORD = "correct horse battery"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "codesets"


@pytest.fixture
def api(database_url, clock, operator):
    app = create_app(Settings(database_url=database_url, clock=clock))
    if not any(getattr(r, "path", "").startswith("/api/v1/codes") for r in app.routes):
        app.include_router(codes.router, prefix="/api/v1")  # until app.py includes it
    practice = setup.create_practice(operator, practice_data())
    ctx = operator.with_practice(practice.id)
    for role in ("admin", "coder"):
        auth.create_user(ctx, role, role, PASSWORD)
    with TestClient(app) as client:
        yield client


def login(client, username):
    r = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def upload(client, headers, system, path: Path, **form):
    with path.open("rb") as fh:
        return client.post(
            "/api/v1/codes/load",
            data={"system": system, **form},
            files={"file": (path.name, fh, "text/plain")},
            headers=headers,
        )


def test_every_codes_route_requires_authentication(api):
    for method, path in [
        ("get", "/api/v1/codes/icd10cm/E11.9"),
        ("get", "/api/v1/codes/search?q=htn"),
        ("get", "/api/v1/codes/versions"),
        ("post", "/api/v1/codes/suggest"),
        ("post", "/api/v1/codes/validate"),
        ("post", "/api/v1/codes/load"),
    ]:
        assert getattr(api, method)(path).status_code == 401, path


def test_lookup_found_not_found_and_unknown_system(api):
    h = login(api, "coder")
    r = api.get("/api/v1/codes/icd10cm/E11.9?dos=2026-03-02", headers=h)
    assert r.status_code == 200
    body = r.json()
    assert (body["found"], body["valid_on_dos"], body["billable"]) == (True, True, True)
    assert body["description"] == "Type 2 diabetes mellitus without complications"
    r = api.get("/api/v1/codes/icd10cm/E11.Q9", headers=h)
    assert r.status_code == 404
    assert r.json()["found"] is False
    r = api.get("/api/v1/codes/icd9/250.00", headers=h)
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "unknown_code_system"


def test_search_suggest_and_validate(api):
    h = login(api, "coder")
    r = api.get("/api/v1/codes/search", params={"q": "htn", "limit": 3}, headers=h)
    assert r.status_code == 200
    assert r.json()[0]["code"] == "I10"
    r = api.post(
        "/api/v1/codes/suggest",
        json={"note": "Type 2 diabetes, hypertension. Denies chest pain."},
        headers=h,
    )
    assert r.status_code == 200
    assert {"E11.9", "I10"} <= {s["code"] for s in r.json()[:4]}
    r = api.post(
        "/api/v1/codes/validate",
        json={"dos": "2026-03-02", "diagnoses": ["E11"], "lines": [{"code": "99213"}]},
        headers=h,
    )
    assert r.status_code == 200
    assert {"icd10cm.not_billable", "cpt.format_only"} <= {f["code"] for f in r.json()}


def test_only_an_admin_loads_and_the_load_is_used_at_once(api):
    r = upload(api, login(api, "coder"), "hcpcs", FIXTURES / "HCPC2026_JAN_ANWEB.txt")
    assert r.status_code == 403

    admin = login(api, "admin")
    r = upload(api, admin, "hcpcs", FIXTURES / "HCPC2026_JAN_ANWEB.txt")
    assert r.status_code == 201, r.text
    assert (r.json()["system"], r.json()["row_count"]) == ("hcpcs", 9)
    assert r.json()["source_file"] == "HCPC2026_JAN_ANWEB.txt"

    r = api.get("/api/v1/codes/hcpcs/G9999?dos=2026-03-02", headers=admin)
    assert r.status_code == 200
    assert r.json()["valid_on_dos"] is False  # terminated at the end of 2024
    assert api.get("/api/v1/codes/versions", headers=admin).json()[0]["active"] is True


def test_icd_load_with_effective_date_and_a_four_finding_claim(api):
    admin = login(api, "admin")
    r = upload(api, admin, "icd10cm", FIXTURES / "icd10cm_order_2027.txt", effective="2026-10-01")
    assert r.status_code == 201, r.text
    for system, name in (("ptp", "ptp_practitioner.txt"), ("mue", "mue_practitioner.csv")):
        assert upload(api, admin, system, FIXTURES / name).status_code == 201
    r = api.post(
        "/api/v1/codes/validate",
        json={
            "dos": "2026-03-02",
            "diagnoses": ["E11", "E11.A1"],
            "lines": [{"code": "93000"}, {"code": "93005"}, {"code": "97110", "units": 9}],
        },
        headers=admin,
    )
    found = {f["code"] for f in r.json()}
    assert {"icd10cm.not_billable", "icd10cm.not_valid_on_dos", "ncci.ptp", "ncci.mue"} <= found


def test_malformed_upload_is_rejected_with_its_line_and_nothing_changes(api, tmp_path):
    admin = login(api, "admin")
    assert upload(api, admin, "mue", FIXTURES / "mue_practitioner.csv").status_code == 201
    bad = tmp_path / "mue_bad.csv"
    text = (FIXTURES / "mue_practitioner.csv").read_text("utf-8")
    bad.write_text(text.replace("97110,8,", "97110,eight,"), "utf-8")

    r = upload(api, admin, "mue", bad)

    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "malformed_code_file"
    assert "mue_bad.csv: line 4" in r.json()["detail"][0]["msg"]
    versions = api.get("/api/v1/codes/versions?system=mue", headers=admin).json()
    assert [(v["source_file"], v["active"]) for v in versions] == [("mue_practitioner.csv", True)]
