"""Eligibility verification end to end: real time against the simulator's HTTP endpoint over
loopback, the batch through the filesystem mailbox and the inbox, what is stored, what is
flagged, and the CLI and API over the same services."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from revcycle.api.app import create_app
from revcycle.cli.app import app as cli_app
from revcycle.config import Settings
from revcycle.db.eligibility_repo import eligibility_store, latest_eligibility
from revcycle.domain.errors import PermissionDenied
from revcycle.domain.money import Money
from revcycle.payer.mailboxes import ClearinghouseMailboxes
from revcycle.payer.realtime import REALTIME_PATH, create_realtime_app
from revcycle.payer.simulator import Simulator
from revcycle.services import auth, eligibility, inbox, patients, setup, workqueues
from revcycle.services.context import Context
from revcycle.transport import RealtimeClient, RetryPolicy, open_mailbox
from revcycle.x12.mapping.eligibility import read_271
from tests.conftest import patient_data, practice_data
from tests.integration.conftest import Billing
from tests.integration.test_submission import SUBMITTER, ctx_factory
from tests.integration.transport.conftest import free_port, serving

QUICK = RetryPolicy(attempts=3, initial_delay=0.01, max_delay=0.05)
DOS = date(2026, 6, 15)
PASSWORD = "correct horse battery"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "clearinghouse"


@pytest.fixture
def sim(root: Path, tmp_path: Path, clock) -> Iterator[Simulator]:
    s = Simulator(tmp_path / "sim-state", ClearinghouseMailboxes(root), clock.now)
    yield s
    s.close()


@pytest.fixture
def endpoint(sim: Simulator) -> Iterator[str]:
    with serving(create_realtime_app(sim.realtime_handler)) as port:
        yield f"http://127.0.0.1:{port}{REALTIME_PATH}"


@pytest.fixture
def send(endpoint: str) -> eligibility.RealtimeSender:
    return RealtimeClient(endpoint, retry=QUICK).send


def covered(billing: Billing, mrn: str, member: str, payer: str = "SIMPPO", **cov) -> int:
    p = patients.register_patient(billing.ctx, patient_data(mrn=mrn), allow_duplicate=True)
    patients.add_coverage(
        billing.ctx,
        p.id,
        {"payer": payer, "member_id": member, "effective": "2020-01-01", **cov},
    )
    return p.id


def check(ctx: Context, patient, send, **kw) -> eligibility.CheckOutcome:
    return eligibility.check(ctx, patient, send, eligibility_store, service_date=DOS, **kw)


def queued(ctx: Context) -> list[str]:
    return [i.reason for i in workqueues.list_items(ctx, "eligibility")]


def test_a_real_time_check_stores_the_active_coverage_and_its_benefits(billing, send) -> None:
    covered(billing, "V1", "ABC123456", group_number="G77")
    outcome = check(billing.ctx, "V1", send, service_types=["98"])
    assert outcome.request.state == "answered" and outcome.request.attempts == 1
    response = outcome.response
    assert response is not None and response.usable and response.active is True
    s = response.summary
    assert (s["status"], s["plan"], s["group_number"]) == ("active", "PPO-GOLD", "G77")
    assert (s["plan_begin"], s["plan_end"]) == ("2026-01-01", "2026-12-31")
    office, plan = s["service_types"]["98"], s["service_types"]["30"]
    assert office["in_network"]["copay"] == "25.00"
    assert plan["in_network"]["deductible"] == {"total": "500.00", "remaining": "0.00"}
    assert plan["in_network"]["out_of_pocket"] == {"total": "4000.00", "remaining": "4000.00"}
    assert plan["out_of_network"]["coinsurance"] == "0.4"
    assert outcome.discrepancies == () and queued(billing.ctx) == []
    assert response.raw_271.startswith("ISA") and "271" in response.raw_271


def test_the_request_is_stored_before_it_is_sent_and_a_failure_keeps_it(billing) -> None:
    covered(billing, "V1", "ABC123456")
    dead = RealtimeClient(f"http://127.0.0.1:{free_port()}{REALTIME_PATH}", retry=QUICK).send
    with pytest.raises(eligibility.EligibilityExchangeFailed) as failed:
        check(billing.ctx, "V1", dead)
    [pending] = eligibility.list_requests(billing.ctx, eligibility_store, pending=True)
    assert pending.id == failed.value.request_id
    assert (pending.state, pending.attempts) == ("failed", 1)
    assert pending.error and "real-time" in pending.error
    assert pending.raw_270.startswith("ISA") and "*270*" in pending.raw_270


def test_a_failed_request_is_answered_when_sent_again(billing, send) -> None:
    covered(billing, "V1", "ABC123456")
    dead = RealtimeClient(f"http://127.0.0.1:{free_port()}{REALTIME_PATH}", retry=QUICK).send
    with pytest.raises(eligibility.EligibilityExchangeFailed) as failed:
        check(billing.ctx, "V1", dead)
    outcome = eligibility.resend(billing.ctx, failed.value.request_id, send, eligibility_store)
    assert (outcome.request.state, outcome.request.attempts) == ("answered", 2)
    assert eligibility.list_requests(billing.ctx, eligibility_store, pending=True) == []


@pytest.mark.parametrize(
    ("member", "payer", "reason"),
    [("W100", "SIMPPO", "72"), ("1UN0A00AA02", "SIMPPO", "75"), ("1NM0A00AA11", "SIMHMO", "73")],
)
def test_a_rejection_is_stored_with_its_follow_up_and_queued(
    billing, send, member: str, payer: str, reason: str
) -> None:
    covered(billing, "R1", member, payer)
    outcome = check(billing.ctx, "R1", send)
    assert outcome.response is not None and outcome.response.active is None
    [rejection] = outcome.response.summary["rejections"]
    assert (rejection["reason"], rejection["follow_up"]) == (reason, "C")
    assert "correct and resubmit" in rejection["description"]
    [item] = queued(billing.ctx)
    assert f"AAA {reason}" in item


def test_terminated_coverage_is_flagged_and_the_coverage_is_not_changed(billing, send) -> None:
    pid = covered(billing, "T1", "1TE0A00AA01")
    outcome = check(billing.ctx, "T1", send)
    assert outcome.response is not None and outcome.response.active is False
    flags = {(d.field, d.registered, d.payer) for d in outcome.discrepancies}
    assert flags == {("coverage_status", "active", "inactive"), ("termination", "", "2020-12-31")}
    [coverage] = patients.list_coverages(billing.ctx, pid)
    assert coverage.termination is None  # never changed silently
    [item] = queued(billing.ctx)
    assert "coverage_status, termination" in item


def test_differences_in_member_id_name_and_birth_date_are_flagged_on_the_patient(
    billing, send
) -> None:
    pid = covered(billing, "D1", "1DM0A00AA13")
    check(billing.ctx, "D1", send)
    found = eligibility.patient_discrepancies(billing.ctx, "D1", eligibility_store)
    assert {(d.field, d.registered, d.payer) for d in found} == {
        ("member_id", "1DM0A00AA13", "1DM0A00AA14"),
        ("last_name", "Rivera", "RIVERA-SOTO"),
        ("birth_date", "1980-04-02", "1980-04-03"),
    }
    assert all(d.patient_id == pid for d in found)


def test_another_payer_named_primary_is_flagged(billing, send) -> None:
    covered(billing, "O1", "1CP0A00AA03")
    outcome = check(billing.ctx, "O1", send)
    assert [(d.field, d.payer) for d in outcome.discrepancies] == [
        ("other_payer", "SIM COMMERCIAL PPO (SIMPPO)")
    ]
    assert outcome.response is not None
    assert outcome.response.summary["other_payers"][0]["entity"] == "PRP"


def doctored(send, old: str, new: str):
    def sender(text: str) -> str:
        reply = send(text)
        assert old in reply
        return reply.replace(old, new, 1)

    return sender


def test_a_271_that_contradicts_itself_is_kept_raw_with_findings_and_not_trusted(
    billing, send
) -> None:
    covered(billing, "V1", "ABC123456")
    # the plan said active and, in place of its copay, inactive: same segment count
    contradicting = doctored(send, "EB*B*IND*30***27*0*****Y~", "EB*6*IND*30~")
    outcome = check(billing.ctx, "V1", contradicting)
    response = outcome.response
    assert response is not None and not response.usable and response.active is None
    codes = {f["code"] for f in response.findings}
    assert "eligibility_active_and_inactive" in codes
    assert "EB*6*IND*30~" in response.raw_271
    assert outcome.discrepancies == ()
    [item] = queued(billing.ctx)
    assert "cannot be relied on" in item
    assert latest_eligibility_of(billing, outcome.request.coverage_id) is None


def test_a_malformed_271_is_kept_with_the_validators_findings(billing, send) -> None:
    covered(billing, "V1", "ABC123456")
    outcome = check(billing.ctx, "V1", doctored(send, "EB*1*IND*30", "EB*Q9*IND*30"))
    assert outcome.response is not None and not outcome.response.usable
    assert any(f["severity"] == "error" for f in outcome.response.findings)


def test_a_reply_without_a_271_fails_the_request_and_keeps_the_reply(billing, send) -> None:
    covered(billing, "V1", "ABC123456")
    outcome = check(billing.ctx, "V1", lambda text: "this is not X12")
    assert outcome.request.state == "failed"
    assert outcome.response is not None and outcome.response.raw_271 == "this is not X12"
    [pending] = eligibility.list_requests(billing.ctx, eligibility_store, pending=True)
    assert pending.id == outcome.request.id


def latest_eligibility_of(billing: Billing, coverage_id: int):
    with billing.ctx.uow() as uow:
        return latest_eligibility(uow, coverage_id)


def test_the_latest_usable_answer_is_there_for_estimates(billing, send) -> None:
    covered(billing, "V1", "ABC123456")
    check(billing.ctx, "V1", send)
    newest = check(billing.ctx, "V1", send, service_types=["98"])
    latest = latest_eligibility_of(billing, newest.request.coverage_id)
    assert latest is not None and latest.request.id == newest.request.id
    assert latest.response.copay("98") == Money("25.00")


def test_the_latest_answers_of_many_coverages_come_from_one_read(billing, send) -> None:
    covered(billing, "V1", "ABC123456")
    covered(billing, "V2", "XYZ987654")
    check(billing.ctx, "V1", send)
    first = check(billing.ctx, "V2", send).request.coverage_id
    newest = check(billing.ctx, "V1", send, service_types=["98"])
    never = first + newest.request.coverage_id + 1000  # a coverage never checked
    with billing.ctx.uow() as uow:
        many = eligibility.latest_eligibilities(
            uow.eligibility, [first, newest.request.coverage_id, never, first]
        )
    assert sorted(many) == sorted({first, newest.request.coverage_id, never})
    assert many[never] is None
    for coverage_id in (first, newest.request.coverage_id):  # each as the one-at-a-time read
        one = latest_eligibility_of(billing, coverage_id)
        got = many[coverage_id]
        assert one is not None and got is not None
        assert (got.request.id, got.stored.id) == (one.request.id, one.stored.id)
        assert got.response == one.response
    assert many[newest.request.coverage_id].request.id == newest.request.id


def test_a_batch_for_the_day_goes_through_the_mailbox_and_the_inbox_applies_the_271s(
    billing, sim, root
) -> None:
    ctx = billing.ctx
    first = covered(billing, "B1", "ABC123456")
    second = covered(billing, "B2", "1TE0A00AA01")
    nobody = patients.register_patient(ctx, patient_data(mrn="B3", first_name="Nobody")).id
    for pid, hour in ((first, 9), (second, 10), (nobody, 11), (first, 15)):
        eligibility.add_appointment(
            ctx,
            {"patient": pid, "provider": "1558444216", "starts_at": f"2026-06-15T{hour:02d}:00",
             "services": "99213"},
            eligibility_store,
        )  # fmt: skip
    with open_mailbox(f"file://{root}?submitter={SUBMITTER}") as box:
        outcome = eligibility.batch(ctx, box, DOS, eligibility_store)
        assert outcome.file_name is not None and len(outcome.requests) == 2  # one per patient
        assert [why for _, why in outcome.skipped] == ["no coverage active on the day"]
        assert {r.state for r in outcome.requests} == {"pending"}
        [upload] = sim.process_uploads()
        assert [n.split("-", 1)[1] for n in upload.responses] == ["999.x12", "271.x12"]
        polled = inbox.poll(ctx_factory(ctx), box)
    assert len(polled.applied) == 2 and polled.failed == []
    requests = eligibility.list_requests(ctx, eligibility_store)
    assert {r.state for r in requests} == {"answered"}
    views = {r.patient_id: eligibility.show_request(ctx, r.id or 0, eligibility_store)
             for r in requests}  # fmt: skip
    active = views[first].responses[0]
    assert active.active is True and active.inbound_file_id is not None
    [answer], report = read_271(active.raw_271)  # the file's envelope around its one set
    assert report.valid and answer.trace is not None
    assert views[second].responses[0].active is False
    assert {d.field for d in views[second].discrepancies} == {"coverage_status", "termination"}


def test_a_batch_without_appointments_sends_nothing(billing, root) -> None:
    with open_mailbox(f"file://{root}?submitter={SUBMITTER}") as box:
        outcome = eligibility.batch(billing.ctx, box, DOS, eligibility_store)
        assert outcome.file_name is None and box.list_outbound() == []


def test_a_coder_may_not_run_a_check(billing, send) -> None:
    ctx = Context(
        billing.ctx.practice_id, "user:coder", "api", frozenset({"registration:read"}),
        billing.ctx.clock, billing.ctx.uow_factory,
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        check(ctx, "S1", send)


# ---- command line -----------------------------------------------------------------------------


def test_the_cli_checks_lists_and_shows(billing, database_url, endpoint, clock) -> None:
    covered(billing, "V1", "ABC123456")
    runner = CliRunner()

    def cli(*args: str):
        return runner.invoke(
            cli_app, [*args, "--db", database_url], env={"REVCYCLE_CLOCK": clock.now().isoformat()}
        )

    r = cli("eligibility", "check", "V1", "--service-type", "98", "--dos", "2026-06-15",
            "--clearinghouse", endpoint, "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["response"]["summary"]["service_types"]["98"]["in_network"]["copay"] == "25.00"
    human = cli("eligibility", "show", str(doc["request"]["id"]))
    assert human.exit_code == 0 and "ACTIVE" in human.stdout
    dead = f"http://127.0.0.1:{free_port()}{REALTIME_PATH}"
    failed = cli("eligibility", "check", "V1", "--clearinghouse", dead, "--timeout", "0.5")
    assert failed.exit_code == 4 and "kept" in failed.stderr
    pending = json.loads(cli("eligibility", "list", "--pending", "--json").stdout)
    assert [p["state"] for p in pending] == ["failed"]
    again = cli("eligibility", "resend", str(pending[0]["id"]), "--clearinghouse", endpoint)
    assert again.exit_code == 0, again.output
    no_url = cli("eligibility", "check", "V1")
    assert no_url.exit_code == 4 and "clearinghouse" in no_url.stderr
    assert cli("eligibility", "settings", "--realtime-url", endpoint).exit_code == 0
    assert cli("eligibility", "check", "V1", "--json").exit_code == 0


# ---- API --------------------------------------------------------------------------------------


@pytest.fixture
def api(database_url, clock, billing, operator) -> Iterator[TestClient]:
    auth.create_user(billing.ctx, "desk", "front_desk", PASSWORD)
    auth.create_user(billing.ctx, "admin1", "admin", PASSWORD)
    auth.create_user(billing.ctx, "coder", "coder", PASSWORD)
    other = setup.create_practice(operator, practice_data(legal_name="Other", tin="987654321"))
    auth.create_user(operator.with_practice(other.id), "intruder", "admin", PASSWORD)
    with TestClient(create_app(Settings(database_url=database_url, clock=clock))) as client:
        yield client


def login(client: TestClient, user: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_the_api_checks_against_the_practices_endpoint_and_keeps_tenants_apart(
    api, billing, endpoint
) -> None:
    covered(billing, "V1", "ABC123456")
    desk, admin, coder = login(api, "desk"), login(api, "admin1"), login(api, "coder")
    body = {"patient": "V1", "service_types": ["98"], "service_date": "2026-06-15"}
    assert api.post("/api/v1/eligibility/check", json=body, headers=desk).status_code == 400
    r = api.put("/api/v1/eligibility/settings", json={"realtime_url": endpoint}, headers=admin)
    assert r.status_code == 200 and r.json()["realtime_url"] == endpoint
    r = api.post("/api/v1/eligibility/check", json=body, headers=desk)
    assert r.status_code == 201, r.text
    request_id = r.json()["request"]["id"]
    assert r.json()["response"]["active"] is True
    shown = api.get(f"/api/v1/eligibility/requests/{request_id}?raw=true", headers=desk).json()
    assert shown["raw_270"].startswith("ISA") and shown["responses"][0]["raw_271"]
    assert [x["id"] for x in api.get("/api/v1/eligibility/requests", headers=desk).json()] == [
        request_id
    ]
    assert api.post("/api/v1/eligibility/check", json=body, headers=coder).status_code == 403
    intruder = login(api, "intruder")
    assert (
        api.get(f"/api/v1/eligibility/requests/{request_id}", headers=intruder).status_code == 404
    )
    assert api.get("/api/v1/eligibility/requests", headers=intruder).json() == []


def test_the_api_answers_502_with_the_kept_request_when_the_clearinghouse_is_down(
    api, billing
) -> None:
    covered(billing, "V1", "ABC123456")
    admin, desk = login(api, "admin1"), login(api, "desk")
    dead = f"http://127.0.0.1:{free_port()}{REALTIME_PATH}"
    api.put("/api/v1/eligibility/settings", json={"realtime_url": dead}, headers=admin)
    r = api.post("/api/v1/eligibility/check", json={"patient": "V1"}, headers=desk)
    assert r.status_code == 502 and r.json()["code"] == "eligibility_exchange_failed"
    pending = api.get("/api/v1/eligibility/requests?pending=true", headers=desk).json()
    assert [p["id"] for p in pending] == [r.json()["request_id"]]
