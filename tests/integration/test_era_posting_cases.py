"""ERA posting on the real databases, case by case: reversals and their corrections, PLB,
unmatched claim payments in their queue, two posters of one file at once, and manual EOBs
through the same path."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from revcycle.db.ledger_repo import LedgerRepository, ledger_store
from revcycle.db.ledger_tables import era_postings, journal_entries
from revcycle.domain.errors import DomainValidationError, NotFound
from revcycle.domain.ledger import AccountKind, EntryKind, Party
from revcycle.domain.money import Money
from revcycle.domain.remittance import (
    Adjustment,
    ClaimPayment,
    Payment,
    ProviderAdjustment,
    RemitParty,
    Remittance,
    ServicePayment,
)
from revcycle.services import claims
from revcycle.services.era import post_era, post_manual_eob
from revcycle.services.x12_out import CLEARINGHOUSE_ID
from revcycle.x12.control import InMemoryControlNumbers
from revcycle.x12.mapping.remit835 import transaction_835
from revcycle.x12.writer import Envelope, write_interchange
from tests.conftest import TODAY
from tests.integration.test_era_post import counts, ledger_of, post, queue
from tests.integration.test_submission import SUBMITTER, ready_claims

PPO = Party.payer("SIMPPO")


def m(x: str) -> Money:
    return Money(x)


def remit(
    payments: list[ClaimPayment],
    plb: tuple[ProviderAdjustment, ...] = (),
    trace: str = "EFT0100",
    start: int = 900,
    payee: tuple[str, str] = ("1234567893", "123456789"),
) -> bytes:
    paid = Money.sum(c.paid for c in payments) - Money.sum(a.amount for a in plb)
    r = Remittance(
        payment=Payment(paid, "ACH", date=TODAY.date(), trace_number=trace,
                        payer_identifier="1234567890"),
        payer=RemitParty("ACME HEALTH PPO", "SIMPPO", "XV", "1 PAYER WAY", "CHICAGO", "IL",
                         "60601"),
        payee=RemitParty("TEST FAMILY PRACTICE", payee[0], "XX", tax_id=payee[1]),
        claims=tuple(payments),
        provider_adjustments=plb,
    )  # fmt: skip
    envelope = Envelope(sender_id=CLEARINGHOUSE_ID, receiver_id=SUBMITTER)
    return write_interchange(
        envelope, "HP", [transaction_835(r)], InMemoryControlNumbers(start=start), TODAY
    ).encode()


def claim_lines(ctx, claim_id: int) -> list[tuple[str, Money, str]]:
    """(procedure, charge, line control number) of each line of the claim."""
    detail = claims.get_claim(ctx, claim_id)
    with ctx.uow() as uow:
        enc = uow.encounters.get(detail.record.encounter_id)
    by_id = {ln.id: ln for ln in enc.lines}
    return [
        (by_id[cl.encounter_line_id].procedure, cl.charge, cl.line_control_number)
        for cl in detail.record.lines
    ]


def payment(
    ctx, claim_id: int, status: str, icn: str, paid_share: Decimal, pr: str = "0.00"
) -> ClaimPayment:
    """The claim paid ``paid_share`` of each line's charge, PR ``pr`` on the first line, the rest
    contractual (CO-45); negative shares make the reversal of the same adjudication."""
    detail = claims.get_claim(ctx, claim_id)
    sign = Decimal(-1) if status == "22" else Decimal(1)
    lines = []
    first = True
    for proc, charge, lcn in claim_lines(ctx, claim_id):
        paid = Money(charge.amount * paid_share)
        pr_amount = m(pr) if first else Money.zero()
        co = charge - paid - pr_amount
        adjustments = [Adjustment("CO", "45", Money(co.amount * sign))]
        if pr_amount:
            adjustments.append(Adjustment("PR", "2", Money(pr_amount.amount * sign)))
        lines.append(
            ServicePayment(
                proc,
                Money(charge.amount * sign),
                Money(paid.amount * sign),
                units=Decimal(1),
                line_control_number=lcn,
                adjustments=tuple(adjustments),
            )
        )
        first = False
    return ClaimPayment(
        detail.record.patient_control_number,
        status,
        Money.sum(ln.charge for ln in lines),
        Money.sum(ln.paid for ln in lines),
        Money(m(pr).amount * sign),
        "12",
        icn,
        lines=tuple(lines),
    )


def balances(engine, practice_id: int, claim_id: int) -> dict[str, Money]:
    led = ledger_of(engine, practice_id, [claim_id])
    out: dict[str, Money] = {}
    for key in led.lines():
        lb = led.line_balance(*key)
        for party, amount in lb.open_by_party.items():
            out[str(party)] = out.get(str(party), Money.zero()) + amount
    return out


@pytest.fixture
def claim(billing) -> int:
    (claim_id,) = ready_claims(billing, [billing.self_pt])
    return claim_id


def test_a_reversal_undoes_the_original_exactly_and_the_correction_is_posted(
    billing, engine, claim
):
    ctx = billing.ctx
    original = payment(ctx, claim, "1", "ICN500", Decimal("0.5"), pr="10.00")
    assert post(ctx, remit([original], trace="T-ORIG"))["status"] == "posted"
    after_original = balances(engine, ctx.practice_id, claim)

    reversal = payment(ctx, claim, "22", "ICN500", Decimal("0.5"), pr="10.00")
    correction = payment(ctx, claim, "1", "ICN501", Decimal("0.6"), pr="5.00")
    summary = post(ctx, remit([reversal, correction], trace="T-CORR", start=910))
    assert summary["status"] == "posted"
    assert summary["claims_matched"] == 2  # the reversal and its correction count as two

    with engine.connect() as conn:
        entries = LedgerRepository(conn).entries_for_claim(ctx.practice_id, str(claim))
    payments = [e for e in entries if e.kind != EntryKind.CHARGE]
    reversed_ids = {e.reverses for e in payments if e.reverses}
    assert len(reversed_ids) == 1
    undone = next(e for e in payments if e.entry_id in reversed_ids)
    undoing = next(e for e in payments if e.reverses)
    assert {(p.account, p.amount) for p in undoing.postings} == {
        (p.account, -p.amount) for p in undone.postings
    }
    # What is open now is what the correction alone leaves: only the 5.00 for the patient.
    now = balances(engine, ctx.practice_id, claim)
    assert now.get("patient") == m("5.00")
    assert after_original.get("patient") == m("10.00")
    assert now.get(str(PPO), Money.zero()) == Money.zero()


def test_provider_level_adjustments_post_to_provider_accounts_named_by_their_claims(
    billing, engine, claim
):
    ctx = billing.ctx
    pcn = claims.get_claim(ctx, claim).record.patient_control_number
    plb = (
        # interest paid to the provider, and a recoupment of an old overpayment
        ProviderAdjustment("L6", m("-2.15"), pcn, "1234567893", date(2026, 12, 31)),
        ProviderAdjustment("WO", m("30.00"), "OLDICN77", "1234567893", date(2026, 12, 31)),
    )
    summary = post(ctx, remit([payment(ctx, claim, "1", "ICN600", Decimal(1))], plb))
    assert summary["status"] == "posted"
    assert summary["provider_adjustments_total"] == "27.85"
    with engine.connect() as conn:
        plb_entries = conn.execute(
            select(journal_entries.c.kind, journal_entries.c.claim_id).where(
                journal_entries.c.kind.in_([EntryKind.INTEREST.value, EntryKind.RECOUPMENT.value])
            )
        ).all()
    assert sorted(tuple(r) for r in plb_entries) == [
        (EntryKind.INTEREST.value, str(claim)),  # tied to the claim its reference names
        (EntryKind.RECOUPMENT.value, ""),  # names a claim revcycle does not know
    ]
    led = ledger_of(engine, ctx.practice_id, [claim])
    interest = [a for a in led.accounts() if a.kind == AccountKind.INTEREST]
    assert interest and sum((led.balance(a) for a in interest), Money.zero()).amount.copy_abs() == (
        Decimal("2.15")
    )


def test_claim_payments_that_match_nothing_go_to_the_unmatched_queue(billing, engine, claim):
    ctx = billing.ctx
    stranger = ClaimPayment(
        "NOSUCHCLAIM9", "1", m("80.00"), m("50.00"), None, "12", "ICN700",
        lines=(ServicePayment("99213", m("80.00"), m("50.00"), units=Decimal(1),
                              adjustments=(Adjustment("CO", "45", m("30.00")),)),),
    )  # fmt: skip
    summary = post(ctx, remit([payment(ctx, claim, "1", "ICN701", Decimal(1)), stranger]))
    assert (summary["claims_matched"], summary["claims_unmatched"]) == (1, 1)
    items = queue(ctx, "unmatched_remittances")
    with engine.connect() as conn:
        file_id = conn.execute(select(era_postings.c.id)).scalar_one()
    assert list(items) == [file_id]
    assert "NOSUCHCLAIM9" in items[file_id] and "50.00" in items[file_id]


def test_an_835_for_a_payee_nobody_knows_is_recorded_posted_with_every_claim_unmatched(
    billing, engine, claim
):
    operator = billing.ctx.__class__.operator("ops", billing.ctx.clock, billing.ctx.uow_factory)
    content = remit(
        [payment(billing.ctx, claim, "1", "ICN800", Decimal(1))], payee=("1999999984", "999999999")
    )
    entries = counts(engine)[0]  # the claim's charge, posted when it was created
    summary = post_era(operator, content, ledger=ledger_store)
    assert (summary["status"], summary["claims_matched"], summary["claims_unmatched"]) == (
        "posted",
        0,
        1,
    )
    with engine.connect() as conn:
        row = conn.execute(select(era_postings.c.practice_id, era_postings.c.status)).one()
        assert tuple(row) == (None, "posted")
        assert conn.execute(select(func.count()).select_from(journal_entries)).scalar_one() == (
            entries
        )


def test_two_posters_of_the_same_file_at_once_post_it_once(billing, engine, claim):
    ctx = billing.ctx
    content = remit([payment(ctx, claim, "1", "ICN900", Decimal(1))])
    both_ready = threading.Barrier(2, timeout=30)

    def racing_store(uow):
        store = ledger_store(uow)
        real_lock = store.lock

        def lock(identity):
            both_ready.wait()  # both transactions are open and neither has looked yet
            real_lock(identity)

        store.lock = lock  # type: ignore[method-assign]
        return store

    results: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(post_era(ctx, content, ledger=racing_store)["status"])
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sorted(results) == ["already_posted", "posted"]
    with engine.connect() as conn:
        n = conn.execute(
            select(func.count())
            .select_from(journal_entries)
            .where(journal_entries.c.kind == EntryKind.INSURANCE_PAYMENT.value)
        ).scalar_one()
    assert n == 1


def eob_form(ctx, claim_id: int, check: str = "100234", paid: str = "60.00") -> dict:
    detail = claims.get_claim(ctx, claim_id)
    lines = claim_lines(ctx, claim_id)
    charge = Money.sum(c for _, c, _ in lines)
    first, *rest = lines
    form_lines = [
        {
            "procedure": first[0],
            "charge": first[1].to_json(),
            "paid": paid,
            "adjustments": [
                {"group": "CO", "reason": "45", "amount": (first[1] - m(paid) - m("20.00")).to_json()},
                {"group": "PR", "reason": "2", "amount": "20.00"},
            ],
        }
    ] + [
        {"procedure": p, "charge": c.to_json(), "paid": "0.00",
         "adjustments": [{"group": "CO", "reason": "45", "amount": c.to_json()}]}
        for p, c, _ in rest
    ]  # fmt: skip
    return {
        "payer_id": "SIMPPO",
        "check_number": check,
        "check_date": "2026-09-20",
        "check_amount": paid,
        "claims": [
            {
                "patient_control_number": detail.record.patient_control_number,
                "status": "1",
                "charge": charge.to_json(),
                "paid": paid,
                "patient_responsibility": "20.00",
                "payer_claim_number": "EOB-77",
                "lines": form_lines,
            }
        ],
    }


def test_a_paper_eob_posts_through_the_same_path_once(billing, engine, claim):
    ctx = billing.ctx
    form = eob_form(ctx, claim)
    summary = post_manual_eob(ctx, form, ledger=ledger_store)
    assert summary["status"] == "posted"
    assert (summary["claims_matched"], summary["paid_total"]) == (1, "60.00")
    assert summary["patient_responsibility"] == "20.00"
    before = counts(engine)
    assert post_manual_eob(ctx, form, ledger=ledger_store)["status"] == "already_posted"
    # the same check entered again with a typo is still the same check: not posted twice
    retyped = {**form, "check_date": "2026-09-21"}
    assert post_manual_eob(ctx, retyped, ledger=ledger_store)["status"] == "already_posted"
    assert counts(engine) == before
    assert balances(engine, ctx.practice_id, claim).get("patient") == m("20.00")


def test_a_paper_eob_with_bad_fields_names_each_of_them_and_posts_nothing(billing, engine, claim):
    ctx = billing.ctx
    form = eob_form(ctx, claim)
    form["claims"][0]["paid"] = 60.0  # a float: amounts are written as strings
    form["claims"][0]["lines"][0]["adjustments"][0]["group"] = "XX"
    form["check_date"] = "20/09/2026"
    before = counts(engine)
    with pytest.raises(DomainValidationError) as caught:
        post_manual_eob(ctx, form, ledger=ledger_store)
    fields = {e.field for e in caught.value.errors}
    assert {"claims[0].paid", "claims[0].lines[0].adjustments[0].group", "check_date"} <= fields
    assert counts(engine) == before


def test_a_paper_eob_that_does_not_balance_is_rejected_with_findings(billing, engine, claim):
    ctx = billing.ctx
    form = eob_form(ctx, claim)
    form["claims"][0]["lines"][0]["paid"] = "65.00"  # the line no longer balances
    before = counts(engine)
    summary = post_manual_eob(ctx, form, ledger=ledger_store)
    assert summary["status"] == "rejected"
    assert summary["findings"] and all(f["severity"] == "error" for f in summary["findings"])
    assert counts(engine)[:3] == before[:3]  # no entries, postings or work items


def test_a_paper_eob_from_a_payer_the_practice_does_not_have_is_refused(billing, claim):
    form = {**eob_form(billing.ctx, claim), "payer_id": "NOPE1"}
    with pytest.raises(NotFound):
        post_manual_eob(billing.ctx, form, ledger=ledger_store)
