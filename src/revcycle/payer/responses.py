"""The simulator's outbound X12: envelope checks for the TA1, the 277CA and the 835.

- :func:`envelope_findings` adds the clearinghouse's own interchange checks (receiver ID,
  sender matches the mailbox) to the validator's report, as TA105 note codes, so that
  ``x12.acks.build_acks`` answers them with a TA1 rejection.
- :func:`claim_status` turns one claim's front-end edit result into a ``ClaimStatus``.
- :func:`remittance` assembles the 835 of one payer, payee and payment cycle, applying provider
  level adjustments (interest L6, recoupment WO, forward balance FB) so that
  sum(CLP04) - sum(PLB) = BPR02 and BPR02 is never negative.

Everything is written with ``x12.writer.write_interchange`` (which validates against
revcycle's own specs) and is meant to pass pyx12.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from revcycle.domain.claim import Claim
from revcycle.domain.money import Money
from revcycle.domain.remittance import (
    ClaimPayment,
    Payment,
    ProviderAdjustment,
    RemitParty,
    Remittance,
)
from revcycle.payer.config import PayerConfig
from revcycle.x12.errors import Position
from revcycle.x12.findings import ERROR, Finding
from revcycle.x12.mapping.ack277 import ClaimStatus
from revcycle.x12.validator import ValidationReport

ZERO = Money(0)


def envelope_findings(
    report: ValidationReport, receiver_id: str, submitter: str, sender_must_match: bool
) -> None:
    """Add TA1-level findings for interchanges addressed to someone else (TA105 008) or sent
    under another submitter's ID (TA105 006). Earlier findings keep precedence."""
    for ic in report.interchanges:
        isa = ic.isa + [""] * (17 - len(ic.isa))
        problems: list[tuple[str, str]] = []
        if isa[8].strip() != receiver_id:
            problems.append(("008", f"ISA08 is not this clearinghouse ({receiver_id})"))
        if sender_must_match and isa[6].strip() != submitter:
            problems.append(("006", "ISA06 is not the submitter ID of this mailbox"))
        for note, message in problems:
            finding = Finding(
                "sim.envelope", ERROR, message, Position(segment_id="ISA"), interchange_error=note
            )
            ic.findings.append(finding)
            report.findings.append(finding)
            report.errors += 1


@dataclass(frozen=True, slots=True)
class EditResult:
    """The front-end edit verdict on one claim: STC category, status code and entity."""

    category: str
    code: str
    entity: str = ""

    @property
    def accepted(self) -> bool:
        return self.category in ("A1", "A2")


ACCEPTED = EditResult("A2", "20")


def claim_status(claim: Claim, result: EditResult, icn: str, today: date) -> ClaimStatus:
    person = claim.patient.person if claim.patient else claim.subscriber.person
    dates = [ln.service_date for ln in claim.lines]
    return ClaimStatus(
        patient_control_number=claim.patient_control_number,
        category=result.category,
        status_code=result.code,
        status_date=today,
        charge=claim.total_charge,
        patient_last_name=person.last_name or "UNKNOWN",
        patient_first_name=person.first_name,
        member_id=claim.subscriber.member_id,
        payer_claim_control_number=icn if result.accepted else "",
        service_from=min(dates) if dates else None,
        service_to=max(dates) if dates else None,
        entity=result.entity,
    )


@dataclass(frozen=True, slots=True)
class Payee:
    npi: str
    name: str
    tax_id: str


@dataclass(frozen=True, slots=True)
class RemitItem:
    """One thing waiting for a payment cycle: a claim (with the PLBs it causes) for a payee."""

    payee: Payee
    claim: ClaimPayment
    adjustments: tuple[ProviderAdjustment, ...] = ()


def fiscal_year_end(day: date) -> date:
    return date(day.year, 12, 31)


def remittance(
    payer: PayerConfig,
    payee: Payee,
    items: Sequence[RemitItem],
    cycle: date,
    trace: str,
    balance_owed: Money,
) -> tuple[Remittance, Money]:
    """The 835 for ``items``; returns it with the balance the payee owes afterwards.

    ``balance_owed`` (what the payee still owed from earlier cycles) is taken back first
    (PLB FB, positive); when the claims do not cover what is taken back, the rest is carried
    forward (PLB FB, negative) and the payment is zero.
    """
    claims = tuple(i.claim for i in items)
    fy_end = fiscal_year_end(cycle)
    plb: list[ProviderAdjustment] = []
    for item in items:
        for a in item.adjustments:
            plb.append(ProviderAdjustment(a.reason, a.amount, a.reference, payee.npi, fy_end))
    if balance_owed > ZERO:
        plb.append(ProviderAdjustment("FB", balance_owed, "BALANCE FORWARD", payee.npi, fy_end))
    net = Money.sum(c.paid for c in claims) - Money.sum(a.amount for a in plb)
    owed_after = ZERO
    if net < ZERO:
        owed_after = -net
        plb.append(ProviderAdjustment("FB", net, f"CARRIED {trace}"[:50], payee.npi, fy_end))
        net = ZERO
    street, city, state, postal = payer.address
    r = Remittance(
        payment=Payment(
            amount=net,
            method="ACH" if net > ZERO else "NON",
            credit_debit="C",
            handling="I" if net > ZERO else "H",
            date=cycle,
            trace_number=trace,
            payer_identifier="1" + payer.tax_id,
        ),
        payer=RemitParty(payer.name, payer.payer_id, "XV", street, city, state, postal),
        payee=RemitParty(payee.name, payee.npi, "XX", tax_id=payee.tax_id),
        claims=claims,
        provider_adjustments=tuple(plb),
        production_date=cycle,
    )
    return r, owed_after
