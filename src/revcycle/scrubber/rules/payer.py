"""Payer rules: authorizations and referrals, ABN modifiers, duplicates, payer-required
modifiers. What each payer requires comes from the payer rules file (``payer_rules``)."""

from __future__ import annotations

from collections.abc import Iterator

from revcycle.codesets import Finding
from revcycle.scrubber.inputs import ScrubInput
from revcycle.scrubber.registry import Rule, finding


def prior_authorization(inp: ScrubInput) -> Iterator[Finding]:
    """R31: a service the payer lists as needing prior authorization carries the authorization
    number (REF*G1), and the number is one on file that covers the service and date (CARC
    197/15)."""
    needed = inp.payer_rule.prior_auth_codes
    number = inp.claim.prior_authorization
    for n, line in enumerate(inp.claim.lines, start=1):
        if line.procedure_code not in needed:
            continue
        if not number:
            yield finding(
                "R31", f"{line.procedure_code} needs a prior authorization number", f"lines[{n}]"
            )
            continue
        on_file = [
            a for a in inp.authorizations if a.kind == "authorization" and a.number == number
        ]
        if on_file and not any(
            a.covers(line.procedure_code, line.service_date, max(1, int(line.units)))
            for a in on_file
        ):
            yield finding(
                "R31",
                f"authorization {number} does not cover {line.procedure_code} on {line.service_date}",
                f"lines[{n}]",
            )


def abn_modifiers(inp: ScrubInput) -> Iterator[Finding]:
    """R32: a Medicare service with a coverage (LCD / frequency) risk carries GA (ABN signed),
    GZ (no ABN) or GY (statutorily excluded) so the liability is clear."""
    if inp.claim.subscriber.claim_filing_indicator not in ("MA", "MB"):
        return
    for n, line in enumerate(inp.claim.lines, start=1):
        if line.procedure_code in inp.payer_rule.abn_codes and not {"GA", "GZ", "GY"} & set(
            line.modifiers
        ):
            yield finding(
                "R32",
                f"{line.procedure_code} may not be covered: add GA, GZ or GY",
                f"lines[{n}].modifiers",
                "warning",
            )


def duplicate_claim(inp: ScrubInput) -> Iterator[Finding]:
    """R34: the same patient, rendering provider, date of service and code are not already
    billed on another open claim (CARC 18)."""
    for line_no, other in inp.duplicates:
        code = inp.claim.lines[line_no - 1].procedure_code
        yield finding(
            "R34", f"{code} is already billed for this date on claim {other}", f"lines[{line_no}]"
        )


def referral(inp: ScrubInput) -> Iterator[Finding]:
    """R36: an HMO plan (or a payer that requires referrals) gets the referral number (REF*9F)
    (CARC 242/243 otherwise)."""
    hmo = inp.plan.claim_filing_indicator == "HM"
    if (hmo or inp.payer_rule.requires_referral) and not inp.claim.referral_number:
        yield finding(
            "R36", f"{inp.payer.name} requires a referral number on the claim", "referral_number"
        )


def payer_required_modifiers(inp: ScrubInput) -> Iterator[Finding]:
    """R38: modifiers a payer requires with some codes (payer rules file,
    ``required_modifiers``), e.g. Medicare therapy codes with GP, GO or GN."""
    required = dict(inp.payer_rule.required_modifiers)
    for n, line in enumerate(inp.claim.lines, start=1):
        options = required.get(line.procedure_code)
        if options and not options & set(line.modifiers):
            yield finding(
                "R38",
                f"{inp.payer.name} requires one of {', '.join(sorted(options))} with {line.procedure_code}",
                f"lines[{n}].modifiers",
            )


RULES = (
    Rule("R31", "prior authorization", prior_authorization),
    Rule("R32", "ABN modifiers for Medicare", abn_modifiers),
    Rule("R34", "duplicate claim", duplicate_claim),
    Rule("R36", "HMO referral", referral),
    Rule("R38", "payer-required modifiers", payer_required_modifiers),
)
