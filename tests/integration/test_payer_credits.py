"""Payer credit balances on the real databases: a line a payer paid twice is found with its
payer, amount and date; the refund is a balanced entry and a letter; Medicare's 60-day rule."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from revcycle.db.accounting_repo import accounting_store
from revcycle.db.ledger_tables import journal_entries
from revcycle.domain.errors import Conflict, DomainValidationError
from revcycle.domain.ledger import Party
from revcycle.domain.money import Money
from revcycle.domain.remittance import (
    Adjustment,
    ClaimPayment,
    Payment,
    RemitParty,
    Remittance,
    ServicePayment,
)
from revcycle.services.payer_credits import (
    medicare_due,
    payer_credits,
    refund_letter,
    refund_payer_credit,
)
from revcycle.services.x12_out import CLEARINGHOUSE_ID
from revcycle.x12.control import InMemoryControlNumbers
from revcycle.x12.mapping.remit835 import transaction_835
from revcycle.x12.writer import Envelope, write_interchange
from tests.conftest import TODAY
from tests.integration.test_era_post import ledger_of, lines_of, pcn, post, remit_file
from tests.integration.test_inbox import paid_in_full
from tests.integration.test_submission import SUBMITTER, ready_claims


def paid_again(claim_pcn: str, icn: str) -> ClaimPayment:
    """The same $80 paid a second time; the payer explains the rest as OA-23 (prior payer
    impact), which posting ignores: the payer's receivable on the line goes to -80."""
    return ClaimPayment(
        claim_pcn, "1", Money("120.00"), Money("80.00"), None, "12", icn,
        lines=(
            ServicePayment(
                "99213", Money("120.00"), Money("80.00"), units=Decimal(1),
                line_control_number=f"{claim_pcn}L01",
                adjustments=(Adjustment("OA", "23", Money("40.00")),),
            ),
        ),
    )  # fmt: skip


def medicare_file(payments: list[ClaimPayment], trace: str, start: int) -> bytes:
    r = Remittance(
        payment=Payment(Money.sum(c.paid for c in payments), "ACH", date=TODAY.date(),
                        trace_number=trace, payer_identifier="1999999999"),
        payer=RemitParty("MEDICARE PART B", "SIMMCR", "XV"),
        payee=RemitParty("TEST FAMILY PRACTICE", "1234567893", "XX", tax_id="123456789"),
        claims=tuple(payments),
    )  # fmt: skip
    envelope = Envelope(sender_id=CLEARINGHOUSE_ID, receiver_id=SUBMITTER)
    return write_interchange(
        envelope, "HP", [transaction_835(r)], InMemoryControlNumbers(start=start), TODAY
    ).encode()


@pytest.fixture
def overpaid(billing):
    """A PPO claim paid twice: the payer's $80 credit on its line."""
    ctx = billing.ctx
    [cid] = ready_claims(billing, [billing.self_pt])
    claim_pcn = pcn(ctx, cid)
    assert post(ctx, remit_file([paid_in_full(claim_pcn, "ICN1")]))["status"] == "posted"
    again = remit_file([paid_again(claim_pcn, "ICN2")], trace="EFT0002", start=800)
    assert post(ctx, again)["status"] == "posted"
    return cid


def test_an_overpaid_line_is_found_with_its_payer_amount_and_date(billing, overpaid):
    [credit] = payer_credits(billing.ctx, store=accounting_store)
    c = credit.credit
    assert (c.claim_id, c.payer_id, c.payer_class) == (str(overpaid), "SIMPPO", "commercial")
    assert (c.amount, credit.open_amount) == (Money("80.00"), Money("80.00"))
    assert c.overpaid_on == TODAY.date() and c.identified_on == TODAY.date()
    assert c.deadline is None and credit.payer_name == "Acme Health PPO"
    # listing again keeps the identification (same record, same date)
    billing.ctx.clock.advance(timedelta(days=3))
    [later] = payer_credits(billing.ctx, store=accounting_store)
    assert later.credit.id == c.id and later.credit.identified_on == TODAY.date()


