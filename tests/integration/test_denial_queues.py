"""The denial work queue: prioritized keyset pages, filters, assignment, notes, follow-up,
bulk close, every queue's count, prevention patterns; through the services, the command line
and the API, on the real databases."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from revcycle.api.app import create_app
from revcycle.cli.app import app as cli_app
from revcycle.cli.common import reset_state
from revcycle.config import Settings
from revcycle.db.denial_repo import denial_store
from revcycle.domain.denial import Denial
from revcycle.domain.errors import DomainValidationError, PermissionDenied
from revcycle.domain.money import Money
from revcycle.services import auth, denials, setup
from revcycle.services.denial_ports import DenialFilter
from tests.conftest import practice_data
from tests.integration.test_denials import line_denied
from tests.integration.test_era_post import pcn, post, remit_file
from tests.integration.test_submission import ready_claims

PASSWORD = "correct horse battery"
TODAY = date(2026, 6, 15)


def seed(ctx, claim_id: int, payer_id: int, n: int, **kw) -> list[Denial]:
    """``n`` denials of one claim with growing amounts and deadlines spread over a year."""
    rows = [
        Denial(
            claim_id=claim_id,
            source="835",
            source_ref=f"T{kw.get('tag', '')}:{i}",
            category=kw.get("category", "coding"),
            action="correct",
            amount=Money(f"{10 + i}.00"),
            denied_on=TODAY - timedelta(days=i * 7),
            payer_id=payer_id,
            carcs=("CO-4",),
            timely_filing_deadline=TODAY + timedelta(days=3 + i * 11),
        )
        for i in range(n)
    ]
    with ctx.uow() as uow:
        stored = denial_store(uow).add_many(rows, ctx.actor)
        uow.commit()
    return stored


@pytest.fixture
def queue(billing):
    [cid] = ready_claims(billing, [billing.self_pt])
    stored = seed(billing.ctx, cid, billing.payers["SIMPPO"], 30)
    return billing.ctx, cid, stored


def page_all(ctx, where: DenialFilter, limit: int) -> list[Denial]:
    out, after = [], None
    while True:
        page = denials.list_denials(ctx, where, limit=limit, after=after, store=denial_store)
        out.extend(page.items)
        if page.next_after is None:
            return out
        after = page.next_after


def test_the_queue_is_ordered_by_priority_and_paged_without_gaps_or_repeats(queue):
    ctx, _cid, stored = queue
    first = denials.list_denials(ctx, limit=7, store=denial_store)
    assert len(first.items) == 7 and first.next_after is not None
    keys = [(d.priority, d.id) for d in first.items]
    assert keys == sorted(keys, reverse=True)
    everything = page_all(ctx, DenialFilter(), 7)
    assert sorted(d.id for d in everything) == sorted(d.id for d in stored)
    assert [(d.priority, d.id) for d in everything] == sorted(
        ((d.priority, d.id) for d in everything), reverse=True
    )
    # a denial due within a week outranks a bigger one due in months
    soon = next(d for d in stored if d.source_ref == "T:0")
    assert everything[0].id == soon.id or everything[0].priority >= soon.priority


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(1, 31))
def test_any_page_size_walks_the_whole_queue_once(queue, limit):
    ctx, _cid, stored = queue
    walked = page_all(ctx, DenialFilter(), limit)
    assert len(walked) == len({d.id for d in walked}) == len(stored)


def test_filters_narrow_the_queue(queue):
    ctx, _cid, stored = queue
    aging = denials.make_filter(aging="0-30")
    assert {d.id for d in page_all(ctx, aging, 50)} == {
        d.id for d in stored if (TODAY - d.denied_on).days <= 30
    }
    due = denials.make_filter(due_before=TODAY + timedelta(days=30))
    assert {d.id for d in page_all(ctx, due, 50)} == {
        d.id for d in stored if d.deadline < TODAY + timedelta(days=30)
    }
    assert page_all(ctx, denials.make_filter(category="bundling"), 50) == []
    with pytest.raises(DomainValidationError):
        denials.make_filter(aging="forever")
    with pytest.raises(DomainValidationError):
        denials.list_denials(ctx, after="not-a-cursor", store=denial_store)


def test_assign_note_follow_up_and_close_are_recorded_in_the_history(queue):
    ctx, _cid, stored = queue
    a, b = stored[0].id, stored[1].id
    done = denials.assign(ctx, [a, b], "maria", store=denial_store)
    assert {(d.owner, d.status) for d in done} == {("maria", "in_progress")}
    denials.add_note(ctx, a, "called the payer, ref 123", store=denial_store)
    denials.set_follow_up(ctx, a, date(2026, 7, 1), store=denial_store)
    shown = denials.show(ctx, a, store=denial_store)
    assert shown["owner"] == "maria" and shown["follow_up"] == "2026-07-01"
    assert [e["action"] for e in shown["history"]] == ["created", "assigned", "note", "follow_up"]
    assert shown["codes"][0]["code"] == "CO-4" and shown["codes"][0]["meaning"]
    mine = denials.make_filter(owner="maria")
    assert {d.id for d in page_all(ctx, mine, 50)} == {a, b}
    closed = denials.close(ctx, [], "paid on resubmission", where=mine, store=denial_store)
    assert {d.status for d in closed} == {"closed"}
    assert page_all(ctx, mine, 50) == []
    assert denials.show(ctx, b, store=denial_store)["resolution"] == "paid on resubmission"


def test_bulk_assign_by_filter_takes_every_matching_denial(queue):
    ctx, _cid, stored = queue
    where = denials.make_filter(aging="0-30")
    done = denials.assign(ctx, [], "lee", where=where, store=denial_store)
    assert len(done) == sum(1 for d in stored if (TODAY - d.denied_on).days <= 30)
    with pytest.raises(DomainValidationError):
        denials.assign(ctx, [], "lee", store=denial_store)


def test_reprioritizing_keeps_the_order_of_the_domain_rule(queue):
    ctx, _cid, _stored = queue
    before = [(d.id, d.priority) for d in page_all(ctx, DenialFilter(), 50)]
    assert denials.reprioritize(ctx, store=denial_store) == len(before)
    assert [(d.id, d.priority) for d in page_all(ctx, DenialFilter(), 50)] == before


def test_queues_lists_every_queue_with_its_count(queue):
    ctx, _cid, stored = queue
    found = {q["queue"]: q for q in denials.queues(ctx, store=denial_store)}
    assert found["denials"]["count"] == len(stored)
    assert found["denials"]["by_category"] == {"coding": len(stored)}
    for name in ("rejections", "unmatched_remittances", "no_response", "underpayments",
                 "eligibility", "secondary_claims", "scrubber_hold"):  # fmt: skip
        assert name in found


def test_repeated_denials_become_a_pattern_with_a_suggested_scrubber_rule(billing):
    ctx = billing.ctx
    ids = ready_claims(billing, [billing.self_pt, billing.child_pt])
    post(ctx, remit_file([line_denied(pcn(ctx, i), f"ICN{i}") for i in ids]))
    [p] = denials.patterns(ctx, 2, store=denial_store)
    assert (p["procedure"], p["carc"], p["category"], p["count"]) == ("99213", "CO-4", "coding", 2)
    assert p["amount"] == "240.00"
    assert p["suggested_rule"]["kind"] == "require_modifier"
    assert "99213" in p["suggested_rule"]["text"]
    assert denials.patterns(ctx, 3, store=denial_store) == []


def test_a_role_without_billing_access_cannot_read_the_queue(queue):
    ctx, _cid, _stored = queue
    from dataclasses import replace

    coder = replace(ctx, permissions=frozenset({"registration:read"}))
    with pytest.raises(PermissionDenied):
        denials.list_denials(coder, store=denial_store)


def test_the_queue_from_the_command_line(queue, database_url, monkeypatch):
    _ctx, _cid, stored = queue
    monkeypatch.setenv("REVCYCLE_CLOCK", "2026-06-15T12:00:00+00:00")
    runner = CliRunner()

    def run(*args: str):
        reset_state(database_url, None)
        return runner.invoke(cli_app, [*args, "--db", database_url])

    r = run("denials", "list", "--limit", "5", "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert len(doc["items"]) == 5 and doc["next_after"]
    r = run("denials", "list", "--limit", "5", "--after", doc["next_after"], "--json")
    assert r.exit_code == 0 and not {i["id"] for i in json.loads(r.stdout)["items"]} & {
        i["id"] for i in doc["items"]
    }
    first = doc["items"][0]["id"]
    assert run("denials", "assign", str(first), "--to", "maria").exit_code == 0
    assert run("denials", "note", str(first), "appeal drafted").exit_code == 0
    assert run("denials", "follow-up", str(first), "2026-07-01").exit_code == 0
    r = run("denials", "show", str(first), "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["owner"] == "maria"
    assert run("denials", "show", "999999").exit_code == 1
    assert run("denials", "list", "--aging", "forever").exit_code == 2
    assert run("denials", "follow-up", str(first), "soon").exit_code == 2
    r = run("denials", "close", "--payer", "SIMPPO", "--reason", "paid", "--json")
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == len(stored)
    r = run("queues", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)[0]["count"] == 0
    r = run("denials", "patterns", "--min", "1", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout) == []
    reset_state(None, None)


def test_the_queue_over_the_api_for_the_callers_practice_only(queue, database_url, clock, operator):
    ctx, _cid, stored = queue
    auth.create_user(ctx, "biller", "biller", PASSWORD)
    other = setup.create_practice(
        operator, practice_data(legal_name="Other Practice", tin="987654321")
    )
    auth.create_user(operator.with_practice(other.id), "intruder", "admin", PASSWORD)
    with TestClient(create_app(Settings(database_url=database_url, clock=clock))) as client:

        def login(user):
            r = client.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
            return {"Authorization": f"Bearer {r.json()['access_token']}"}

        biller, intruder = login("biller"), login("intruder")
        r = client.get("/api/v1/denials", params={"limit": 10}, headers=biller)
        assert r.status_code == 200 and len(r.json()["items"]) == 10
        assert r.json()["items"][0]["amount"].count(".") == 1  # amounts are strings
        first = r.json()["items"][0]["id"]
        r = client.post("/api/v1/denials/assign", json={"ids": [first], "to": "maria"},
                        headers=biller)  # fmt: skip
        assert r.status_code == 200 and r.json()[0]["owner"] == "maria"
        r = client.post(f"/api/v1/denials/{first}/notes", json={"text": "called"}, headers=biller)
        assert r.status_code == 201
        r = client.put(f"/api/v1/denials/{first}/follow-up", json={"date": "2026-07-01"},
                       headers=biller)  # fmt: skip
        assert r.status_code == 200 and r.json()["follow_up"] == "2026-07-01"
        r = client.get(f"/api/v1/denials/{first}", headers=biller)
        assert [e["action"] for e in r.json()["history"]][-1] == "follow_up"
        assert client.get(f"/api/v1/denials/{first}", headers=intruder).status_code == 404
        assert client.get("/api/v1/denials", headers=intruder).json()["items"] == []
        r = client.post("/api/v1/denials/close",
                        json={"reason": "paid", "filter": {"payer": "SIMPPO"}}, headers=biller)  # fmt: skip
        assert r.status_code == 200 and len(r.json()) == len(stored)
        r = client.get("/api/v1/queues", headers=biller)
        assert r.status_code == 200 and r.json()[0]["count"] == 0
        assert client.get("/api/v1/denials/patterns", headers=biller).json() == []
