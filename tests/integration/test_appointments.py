"""Appointments: added, changed, listed, imported from CSV all or nothing, through the
services, the CLI and the API."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from revcycle.api.app import create_app
from revcycle.cli.app import app as cli_app
from revcycle.config import Settings
from revcycle.db.eligibility_repo import eligibility_store
from revcycle.domain.errors import DomainValidationError
from revcycle.services import auth, eligibility
from revcycle.services.eligibility import AppointmentImportFailed, PlannedService

PASSWORD = "correct horse battery"
NPI = "1558444216"


def wall_clock(*parts: int) -> datetime:
    """Appointment times are the practice's wall-clock times (no time zone)."""
    return datetime(*parts)  # noqa: DTZ001


GOOD_CSV = f"""patient,provider,date,time,services,note
S1,{NPI},2026-06-16,09:30,99213,
C1,{NPI},2026-06-16,10:00,99214 93000:2,follow-up
M1,{NPI},2026-06-17,08:15,,
"""


def test_an_appointment_is_added_with_its_planned_services(billing) -> None:
    item = eligibility.add_appointment(
        billing.ctx,
        {"patient": "S1", "provider": NPI, "starts_at": "2026-06-16T09:30",
         "services": [{"procedure": "99213", "units": 1}, {"procedure": "93000", "units": 2}]},
        eligibility_store,
    )  # fmt: skip
    assert item.id is not None and item.patient_id == billing.self_pt
    assert item.provider_id == billing.rendering
    assert item.starts_at == wall_clock(2026, 6, 16, 9, 30)
    assert item.services == (PlannedService("99213", 1), PlannedService("93000", 2))
    assert eligibility.get_appointment(billing.ctx, item.id, eligibility_store) == item


def test_bad_fields_are_all_named(billing) -> None:
    with pytest.raises(DomainValidationError) as bad:
        eligibility.add_appointment(
            billing.ctx,
            {"patient": "NOPE", "provider": "999", "starts_at": "June", "services": "9921"},
            eligibility_store,
        )
    assert {e.field for e in bad.value.errors} == {"patient", "provider", "starts_at", "services"}


def test_an_appointment_is_changed_and_cancelled_and_a_cancelled_one_is_not_verified(
    billing,
) -> None:
    item = eligibility.add_appointment(
        billing.ctx, {"patient": "S1", "provider": NPI, "starts_at": "2026-06-16T09:30"},
        eligibility_store,
    )  # fmt: skip
    assert item.id is not None
    moved = eligibility.update_appointment(
        billing.ctx, item.id, {"starts_at": "2026-06-18T11:00", "services": "99214"},
        eligibility_store,
    )  # fmt: skip
    assert moved.starts_at.date() == date(2026, 6, 18) and moved.services[0].procedure == "99214"
    eligibility.update_appointment(billing.ctx, item.id, {"status": "cancelled"}, eligibility_store)
    [only] = eligibility.list_appointments(billing.ctx, eligibility_store, day=date(2026, 6, 18))
    assert only.status == "cancelled" and only.services == moved.services


def test_a_csv_imports_every_row(billing) -> None:
    items = eligibility.import_appointments(billing.ctx, io.StringIO(GOOD_CSV), eligibility_store)
    assert [a.patient_id for a in items] == [billing.self_pt, billing.child_pt, billing.medicare_pt]
    assert items[1].services == (PlannedService("99214", 1), PlannedService("93000", 2))
    assert items[1].note == "follow-up"
    day = eligibility.list_appointments(billing.ctx, eligibility_store, day=date(2026, 6, 16))
    assert len(day) == 2
    mine = eligibility.list_appointments(billing.ctx, eligibility_store, patient="M1")
    assert [a.starts_at for a in mine] == [wall_clock(2026, 6, 17, 8, 15)]


def test_a_csv_with_a_bad_row_imports_nothing_and_names_each_field(billing) -> None:
    bad = GOOD_CSV + f"ZZ9,{NPI},2026-06-18,09:00,99213,\nS1,123,2026-13-01,09:00,99213:0,\n"
    with pytest.raises(AppointmentImportFailed) as failed:
        eligibility.import_appointments(billing.ctx, io.StringIO(bad), eligibility_store)
    assert [(e.row, e.field) for e in failed.value.rows] == [
        (5, "patient"),
        (6, "provider"),
        (6, "starts_at"),
        (6, "services"),
    ]
    assert eligibility.list_appointments(billing.ctx, eligibility_store) == []


def test_a_csv_without_the_required_columns_is_refused(billing) -> None:
    with pytest.raises(AppointmentImportFailed) as failed:
        eligibility.import_appointments(
            billing.ctx, io.StringIO("patient,when\nS1,2026-06-16\n"), eligibility_store
        )
    assert [(e.row, e.field) for e in failed.value.rows] == [(1, "provider"), (1, "date")]


def test_the_cli_adds_imports_and_lists(billing, database_url, tmp_path) -> None:
    runner = CliRunner()

    def cli(*args: str):
        return runner.invoke(cli_app, ["appointments", *args, "--db", database_url])

    r = cli("add", "--patient", "S1", "--provider", NPI, "--at", "2026-06-16T09:30",
            "--services", "99213", "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["services"] == [{"procedure": "99213", "units": 1}]
    bad = tmp_path / "bad.csv"
    bad.write_text(f"patient,provider,date\nS1,{NPI},tomorrow\n")
    refused = cli("import", str(bad))
    assert refused.exit_code == 2 and "row 2.starts_at" in refused.stderr
    good = tmp_path / "good.csv"
    good.write_text(GOOD_CSV)
    assert cli("import", str(good)).exit_code == 0
    listed = json.loads(cli("list", "--date", "2026-06-16", "--json").stdout)
    assert len(listed) == 3
    assert cli("import", str(tmp_path / "missing.csv")).exit_code == 2


@pytest.fixture
def api(database_url, clock, billing) -> Iterator[TestClient]:
    auth.create_user(billing.ctx, "desk", "front_desk", PASSWORD)
    auth.create_user(billing.ctx, "coder", "coder", PASSWORD)
    with TestClient(create_app(Settings(database_url=database_url, clock=clock))) as client:
        yield client


def login(client: TestClient, user: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_the_api_creates_reads_changes_lists_and_imports(api, billing) -> None:
    desk, coder = login(api, "desk"), login(api, "coder")
    body = {"patient": "S1", "provider": NPI, "starts_at": "2026-06-16T09:30", "services": "99213"}
    r = api.post("/api/v1/appointments", json=body, headers=desk)
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    assert api.get(f"/api/v1/appointments/{aid}", headers=coder).json()["status"] == "scheduled"
    assert api.post("/api/v1/appointments", json=body, headers=coder).status_code == 403
    r = api.patch(f"/api/v1/appointments/{aid}", json={"status": "no_show"}, headers=desk)
    assert r.json()["status"] == "no_show"
    bad = api.post("/api/v1/appointments", json={**body, "starts_at": "x"}, headers=desk)
    assert bad.status_code == 422
    csv_body = GOOD_CSV.replace("M1,", "XX,")
    r = api.post("/api/v1/appointments/import", content=csv_body, headers=desk)
    assert r.status_code == 422 and r.json()["detail"][0]["row"] == 4
    r = api.post("/api/v1/appointments/import", content=GOOD_CSV, headers=desk)
    assert r.status_code == 201 and len(r.json()) == 3
    listed = api.get("/api/v1/appointments?date=2026-06-16", headers=desk).json()
    assert len(listed) == 3