def test_a_refund_posts_a_balanced_entry_and_writes_the_letter(billing, engine, overpaid):
    ctx = billing.ctx
    [credit] = payer_credits(ctx, store=accounting_store)
    result = refund_payer_credit(
        ctx, credit.credit.id, reason="Duplicate payment of the claim", store=accounting_store
    )
    assert result.amount == Money("80.00") and result.credit.status == "refunded"
    ledger = ledger_of(engine, ctx.practice_id, [overpaid])
    assert ledger.check_line_invariants() == []
    [line] = lines_of(ledger, str(overpaid))
    balance = ledger.line_balance(*line)
    assert balance.open_by_party[Party.payer("SIMPPO")] == Money.zero()
    assert balance.payments == Money("80.00")  # 160 received, 80 refunded
    with engine.connect() as conn:
        kinds = [k for (k,) in conn.execute(
            select(journal_entries.c.kind).where(journal_entries.c.entry_id == result.entry_id)
        )]  # fmt: skip
    assert kinds == ["refund"]
    assert payer_credits(ctx, store=accounting_store) == []
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(result.letter_pdf)).pages)
    claim_pcn = pcn(ctx, overpaid)
    for fact in ("Acme Health PPO", "Rivera, Ana", "W100", claim_pcn, "ICN1", "$80.00",
                 "$120.00", "$160.00", "Duplicate payment of the claim", "99213"):  # fmt: skip
        assert fact in text, fact
    assert refund_letter(ctx, credit.credit.id, store=accounting_store) == result.letter_pdf


def test_a_refund_cannot_exceed_the_credit_or_be_made_twice(billing, overpaid):
    ctx = billing.ctx
    [credit] = payer_credits(ctx, store=accounting_store)
    with pytest.raises(DomainValidationError):
        refund_payer_credit(ctx, credit.credit.id, reason="x", amount=Money("80.01"),
                            store=accounting_store)  # fmt: skip
    part = refund_payer_credit(ctx, credit.credit.id, reason="first half", amount=Money("30.00"),
                               store=accounting_store)  # fmt: skip
    assert part.credit.status == "open"
    [left] = payer_credits(ctx, store=accounting_store)
    assert left.open_amount == Money("50.00") and left.credit.refunded_amount == Money("30.00")
    refund_payer_credit(ctx, credit.credit.id, reason="the rest", store=accounting_store)
    with pytest.raises(Conflict):
        refund_payer_credit(ctx, credit.credit.id, reason="again", store=accounting_store)


def test_a_medicare_overpayment_must_be_returned_within_60_days(billing, engine):
    ctx = billing.ctx
    [cid] = ready_claims(billing, [billing.medicare_pt])
    claim_pcn = pcn(ctx, cid)
    assert (
        post(ctx, medicare_file([paid_in_full(claim_pcn, "MCR1")], "MCR0001", 700))["status"]
        == "posted"
    )
    assert (
        post(ctx, medicare_file([paid_again(claim_pcn, "MCR2")], "MCR0002", 800))["status"]
        == "posted"
    )
    [credit] = payer_credits(ctx, store=accounting_store)
    assert credit.credit.payer_class == "medicare"
    assert credit.credit.deadline == TODAY.date() + timedelta(days=60)
    assert (credit.days_left, credit.urgency) == (60, "")
    assert medicare_due(ctx, store=accounting_store) == []
    ctx.clock.advance(timedelta(days=50))
    [due] = medicare_due(ctx, store=accounting_store)
    assert (due.days_left, due.urgency) == (10, "due")
    ctx.clock.advance(timedelta(days=11))
    [overdue] = medicare_due(ctx, store=accounting_store)
    assert (overdue.days_left, overdue.urgency) == (-1, "overdue")
    result = refund_payer_credit(ctx, overdue.credit.id, reason="Duplicate Medicare payment",
                                 store=accounting_store)  # fmt: skip
    text = PdfReader(io.BytesIO(result.letter_pdf)).pages[0].extract_text()
    assert "1128J(d)" in text and "60 days" in text
    assert medicare_due(ctx, store=accounting_store) == []
    assert ledger_of(engine, ctx.practice_id, [cid]).check_line_invariants() == []
