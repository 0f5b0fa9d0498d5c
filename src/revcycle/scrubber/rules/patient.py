"""Patient, coverage and eligibility rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from revcycle.codesets import Finding
from revcycle.domain.errors import DomainValidationError
from revcycle.domain.identifiers import parse_mbi
from revcycle.scrubber.inputs import ScrubInput
from revcycle.scrubber.registry import Rule, finding


def birth_date(inp: ScrubInput) -> Iterator[Finding]:
    """R09: the date of birth is not after the day the claim is made, and the age is under 150."""
    dob = inp.patient.dob
    if dob > inp.today:
        yield finding("R09", "the date of birth is in the future", "patient.dob")
    elif inp.patient.age_on(inp.today) >= 150:
        yield finding("R09", "the patient would be 150 or older", "patient.dob")


def service_dates(inp: ScrubInput) -> Iterator[Finding]:
    """R10: no date of service in the future, before birth or after death (CARC 13/14)."""
    p = inp.patient
    for n, line in enumerate(inp.claim.lines, start=1):
        day, end = line.service_date, line.service_date_end or line.service_date
        where = f"lines[{n}].service_date"
        if end > inp.today:
            yield finding("R10", "the date of service is in the future", where)
        if day < p.dob:
            yield finding("R10", "the date of service is before the date of birth", where)
        if p.date_of_death is not None and end > p.date_of_death:
            yield finding("R10", "the date of service is after the date of death", where)


def coverage_dates(inp: ScrubInput) -> Iterator[Finding]:
    """R11: every date of service lies within the coverage's dates from registration, and within
    the plan dates of the latest 271 when there is one (CARC 26/27)."""
    cov, elig = inp.coverage, inp.eligibility
    for n, line in enumerate(inp.claim.lines, start=1):
        day = line.service_date
        where = f"lines[{n}].service_date"
        if not cov.active_on(day):
            yield finding("R11", f"coverage is not in effect on {day}", where)
        elif elig is not None and (
            not elig.active
            or (elig.active_from and day < elig.active_from)
            or (elig.active_to and day > elig.active_to)
        ):
            yield finding(
                "R11", f"the payer's eligibility response shows no coverage on {day}", where
            )


def eligibility_match(inp: ScrubInput) -> Iterator[Finding]:
    """R12: the member ID and subscriber name match what the payer returned on the latest 271
    (CARC 31/140). Without a 271 there is nothing to compare."""
    elig = inp.eligibility
    if elig is None:
        return
    sub = inp.claim.subscriber
    if elig.member_id.upper() != sub.member_id.upper():
        yield finding(
            "R12",
            "the member ID differs from the payer's eligibility response",
            "subscriber.member_id",
        )
    if elig.subscriber_last_name.upper() != sub.person.last_name.upper():
        yield finding(
            "R12",
            "the subscriber's last name differs from the payer's response",
            "subscriber.last_name",
        )
    elif (
        elig.subscriber_first_name
        and elig.subscriber_first_name[:1].upper() != sub.person.first_name[:1].upper()
    ):
        yield finding(
            "R12",
            "the subscriber's first name differs from the payer's response",
            "subscriber.first_name",
        )


def timely_filing(inp: ScrubInput) -> Iterator[Finding]:
    """R13: the claim goes out within the payer's timely filing limit counted from the date of
    service (Medicare: 12 months; commercial often 90-180 days; the payer's record or the payer
    rules file gives it). Within 14 days of the limit: a warning (CARC 29)."""
    limit = inp.payer_rule.timely_filing_days or inp.payer.timely_filing_days
    deadline = inp.dos + timedelta(days=limit)
    if inp.today > deadline:
        yield finding(
            "R13",
            f"past the timely filing limit of {limit} days (deadline {deadline})",
            "service_date",
        )
    elif inp.today > deadline - timedelta(days=14):
        yield finding(
            "R13", f"timely filing deadline {deadline} is near", "service_date", "warning"
        )


def medicare_mbi(inp: ScrubInput) -> Iterator[Finding]:
    """R33: a Medicare member ID is an MBI (11 characters; no S, L, O, I, B, Z) (CARC 31)."""
    if inp.claim.subscriber.claim_filing_indicator not in ("MA", "MB"):
        return
    try:
        parse_mbi(inp.claim.subscriber.member_id)
    except DomainValidationError:
        yield finding("R33", "the Medicare member ID is not an MBI", "subscriber.member_id")


def other_payer_primary(inp: ScrubInput) -> Iterator[Finding]:
    """R39: the latest 271 names another payer as primary (EB*R with loop 2120), but the claim
    goes to this payer as primary with no prior payer on it: coordination of benefits must be
    fixed first (CARC 22, "may be covered by another payer")."""
    elig = inp.eligibility
    if elig is None or not elig.other_payer_primary:
        return
    if inp.claim.subscriber.payer_responsibility == "P" and not inp.claim.other_payers:
        yield finding(
            "R39",
            f"the payer's eligibility response names {elig.other_payer_primary} as primary",
            "subscriber.payer_responsibility",
        )


RULES = (
    Rule("R09", "plausible date of birth", birth_date),
    Rule("R10", "dates of service plausible", service_dates),
    Rule("R11", "service within coverage dates", coverage_dates),
    Rule("R12", "member matches eligibility", eligibility_match),
    Rule("R13", "within timely filing", timely_filing),
    Rule("R33", "Medicare member ID is an MBI", medicare_mbi),
    Rule("R39", "no other payer primary per eligibility", other_payer_primary),
)
