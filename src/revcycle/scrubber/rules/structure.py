"""Structure and balancing rules (SNIP 2 and 3, claim frequency, COB balancing)."""

from __future__ import annotations

from collections.abc import Iterator

from revcycle.codesets import Finding
from revcycle.domain.money import Money
from revcycle.scrubber.inputs import ScrubInput
from revcycle.scrubber.registry import Rule, finding


def required_parts(inp: ScrubInput) -> Iterator[Finding]:
    """R01: the loops an 837 cannot go without are there: billing provider (2010AA) with name,
    NPI and address; subscriber (2010BA) with name and member ID; payer (2010BB) with name and
    ID; the patient (2000C) when not the subscriber; diagnoses (HI); each line with a procedure
    and a date (SV1/SV2, DTP*472). Source: 005010X222A1 / X223A2 usage."""
    c = inp.claim
    bp = c.billing_provider
    if not (bp.last_or_org_name and bp.address):
        yield finding(
            "R01", "the billing provider needs a name and an address (2010AA)", "billing_provider"
        )
    if not c.subscriber.member_id or not c.subscriber.person.last_name:
        yield finding("R01", "the subscriber needs a name and a member ID (2010BA)", "subscriber")
    if not c.payer.name or not c.payer.payer_id:
        yield finding("R01", "the payer needs a name and a payer ID (2010BB)", "payer")
    if c.subscriber.relationship != "18" and c.patient is None:
        yield finding(
            "R01", "the patient is not the subscriber, so loop 2000C is required", "patient"
        )
    if not c.diagnoses:
        yield finding("R01", "no diagnosis on the claim (HI segment)", "diagnoses")
    if not c.lines:
        yield finding("R01", "no service line on the claim", "lines")
    for n, line in enumerate(c.lines, start=1):
        if not line.procedure_code:
            yield finding("R01", "the line has no procedure", f"lines[{n}]")


def total_matches_lines(inp: ScrubInput) -> Iterator[Finding]:
    """R02: CLM02 equals the sum of the line charges (SV102 / SV203). Source: SNIP 3."""
    total = inp.claim.line_charge_total()
    if total != inp.claim.total_charge:
        yield finding(
            "R02",
            f"claim total {inp.claim.total_charge} differs from the lines' {total}",
            "total_charge",
        )


def charges_positive(inp: ScrubInput) -> Iterator[Finding]:
    """R03: a chargeable claim has a total above zero, and no line charge is negative."""
    if inp.claim.total_charge <= Money.zero():
        yield finding("R03", "the claim total is zero", "total_charge")
    for n, line in enumerate(inp.claim.lines, start=1):
        if line.charge.is_negative():
            yield finding("R03", "a line charge is negative", f"lines[{n}].charge")


def frequency_reference(inp: ScrubInput) -> Iterator[Finding]:
    """R29: a replacement (7) or void (8) carries the payer's claim control number (REF*F8);
    an original (1) does not."""
    c = inp.claim
    if c.frequency.value in ("7", "8") and not c.original_reference:
        yield finding(
            "R29",
            f"frequency {c.frequency.value} needs the payer's claim number (REF*F8)",
            "frequency",
        )
    if c.frequency.value == "1" and c.original_reference:
        yield finding("R29", "an original claim (frequency 1) must not carry REF*F8", "frequency")


def cob_balanced(inp: ScrubInput) -> Iterator[Finding]:
    """R30: on a secondary claim each line balances (SV102 = SVD02 + 2430 CAS amounts), no SVD02
    is negative, the prior payer's paid amount (AMT*D) is there, and the adjudication date is not
    given at both claim and line level. Source: 837P 2320/2430 rules, remittance reference."""
    for o, other in enumerate(inp.claim.other_payers, start=1):
        where = f"other_payers[{o}]"
        if other.paid is None:
            yield finding("R30", "the prior payer's paid amount (AMT*D) is missing", where)
        if other.adjudication_date is not None and any(
            la.adjudication_date is not None for la in other.line_adjudications
        ):
            yield finding(
                "R30", "the adjudication date (DTP*573) is given at claim and line level", where
            )
        by_line = {la.line_number: la for la in other.line_adjudications}
        for n, line in enumerate(inp.claim.lines, start=1):
            la = by_line.get(n)
            if la is None:
                continue
            if la.paid.is_negative():
                yield finding(
                    "R30",
                    "the prior payer's line payment (SVD02) is negative",
                    f"{where}.lines[{n}]",
                )
            adjusted = la.paid + Money.sum(a.amount for a in la.adjustments)
            if adjusted != line.charge:
                yield finding(
                    "R30",
                    f"line charge {line.charge} differs from paid {la.paid} plus adjustments",
                    f"{where}.lines[{n}]",
                )


RULES = (
    Rule("R01", "required loops and segments present", required_parts),
    Rule("R02", "claim total equals the line charges", total_matches_lines),
    Rule("R03", "charges above zero", charges_positive),
    Rule("R29", "frequency and original claim reference", frequency_reference),
    Rule("R30", "COB lines balanced", cob_balanced),
)
