"""Revenue-cycle KPIs on a small practice built through the real services, on both databases:
three claims (two clean, one held by the scrubber), an 837 sent to the clearinghouse mailbox,
two 835s (a payment with a contractual and coinsurance, a denial, then the denied claim paid),
a copay at the desk applied to the coinsurance, the rest written off, and a patient overpayment
refunded. Every KPI is computed by hand below, to the cent."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from revcycle.api.app import create_app
from revcycle.cli.app import app as cli_app
from revcycle.config import Settings
from revcycle.db.ledger_repo import ledger_store
from revcycle.db.patient_billing_repo import billing_store
from revcycle.db.report_repo import report_store
from revcycle.domain.money import Money
from revcycle.domain.remittance import (
    Adjustment,
    ClaimPayment,
    Payment,
    RemitParty,
    Remittance,
    ServicePayment,
)
from revcycle.posting.patient import Tender
from revcycle.reports import KPI_IDS
from revcycle.services import auth, charges, claims, patient_billing, reports, submission
from revcycle.services.era import post_era
from revcycle.services.scrubbing import scrub_claims
from revcycle.services.x12_out import CLEARINGHOUSE_ID
from revcycle.transport import open_mailbox
from revcycle.x12.control import InMemoryControlNumbers
from revcycle.x12.mapping.remit835 import transaction_835
from revcycle.x12.writer import Envelope, write_interchange
from tests.integration.test_submission import SUBMITTER


def remit(payments: list[ClaimPayment], paid_on: date, trace: str, start: int) -> bytes:
    r = Remittance(
        payment=Payment(
            Money.sum(c.paid for c in payments), "ACH", date=paid_on,
            trace_number=trace, payer_identifier="1234567890",
        ),
        payer=RemitParty("ACME HEALTH PPO", "SIMPPO", "XV", "1 PAYER WAY", "CHICAGO", "IL",
                         "60601"),
        payee=RemitParty("TEST FAMILY PRACTICE", "1234567893", "XX", tax_id="123456789"),
        claims=tuple(payments),
    )  # fmt: skip
    envelope = Envelope(sender_id=CLEARINGHOUSE_ID, receiver_id=SUBMITTER)
    control = InMemoryControlNumbers(start=start)
    when = datetime(paid_on.year, paid_on.month, paid_on.day, 9, tzinfo=UTC)
    return write_interchange(envelope, "HP", [transaction_835(r)], control, when).encode()


def paid(pcn: str, icn: str, charge: str, pay: str, co: str, pr: str) -> ClaimPayment:
    adjustments = [Adjustment("CO", "45", Money(co))]
    if Money(pr):
        adjustments.append(Adjustment("PR", "2", Money(pr)))
    return ClaimPayment(
        pcn, "1", Money(charge), Money(pay), Money(pr) if Money(pr) else None, "12", icn,
        lines=(
            ServicePayment(
                "99213", Money(charge), Money(pay), units=Decimal(1),
                line_control_number=f"{pcn}L01", allowed=Money(pay) + Money(pr),
                adjustments=tuple(adjustments),
            ),
        ),
    )  # fmt: skip


def denied(pcn: str, icn: str, charge: str) -> ClaimPayment:
    return ClaimPayment(
        pcn, "4", Money(charge), Money("0.00"), None, "12", icn,
        adjustments=(Adjustment("CO", "50", Money(charge)),),
    )  # fmt: skip


@pytest.fixture
def practice(billing, clock, tmp_path):
    """The month of the module docstring; the clock ends on 2026-07-10."""
    ctx, store = billing.ctx, billing_store
    made = {}
    # entered on 2026-06-15: A and B (99213, 120.00) seen 06-01, C (70551, 900.00) seen 06-10
    for name, patient, dos, code in (
        ("A", billing.self_pt, "2026-06-01", "99213"),
        ("B", billing.child_pt, "2026-06-01", "99213"),
        ("C", billing.hmo_pt, "2026-06-10", "70551"),
    ):
        lines = [{"procedure": code, "pointers": "1"}]
        enc = charges.enter_charges(ctx, billing.encounter(patient, dos_from=dos, lines=lines))
        [made[name]] = claims.create_claims(ctx, [enc.id])
    scrubbed = scrub_claims(ctx, [c.id for c in made.values()])
    assert [r.clean for r in scrubbed] == [True, True, False]  # C is held (no authorization)
    patient_billing.post_payment(  # a 15.00 copay at the desk, held as credit
        ctx, billing.self_pt, [Tender("cash", Money("15.00"))], store=store, copay=True
    )
    with open_mailbox(f"file://{tmp_path}/ch?submitter={SUBMITTER}") as mailbox:
        assert submission.submit(ctx, mailbox).claim_count == 2  # A and B, on 06-15
    clock.advance(timedelta(days=10))  # 2026-06-25: A paid, B denied
    pa, pb = made["A"].patient_control_number, made["B"].patient_control_number
    first = [paid(pa, "ICN1", "120.00", "80.00", "20.00", "20.00"), denied(pb, "ICN2", "120.00")]
    post_era(ctx, remit(first, date(2026, 6, 25), "EFT1", 700), ledger=ledger_store)
    clock.advance(timedelta(days=15))  # 2026-07-10: B paid after all (the denial overturned)
    second = [paid(pb, "ICN3", "120.00", "90.00", "30.00", "0.00")]
    post_era(ctx, remit(second, date(2026, 7, 10), "EFT2", 710), ledger=ledger_store)
    patient_billing.apply_credit(ctx, billing.self_pt, store=store)  # 15 of A's 20.00 coinsurance
    [wo] = patient_billing.write_off_small_balances(ctx, store=store, threshold=Money("10.00"))
    assert wo.amount == Money("5.00")
    patient_billing.post_payment(  # a mailed check the child did not owe, refunded
        ctx, billing.child_pt, [Tender("check", Money("10.00"), "101")], store=store
    )
    patient_billing.refund(
        ctx, billing.child_pt, Money("10.00"), Tender("check", Money("10.00"), "9"), store=store
    )
    return made


def kpi(value, numerator, denominator) -> tuple:
    return (value, numerator, denominator)


def test_every_kpi_matches_the_hand_computation(billing, practice):
    got = reports.kpis(billing.ctx, None, None, store=report_store)
    assert list(got) == list(KPI_IDS)
    assert all(k["definition"] for k in got.values())
    # charges 120 + 120 + 900 = 1140.00; contractuals 20 (A) + 30 (B) = 50.00 -> net 1090.00
    # payments: payer 80 + 90, patients 15 + 10 = 195.00; refunds 10.00
    # open A/R on 07-10: only C, 900.00 (A: 120-80-20-15-5 = 0, B: 120-90-30 = 0); no credit
    # the range runs from the first ledger date, 06-01, to today, 07-10: 40 days
    expected = {
        # 1090.00 / 40 = 27.25 a day; 900 / 27.25 = 33.027...
        "days_in_ar": kpi("33.03", "900.00", "27.25"),
        # 1140.00 / 40 = 28.50 a day; 900 / 28.50 = 31.578...
        "gross_days_in_ar": kpi("31.58", "900.00", "28.50"),
        # C's date of service is 30 days old on 07-10
        "ar_over_90_pct": kpi("0.0000", "0.00", "900.00"),
        # A and B clean on their first scrub, C held: 2 / 3
        "clean_claim_rate": kpi("0.6667", 2, 3),
        # A and B adjudicated; B denied first: 1 / 2
        "first_pass_resolution_rate": kpi("0.5000", 1, 2),
        "initial_denial_rate": kpi("0.5000", 1, 2),
        # 120.00 denied over the 240.00 charged on A and B
        "denial_dollars_rate": kpi("0.5000", "120.00", "240.00"),
        # B's denial (06-25) paid on 07-10: 1 / 1
        "denials_overturned_rate": kpi("1.0000", 1, 1),
        # (195 - 10) / (1140 - 50) = 185 / 1090 = 0.16972...
        "net_collection_rate": kpi("0.1697", "185.00", "1090.00"),
        # 195 / 1140 = 0.17105...
        "gross_collection_rate": kpi("0.1711", "195.00", "1140.00"),
        # entered 06-15: A 14 days, B 14, C 5 = 33 over 3 encounters
        "charge_lag_days": kpi("11.00", 33, 3),
        # submitted 06-15: A paid 06-25 (10 days), B 07-10 (25) = 35 over 2 claims
        "payment_lag_days": kpi("17.50", 35, 2),
        # A's 5.00 written off: 5 / 1140 = 0.004385...
        "bad_debt_rate": kpi("0.0044", "5.00", "1140.00"),
        # the 15.00 copay at the desk of 25.00 patient cash
        "pos_collection_rate": kpi("0.6000", "15.00", "25.00"),
    }
    assert {k: (v["value"], v["numerator"], v["denominator"]) for k, v in got.items()} == expected


def test_a_range_counts_only_its_own_dates(billing, practice):
    got = reports.kpis(billing.ctx, date(2026, 7, 1), date(2026, 7, 31), store=report_store)
    row = {k: (v["value"], v["numerator"], v["denominator"]) for k, v in got.items()}
    # no charges in July: every rate over charges has no value
    assert row["gross_collection_rate"] == (None, "100.00", "0.00")  # 90 (B) + 10 (check)
    # less the 10.00 refund, over 0 charges less B's 30.00 contractual: 90 / -30
    assert row["net_collection_rate"] == ("-3.0000", "90.00", "-30.00")
    assert row["payment_lag_days"] == ("25.00", 25, 1)  # only B was first paid in July
    assert row["clean_claim_rate"] == (None, 0, 0)
    assert row["pos_collection_rate"] == ("0.0000", "0.00", "10.00")


def test_aging_puts_the_held_claim_in_its_bucket_by_payer_class_and_patient(billing, practice):
    now = reports.aging(billing.ctx, store=report_store)
    assert now["by_payer"]["SIMHMO"]["0-30"] == "900.00"  # 06-10 is 30 days before 07-10
    later = reports.aging(billing.ctx, date(2026, 9, 30), store=report_store)
    # 06-10 to 09-30 is 112 days
    assert later["by_payer"] == {
        "SIMHMO": {"0-30": "0.00", "31-60": "0.00", "61-90": "0.00", "91-120": "900.00",
                   "over_120": "0.00", "total": "900.00"},
        "total": {"0-30": "0.00", "31-60": "0.00", "61-90": "0.00", "91-120": "900.00",
                  "over_120": "0.00", "total": "900.00"},
    }  # fmt: skip
    assert later["by_payer_class"]["commercial"]["total"] == "900.00"
    [patient] = [k for k in later["by_patient"] if k != "total"]
    assert patient.startswith(f"{billing.hmo_pt} ")
    over = reports.kpis(billing.ctx, None, date(2026, 9, 30), store=report_store)
    assert over["ar_over_90_pct"]["value"] == "1.0000"


def test_denials_are_broken_down_by_category_payer_and_carc(billing, practice):
    got = reports.denials(billing.ctx, None, None, store=report_store)
    assert got["total"] == {"count": 1, "amount": "120.00"}
    assert got["by_category"] == {"medical_necessity": {"count": 1, "amount": "120.00"}}
    assert got["by_payer"] == {"SIMPPO": {"count": 1, "amount": "120.00"}}
    assert got["by_carc"] == {"CO-50": {"count": 1, "amount": "120.00"}}
    assert got["trend"] == [
        {"month": "2026-06", "category": "medical_necessity", "count": 1, "amount": "120.00"}
    ]
    assert got["overturned"]["value"] == "1.0000"
    assert got["top_procedures_by_charges"][0] == {
        "procedure": "70551", "lines": 1, "charges": "900.00"
    }  # fmt: skip
    assert got["top_procedures_by_denials"] == [
        {"procedure": "99213", "denials": 1, "charges": "120.00"}
    ]


def test_payers_join_the_mix_to_the_scorecard_and_monthly_feeds_the_charts(billing, practice):
    rows = {r["payer_id"]: r for r in reports.payers(billing.ctx, store=report_store)}
    # 900 / 1140 = 0.78947..., 240 / 1140 = 0.21052...
    assert (rows["SIMHMO"]["charges"], rows["SIMHMO"]["charge_share"]) == ("900.00", "0.7895")
    assert (rows["SIMPPO"]["claims"], rows["SIMPPO"]["charge_share"]) == (2, "0.2105")
    assert rows["SIMPPO"]["scorecard"]["paid"] == "170.00"
    assert rows["SIMHMO"]["scorecard"] is None  # nothing submitted
    months = reports.monthly(billing.ctx, store=report_store)
    assert [(m["month"], m["charges"], m["collections"]) for m in months] == [
        ("2026-06", "1140.00", "95.00"),  # 80 (A) + 15 (copay)
        ("2026-07", "0.00", "100.00"),  # 90 (B) + 10 (check)
    ]
    assert months[0]["clean_claim_rate"] == "0.6667"
    assert months[0]["denials_by_category"] == {"medical_necessity": 1}


def test_reports_need_billing_read(billing, practice):
    from revcycle.domain.errors import PermissionDenied

    blind = replace(billing.ctx, permissions=frozenset())
    with pytest.raises(PermissionDenied):
        reports.kpis(blind, None, None, store=report_store)


def test_report_kpis_from_the_command_line(billing, practice, database_url):
    args = ["--db", database_url, "--practice", str(billing.ctx.practice_id)]
    r = CliRunner().invoke(cli_app, ["report", "kpis", "--json", *args])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["clean_claim_rate"]["value"] == "0.6667"
    csv_out = CliRunner().invoke(cli_app, ["report", "kpis", "--csv", "--to", "2026-07-10", *args])
    assert csv_out.exit_code == 0, csv_out.output
    assert "clean_claim_rate,0.6667,2,3," in csv_out.stdout
    table = CliRunner().invoke(cli_app, ["report", "aging", *args])
    assert table.exit_code == 0 and "SIMHMO" in table.stdout
    bad = CliRunner().invoke(cli_app, ["report", "kpis", "--from", "June", *args])
    assert bad.exit_code == 2


def test_reports_over_the_api(billing, practice, database_url, clock):
    auth.create_user(billing.ctx, "biller", "biller", "correct horse battery")
    with TestClient(create_app(Settings(database_url=database_url, clock=clock))) as client:
        r = client.post(
            "/api/v1/auth/token", data={"username": "biller", "password": "correct horse battery"}
        )
        h = {"Authorization": f"Bearer {r.json()['access_token']}"}
        got = client.get("/api/v1/reports/kpis?from=2026-06-01&to=2026-07-10", headers=h)
        assert got.status_code == 200
        assert got.json()["days_in_ar"]["value"] == "33.03"  # the same 40 days as above
        aging = client.get("/api/v1/reports/aging?on=2026-09-30", headers=h).json()
        assert aging["by_payer"]["SIMHMO"]["91-120"] == "900.00"
        for path in ("denials", "payers", "monthly"):
            assert client.get(f"/api/v1/reports/{path}", headers=h).status_code == 200
        assert client.get("/api/v1/reports/kpis").status_code == 401
