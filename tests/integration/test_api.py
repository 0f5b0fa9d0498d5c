"""The REST API: authentication, roles, tenant isolation, field errors, audit, OpenAPI."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from revcycle.api.app import create_app
from revcycle.config import Settings
from revcycle.db import tables
from revcycle.services import auth, setup
from tests.conftest import practice_data

PASSWORD = "correct horse battery"


@pytest.fixture
def api(database_url, clock, operator):
    app = create_app(Settings(database_url=database_url, clock=clock))
    a = setup.create_practice(operator, practice_data(legal_name="Practice A"))
    b = setup.create_practice(operator, practice_data(legal_name="Practice B", tin="987654321"))
    for practice, prefix in ((a, "a"), (b, "b")):
        ctx = operator.with_practice(practice.id)
        for role in ("admin", "front_desk", "coder"):
            auth.create_user(ctx, f"{prefix}-{role}", role, PASSWORD)
        payer = setup.create_payer(ctx, {"name": "Acme", "payer_id": "SIMPPO"})
        setup.add_plan(ctx, payer.id, {"name": "PPO", "claim_filing_indicator": "12"})
    with TestClient(app) as client:
        yield client


def login(client, username):
    r = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


PATIENT = {
    "last_name": "Rivera",
    "first_name": "Ana",
    "dob": "1980-04-02",
    "sex": "F",
    "address": {"line1": "12 Oak St", "city": "Springfield", "state": "IL", "zip": "62704"},
}


def test_every_route_requires_authentication(api):
    for method, path in [
        ("get", "/api/v1/patients?name=x"),
        ("post", "/api/v1/patients"),
        ("get", "/api/v1/patients/1"),
        ("get", "/api/v1/practice"),
        ("get", "/api/v1/providers"),
        ("get", "/api/v1/payers"),
        ("get", "/api/v1/coverages/1"),
        ("get", "/api/v1/audit"),
        ("get", "/api/v1/users"),
    ]:
        r = getattr(api, method)(path)
        assert r.status_code == 401, (path, r.status_code)
        r = getattr(api, method)(path, headers={"Authorization": "Bearer not-a-token"})
        assert r.status_code == 401


def test_wrong_password_is_refused(api):
    r = api.post(
        "/api/v1/auth/token", data={"username": "a-admin", "password": "wrong wrong wrong"}
    )
    assert r.status_code == 401


def test_register_read_search_patient_with_coverage(api):
    h = login(api, "a-front_desk")
    r = api.post("/api/v1/patients", json=PATIENT, headers=h)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = api.post(
        f"/api/v1/patients/{pid}/coverages",
        json={"payer": "SIMPPO", "member_id": "W1", "effective": "2026-01-01"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    r = api.get(f"/api/v1/patients/{pid}", headers=h)
    assert r.json()["coverages"][0]["member_id"] == "W1"
    r = api.get("/api/v1/patients", params={"member_id": "w1"}, headers=h)
    assert [p["id"] for p in r.json()] == [pid]
    r = api.patch(f"/api/v1/patients/{pid}", json={"phone": "217 555 0123"}, headers=h)
    assert r.json()["phone"] == "2175550123"


def test_user_of_practice_a_cannot_reach_practice_b(api):
    hb = login(api, "b-admin")
    pid = api.post("/api/v1/patients", json=PATIENT, headers=hb).json()["id"]
    cid = api.post(
        f"/api/v1/patients/{pid}/coverages",
        json={"payer": "SIMPPO", "member_id": "B1", "effective": "2026-01-01"},
        headers=hb,
    ).json()["id"]
    prov = api.post(
        "/api/v1/providers",
        json={
            "npi": "1234567893",
            "last_name": "Okafor",
            "first_name": "Ada",
            "roles": ["rendering"],
        },
        headers=hb,
    ).json()["id"]
    payer_b = api.get("/api/v1/payers", headers=hb).json()[0]["id"]
    ha = login(api, "a-admin")
    for method, path, body in [
        ("get", f"/api/v1/patients/{pid}", None),
        ("patch", f"/api/v1/patients/{pid}", {"first_name": "X"}),
        ("get", f"/api/v1/patients/{pid}/coverages", None),
        (
            "post",
            f"/api/v1/patients/{pid}/coverages",
            {"payer": "SIMPPO", "member_id": "Z", "effective": "2026-01-01"},
        ),
        ("get", f"/api/v1/coverages/{cid}", None),
        ("patch", f"/api/v1/coverages/{cid}", {"member_id": "Z"}),
        ("get", f"/api/v1/providers/{prov}", None),
        ("patch", f"/api/v1/providers/{prov}", {"credential": "MD"}),
        ("get", f"/api/v1/payers/{payer_b}", None),
        ("post", f"/api/v1/payers/{payer_b}/plans", {"name": "X", "claim_filing_indicator": "CI"}),
    ]:
        kwargs = {"headers": ha} | ({"json": body} if body is not None else {})
        r = getattr(api, method)(path, **kwargs)
        assert r.status_code == 404, (method, path, r.status_code)
    assert api.get("/api/v1/patients", params={"name": "Rivera"}, headers=ha).json() == []
    assert api.get("/api/v1/practice", headers=ha).json()["legal_name"] == "Practice A"
    assert api.get(f"/api/v1/patients/{pid}", headers=hb).json()["first_name"] == "Ana"


def test_roles_limit_what_a_user_may_do(api):
    coder = login(api, "a-coder")
    assert api.post("/api/v1/patients", json=PATIENT, headers=coder).status_code == 403
    assert api.get("/api/v1/patients", params={"name": "x"}, headers=coder).status_code == 200
    desk = login(api, "a-front_desk")
    assert (
        api.post("/api/v1/payers", json={"name": "X", "payer_id": "XX"}, headers=desk).status_code
        == 403
    )
    assert api.get("/api/v1/audit", headers=desk).status_code == 403
    assert (
        api.post(
            "/api/v1/users",
            json={"username": "z-user", "role": "admin", "password": PASSWORD},
            headers=desk,
        ).status_code
        == 403
    )
    admin = login(api, "a-admin")
    r = api.post(
        "/api/v1/users",
        json={"username": "a-manager", "role": "manager", "password": PASSWORD},
        headers=admin,
    )
    assert r.status_code == 201 and r.json()["role"] == "manager"
    assert [u["username"] for u in api.get("/api/v1/users", headers=admin).json()][:3] == [
        "a-admin",
        "a-front_desk",
        "a-coder",
    ]


def test_api_reads_are_audited_with_the_user(api):
    h = login(api, "a-front_desk")
    pid = api.post("/api/v1/patients", json=PATIENT, headers=h).json()["id"]
    api.get(f"/api/v1/patients/{pid}", headers=h)
    entries = api.get(
        "/api/v1/audit", params={"record_type": "patient"}, headers=login(api, "a-admin")
    ).json()
    assert [(e["actor"], e["action"], e["channel"]) for e in entries] == [
        ("user:a-front_desk", "read", "api"),
        ("user:a-front_desk", "create", "api"),
    ]


BAD_INPUTS = [
    (
        "post",
        "/api/v1/providers",
        {"npi": "1234567890", "last_name": "X", "first_name": "Y", "roles": ["rendering"]},
        ["body", "npi"],
        "providers",
    ),
    ("post", "/api/v1/patients", PATIENT | {"dob": "2099-01-01"}, ["body", "dob"], "patients"),
    (
        "post",
        "/api/v1/patients",
        PATIENT | {"address": PATIENT["address"] | {"zip": "1234"}},
        ["body", "address", "zip"],
        "patients",
    ),
    (
        "post",
        "/api/v1/patients",
        PATIENT | {"address": PATIENT["address"] | {"state": "QQ"}},
        ["body", "address", "state"],
        "patients",
    ),
]
COVERAGE_BAD = [
    ({"payer": "SIMPPO", "member_id": "", "effective": "2026-01-01"}, ["body", "member_id"]),
    (
        {
            "payer": "SIMPPO",
            "member_id": "W1",
            "effective": "2026-01-01",
            "termination": "2025-01-01",
        },
        ["body", "termination"],
    ),
    ({"payer": "NOSUCH", "member_id": "W1", "effective": "2026-01-01"}, ["body", "payer"]),
    (
        {"payer": "SIMPPO", "member_id": "W1", "effective": "2026-01-01", "order": "secondary"},
        ["body", "order"],
    ),
    (
        {"payer": "SIMPPO", "member_id": "W1", "effective": "2026-01-01", "relationship": "77"},
        ["body", "relationship"],
    ),
]


def _count(client, table):
    engine = client.app.state.engine
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


@pytest.mark.parametrize(("method", "path", "body", "loc", "table"), BAD_INPUTS)
def test_bad_input_gets_422_with_field_path_and_writes_nothing(api, method, path, body, loc, table):
    h = login(api, "a-admin")
    before = _count(api, getattr(tables, table))
    r = getattr(api, method)(path, json=body, headers=h)
    assert r.status_code == 422, r.text
    assert loc in [d["loc"] for d in r.json()["detail"]]
    assert _count(api, getattr(tables, table)) == before


@pytest.mark.parametrize(("body", "loc"), COVERAGE_BAD)
def test_bad_coverage_gets_422_with_field_path_and_writes_nothing(api, body, loc):
    h = login(api, "a-admin")
    pid = api.post("/api/v1/patients", json=PATIENT, headers=h).json()["id"]
    r = api.post(f"/api/v1/patients/{pid}/coverages", json=body, headers=h)
    assert r.status_code == 422, r.text
    assert loc in [d["loc"] for d in r.json()["detail"]]
    assert _count(api, tables.coverages) == 0


def test_duplicate_mrn_and_duplicate_patient(api):
    h = login(api, "a-admin")
    api.post("/api/v1/patients", json=PATIENT | {"mrn": "M7"}, headers=h)
    r = api.post("/api/v1/patients", json=PATIENT | {"mrn": "M7", "last_name": "Other"}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "mrn"]
    r = api.post("/api/v1/patients", json=PATIENT | {"mrn": "M8"}, headers=h)
    assert r.status_code == 409 and r.json()["existing_mrn"] == "M7"
    r = api.post(
        "/api/v1/patients",
        params={"allow_duplicate": "true"},
        json=PATIENT | {"mrn": "M8"},
        headers=h,
    )
    assert r.status_code == 201


def test_openapi_lists_the_routes(api):
    doc = api.get("/openapi.json").json()
    assert {
        "/api/v1/patients",
        "/api/v1/patients/{patient_id}/coverages",
        "/api/v1/auth/token",
    } <= set(doc["paths"])


def test_csv_import_through_the_api(api):
    h = login(api, "a-admin")
    csv_text = (
        "mrn,last_name,first_name,dob,sex,address_line1,city,state,zip,payer,member_id,effective\n"
        "Q1,Stone,Emma,1970-01-01,F,1 Elm St,Springfield,IL,62701,SIMPPO,M1,2026-01-01\n"
        "Q2,Stone,Liam,2999-01-01,M,1 Elm St,Springfield,IL,62701,SIMPPO,M2,2026-01-01\n"
    )
    r = api.post(
        "/api/v1/patients/import", files={"file": ("p.csv", csv_text, "text/csv")}, headers=h
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (
        body["patients_created"] == 1
        and body["errors"][0]["row"] == 3
        and body["errors"][0]["field"] == "dob"
    )
