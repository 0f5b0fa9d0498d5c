"""Statement runs, collection referral and payment plans on the real databases: statements go
only to eligible accounts, with the right aging and amounts printed in the PDF; accounts are
flagged after N statements and exported; plans schedule, collect and go delinquent."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from revcycle.cli.app import app
from revcycle.db.patient_billing_repo import billing_store
from revcycle.domain.errors import Conflict, DomainValidationError
from revcycle.domain.money import Money
from revcycle.services import patient_billing, payment_plans, statements
from tests.conftest import TODAY
from tests.integration.test_patient_billing import adjudicate, assert_ledger_holds, cash, visit


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def run(ctx, on: str, **kw):
    return statements.run_statements(ctx, date.fromisoformat(on), store=billing_store, **kw)


@pytest.fixture
def balances(billing, engine) -> dict[str, int]:
    """Ana: 20.00 (June 1), 30.00 (April 20), 40.00 (Feb 10); Leo 3.00; Ivy 50.00; Walt none."""
    for dos, share in (("2026-06-01", "20.00"), ("2026-04-20", "30.00"), ("2026-02-10", "40.00")):
        adjudicate(billing, engine, visit(billing, billing.self_pt, dos), patient_share=share)
    adjudicate(
        billing, engine, visit(billing, billing.child_pt, "2026-06-01"), patient_share="3.00"
    )
    adjudicate(billing, engine, visit(billing, billing.hmo_pt, "2026-05-01"), patient_share="50.00")
    return {"ana": billing.self_pt, "leo": billing.child_pt, "ivy": billing.hmo_pt}


def test_statements_go_only_to_accounts_at_the_minimum_with_aging(billing, balances):
    result = run(billing.ctx, "2026-06-30")
    by_patient = {s.patient_id: s for s in result.statements}
    assert set(by_patient) == {balances["ana"], balances["ivy"]}
    assert {s.patient_id: s.reason for s in result.skipped} == {balances["leo"]: "below_minimum"}
    ana = by_patient[balances["ana"]]
    assert ana.amount_due == Money("90.00")
    assert ana.aging == {
        "current": "20.00",
        "31-60": "0.00",
        "61-90": "30.00",
        "91-120": "0.00",
        "120+": "40.00",
    }
    assert ana.message.startswith("Final notice")
    text = pdf_text(ana.pdf)
    for expected in ("PATIENT STATEMENT", ana.number, "Ana Rivera", "12 Oak St",
                     "Springfield, IL 62704", "$90.00", "$40.00", "02/10/2026", "99213",
                     "$120.00", "Final notice"):  # fmt: skip
        assert expected in text, expected
    ivy = by_patient[balances["ivy"]]
    assert ivy.aging["current"] == "0.00" and ivy.aging["31-60"] == "50.00"
    assert ivy.message.startswith("Reminder")


def test_the_30_day_cycle_and_the_flags_are_respected(billing, balances):
    ctx = billing.ctx
    first = run(ctx, "2026-06-30")
    assert len(first.statements) == 2
    again = run(ctx, "2026-07-15")
    assert again.statements == ()
    assert {s.reason for s in again.skipped if s.patient_id != balances["leo"]} == {"cycle"}
    patient_billing.set_flags(ctx, balances["ana"], store=billing_store, hold=True)
    patient_billing.set_flags(ctx, balances["ivy"], store=billing_store, do_not_send=True)
    later = run(ctx, "2026-07-31")
    assert later.statements == ()
    reasons = {s.patient_id: s.reason for s in later.skipped}
    assert reasons[balances["ana"]] == "hold" and reasons[balances["ivy"]] == "do_not_send"
    patient_billing.set_flags(ctx, balances["ana"], store=billing_store, hold=False)
    assert [s.patient_id for s in run(ctx, "2026-07-31").statements] == [balances["ana"]]


def test_a_credit_lowers_the_amount_due_and_a_paid_account_gets_nothing(billing, engine, balances):
    ctx = billing.ctx
    patient_billing.post_payment(ctx, balances["ivy"], [cash("46.00")], store=billing_store)
    patient_billing.post_payment(
        ctx, balances["leo"], [cash("10.00")], store=billing_store
    )  # Leo: 3.00 paid, 7.00 credit
    result = run(ctx, "2026-06-30")
    assert [s.patient_id for s in result.statements] == [balances["ana"]]
    assert {s.patient_id for s in result.skipped} == {balances["ivy"]}
    statement = statements.get_statement(ctx, result.statements[0].number, store=billing_store)
    assert statement.pdf == result.statements[0].pdf
    assert_ledger_holds(engine, ctx.practice_id, balances["leo"])


def test_an_account_goes_to_collections_after_four_statements_and_is_exported(billing, balances):
    ctx = billing.ctx
    patient_billing.post_payment(ctx, balances["ana"], [cash("5.00")], store=billing_store)
    for on in ("2026-06-30", "2026-07-30", "2026-08-29", "2026-09-28"):
        assert balances["ana"] in {s.patient_id for s in run(ctx, on).statements}
    fifth = run(ctx, "2026-10-28")
    assert balances["ana"] in fifth.flagged
    assert balances["ana"] not in {s.patient_id for s in fifth.statements}
    export = statements.export_collections(ctx, date(2026, 10, 29), store=billing_store)
    rows = list(csv.DictReader(io.StringIO(export.csv)))
    ana = next(r for r in rows if r["account"] == "S1")
    assert ana == {
        "account": "S1",
        "guarantor_name": "Ana Rivera",
        "address_line1": "12 Oak St",
        "address_line2": "",
        "city": "Springfield",
        "state": "IL",
        "zip": "62704",
        "balance": "85.00",
        "oldest_service_date": "2026-02-10",
        "last_payment_date": TODAY.date().isoformat(),
        "statements_sent": "4",
    }
    account = patient_billing.account(ctx, balances["ana"], store=billing_store)
    assert account.flags.collection_status == "referred"
    again = statements.export_collections(ctx, date(2026, 10, 30), store=billing_store)
    assert balances["ana"] not in again.referred
    assert "in_collections" in {s.reason for s in run(ctx, "2026-12-01").skipped}


def test_an_active_payment_plan_keeps_the_account_out_of_collections(billing, balances):
    ctx = billing.ctx
    plan = payment_plans.create_plan(
        ctx, balances["ana"], start=date(2026, 7, 1), installments=6, store=billing_store
    )
    for on in ("2026-06-30", "2026-07-30", "2026-08-29", "2026-09-28", "2026-10-28"):
        result = run(ctx, on)
        assert balances["ana"] not in result.flagged
    latest = statements.list_statements(ctx, store=billing_store, patient_id=balances["ana"])[0]
    assert latest.installment_due is not None and plan.id == latest.detail["payment_plan_id"]
    assert "Payment plan installment due" in pdf_text(
        statements.get_statement(ctx, latest.number, store=billing_store).pdf
    )


# ---- payment plans ---------------------------------------------------------------------------


def test_a_plan_schedules_the_balance_and_payments_complete_it(billing, engine, balances):
    ctx = billing.ctx
    plan = payment_plans.create_plan(
        ctx, balances["ana"], start=date(2026, 7, 31), installments=7, store=billing_store
    )
    assert plan.total == Money("90.00") and plan.status == "active"
    assert Money.sum(i.amount for i in plan.installments) == Money("90.00")
    assert [i.due_date for i in plan.installments[:3]] == [
        date(2026, 7, 31),
        date(2026, 8, 31),
        date(2026, 9, 30),
    ]
    assert [i.amount for i in plan.installments] == [Money("12.86")] * 5 + [Money("12.85")] * 2
    with pytest.raises(Conflict):
        payment_plans.create_plan(
            ctx, balances["ana"], start=date(2026, 8, 1), installments=2, store=billing_store
        )
    patient_billing.post_payment(ctx, balances["ana"], [cash("20.00")], store=billing_store)
    shown = payment_plans.get_plan(ctx, plan.id, store=billing_store)
    assert [i.paid for i in shown.installments[:2]] == [Money("12.86"), Money("7.14")]
    patient_billing.post_payment(ctx, balances["ana"], [cash("70.00")], store=billing_store)
    done = payment_plans.get_plan(ctx, plan.id, store=billing_store)
    assert done.status == "completed" and done.remaining == Money.zero()
    assert_ledger_holds(engine, ctx.practice_id, balances["ana"])


def test_a_plan_above_the_balance_is_refused(billing, balances):
    with pytest.raises(DomainValidationError, match=r"50\.00"):
        payment_plans.create_plan(
            billing.ctx,
            balances["ivy"],
            start=date(2026, 7, 1),
            amount=Money("10.00"),
            total=Money("60.00"),
            store=billing_store,
        )


def test_a_missed_installment_makes_the_plan_delinquent(billing, balances):
    ctx = billing.ctx
    plan = payment_plans.create_plan(
        ctx, balances["ivy"], start=date(2026, 7, 1), amount=Money("20.00"), store=billing_store
    )
    assert [i.amount for i in plan.installments] == [Money("20.00"), Money("20.00"), Money("10.00")]
    assert payment_plans.check_plans(ctx, date(2026, 7, 11), store=billing_store) == []
    [late] = payment_plans.check_plans(ctx, date(2026, 7, 12), store=billing_store)
    assert late.newly_missed and late.plan.status == "missed"
    assert [i.seq for i in late.overdue] == [1]
    [still] = payment_plans.check_plans(ctx, date(2026, 7, 13), store=billing_store)
    assert not still.newly_missed
    patient_billing.post_payment(
        ctx, balances["ivy"], [cash("20.00")], store=billing_store, received_on=date(2026, 7, 14)
    )
    assert payment_plans.get_plan(ctx, plan.id, store=billing_store).status == "active"
    assert [p.id for p in payment_plans.list_plans(ctx, store=billing_store, status="active")] == [
        plan.id
    ]


# ---- CLI ---------------------------------------------------------------------------------------


def cli(database_url: str, practice_id: int, *args: str):
    return CliRunner().invoke(
        app, ["--db", database_url, "--practice", str(practice_id), *args], catch_exceptions=False
    )


def test_cli_runs_statements_exports_collections_and_manages_plans(
    billing, balances, database_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("REVCYCLE_CLOCK", TODAY.isoformat())
    pid = billing.ctx.practice_id
    out = tmp_path / "stmts"
    r = cli(database_url, pid, "statements", "run", "--date", "2026-06-30", "--out", str(out),
            "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    made = json.loads(r.stdout)
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(f"{s['number']}.pdf" for s in made["statements"]) and len(files) == 2
    assert "$90.00" in pdf_text((out / files[0]).read_bytes()) or "$90.00" in pdf_text(
        (out / files[1]).read_bytes()
    )
    r = cli(database_url, pid, "statements", "list", "--json")
    assert len(json.loads(r.stdout)) == 2
    r = cli(database_url, pid, "statements", "run", "--date", "2026-07-01", "--out", str(out))
    assert r.exit_code == 0 and "0 statement(s)" in r.stdout
    r = cli(database_url, pid, "plans", "create", "H1", "--installments", "5", "--start",
            "2026-07-01", "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    plan = json.loads(r.stdout)
    assert [i["amount"] for i in plan["installments"]] == ["10.00"] * 5
    r = cli(database_url, pid, "plans", "check", "--date", "2026-08-01", "--json")
    [late] = json.loads(r.stdout)
    assert late["id"] == plan["id"] and late["status"] == "missed"
    r = cli(database_url, pid, "plans", "list", "--status", "missed", "--json")
    assert [p["id"] for p in json.loads(r.stdout)] == [plan["id"]]
    r = cli(database_url, pid, "plans", "show", str(plan["id"]))
    assert r.exit_code == 0 and "missed" in r.stdout
    for on in ("2026-07-30", "2026-08-29", "2026-09-28", "2026-10-28"):
        cli(database_url, pid, "statements", "run", "--date", on, "--out", str(out))
    target = tmp_path / "agency.csv"
    r = cli(database_url, pid, "collections", "export", "--out", str(target), "--json")
    # Ivy's plan is delinquent (missed), so it does not keep her out of collections
    assert json.loads(r.stdout)["referred"] == [billing.self_pt, billing.hmo_pt]
    assert target.read_text().splitlines()[0].startswith("account,guarantor_name")
    r = cli(database_url, pid, "plans", "create", "H1", "--start", "2026-07-01")
    assert r.exit_code == 2  # neither installments nor amount... and a plan is open
