"""The secondary payer's 835 posts on the primary claim's ledger lines: the balance the primary's
835 moved to the secondary is paid or moved on there, and the secondary claim's charges are
never put on the ledger a second time."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from revcycle.db.ledger_tables import journal_entries
from revcycle.domain.ledger import EntryKind, Party
from revcycle.domain.money import Money
from revcycle.domain.remittance import (
    Adjustment,
    ClaimPayment,
    Payment,
    RemitParty,
    Remittance,
    ServicePayment,
)
from revcycle.services import claims
from revcycle.services.x12_out import CLEARINGHOUSE_ID
from revcycle.x12.control import InMemoryControlNumbers
from revcycle.x12.mapping.remit835 import transaction_835
from revcycle.x12.writer import Envelope, write_interchange
from tests.conftest import TODAY
from tests.integration.test_era_post import ledger_of
from tests.integration.test_secondary_claims import (
    medicare_paid,
    medigap,
    post,
    remit,
    the_secondary,
)
from tests.integration.test_submission import SUBMITTER, ready_claims


@pytest.fixture
def primary_claim(billing) -> tuple[int, str]:
    """A ready Medicare claim of a patient with Medigap as secondary: (claim id, PCN)."""
    medigap(billing)
    [cid] = ready_claims(billing, [billing.medicare_pt])
    return cid, claims.get_claim(billing.ctx, cid).record.patient_control_number


def medigap_remit(pcn: str, lcn: str) -> bytes:
    """Medigap pays the 14.00 coinsurance; the 30.00 Part B deductible stays the patient's;
    OA-23 says what Medicare already did (76.00)."""
    cp = ClaimPayment(
        pcn, "2", Money("120.00"), Money("14.00"), Money("30.00"), "CI", "MG0001",
        lines=(
            ServicePayment(
                "99213", Money("120.00"), Money("14.00"), units=Decimal(1),
                line_control_number=lcn,
                adjustments=(Adjustment("OA", "23", Money("76.00")),
                             Adjustment("PR", "1", Money("30.00"))),
            ),
        ),
    )  # fmt: skip
    r = Remittance(
        payment=Payment(Money("14.00"), "ACH", date=TODAY.date(), trace_number="MG-EFT1",
                        payer_identifier="1470000001"),
        payer=RemitParty("SIM MEDIGAP", "SIMMGP", "XV", "PO BOX 4004", "OMAHA", "NE", "68101"),
        payee=RemitParty("TEST FAMILY PRACTICE", "1234567893", "XX", tax_id="123456789"),
        claims=(cp,),
    )  # fmt: skip
    envelope = Envelope(sender_id=CLEARINGHOUSE_ID, receiver_id=SUBMITTER)
    return write_interchange(
        envelope, "HP", [transaction_835(r)], InMemoryControlNumbers(start=300), TODAY
    ).encode()


def open_by_party(engine, practice_id: int, claim_id: int) -> dict[str, Money]:
    led = ledger_of(engine, practice_id, [claim_id])
    assert led.check_line_invariants() == []
    out: dict[str, Money] = {}
    for key in led.lines():
        for party, amount in led.line_balance(*key).open_by_party.items():
            out[str(party)] = out.get(str(party), Money.zero()) + amount
    return {k: v for k, v in out.items() if v}


def test_the_secondary_835_pays_on_the_primary_claims_lines(billing, engine, primary_claim):
    ctx, (cid, pcn) = billing.ctx, primary_claim
    assert post(ctx, remit([medicare_paid(pcn)]))["secondary_claims_created"] == 1
    assert open_by_party(engine, ctx.practice_id, cid) == {
        str(Party.payer("SIMMGP")): Money("44.00")
    }

    secondary = the_secondary(ctx, cid)
    content = medigap_remit(
        secondary.patient_control_number, secondary.lines[0].line_control_number
    )
    summary = post(ctx, content)
    assert (summary["status"], summary["claims_matched"], summary["claims_unmatched"]) == (
        "posted",
        1,
        0,
    )
    assert summary["patient_responsibility"] == "30.00"
    # what is left is the patient's deductible, on the primary claim's line
    assert open_by_party(engine, ctx.practice_id, cid) == {"patient": Money("30.00")}
    with engine.connect() as conn:
        charges = conn.execute(
            select(journal_entries.c.claim_id, func.count())
            .where(journal_entries.c.kind == EntryKind.CHARGE.value)
            .group_by(journal_entries.c.claim_id)
        ).all()
    assert [tuple(r) for r in charges] == [(str(cid), 1)]  # the secondary's charges: never
