"""Insurance coverage of a patient: who pays, in which order, for which member.

Invariants:
- a member ID is present; for a Medicare plan (claim filing indicator MA/MB) it is an MBI;
- the subscriber is the patient (relationship 18) or another person with name, date of birth,
  sex and address; the relationship is one of the 837 individual relationship codes;
- the termination date is not before the effective date;
- a Medicare coverage billed as secondary or tertiary names the Medicare secondary payer
  insurance type (837 SBR05, e.g. 12 working aged, 47 other liability);
- order is primary, secondary or tertiary; that a secondary has a primary (and a tertiary a
  secondary) over overlapping dates is checked against the patient's other coverages by
  :func:`check_coordination`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from revcycle.domain.errors import DomainValidationError, FieldError
from revcycle.domain.identifiers import parse_mbi
from revcycle.domain.patient import Person, parse_person
from revcycle.domain.payer import Plan
from revcycle.domain.validation import Checks, invalid
from revcycle.domain.values import optional, parse_choice, parse_date, parse_text

#: 837 loop 2000B/2000C individual relationship codes (SBR02 / PAT01).
RELATIONSHIP_CODES: dict[str, str] = {
    "01": "Spouse",
    "18": "Self",
    "19": "Child",
    "20": "Employee",
    "21": "Unknown",
    "39": "Organ donor",
    "40": "Cadaver donor",
    "53": "Life partner",
    "G8": "Other relationship",
}
SELF = "18"

#: 837 SBR05 Medicare secondary payer insurance type codes.
MEDICARE_SECONDARY_TYPES: dict[str, str] = {
    "12": "Medicare secondary working aged beneficiary or spouse with employer group health plan",
    "13": "Medicare secondary end-stage renal disease beneficiary in the 30-month coordination period",
    "14": "Medicare secondary, no-fault insurance including auto is primary",
    "15": "Medicare secondary worker's compensation",
    "16": "Medicare secondary public health service or other federal agency",
    "41": "Medicare secondary black lung",
    "42": "Medicare secondary veteran's administration",
    "43": "Medicare secondary disabled beneficiary under age 65 with large group health plan",
    "47": "Medicare secondary, other liability insurance is primary",
}

ORDERS = ("primary", "secondary", "tertiary")
ORDER_LETTER = {"primary": "P", "secondary": "S", "tertiary": "T"}


@dataclass(frozen=True, slots=True)
class Coverage:
    patient_id: int
    plan_id: int
    order: str
    member_id: str
    relationship: str
    effective: date
    group_number: str | None = None
    subscriber: Person | None = None  # None when the patient is the subscriber
    termination: date | None = None
    insurance_type_code: str | None = None
    id: int | None = None

    def active_on(self, day: date) -> bool:
        return self.effective <= day and (self.termination is None or day <= self.termination)

    def overlaps(self, other: Coverage) -> bool:
        far = date.max
        return self.effective <= (other.termination or far) and other.effective <= (
            self.termination or far
        )

    def to_fields(self) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id,
            "order": self.order,
            "member_id": self.member_id,
            "group_number": self.group_number,
            "relationship": self.relationship,
            "subscriber": self.subscriber.to_fields() if self.subscriber else None,
            "effective": self.effective,
            "termination": self.termination,
            "insurance_type_code": self.insurance_type_code,
        }


def parse_member_id(value: object, plan: Plan | None) -> str:
    v = str(value or "").strip().upper()
    if not v:
        raise invalid("required", "is required")
    if plan is not None and plan.is_medicare:
        return parse_mbi(v)
    if len(v) > 80 or not re.fullmatch(r"[A-Z0-9-]+", v):
        raise invalid("member_id_format", "may hold up to 80 letters, digits and dashes")
    return v


def parse_coverage(
    data: Mapping[str, Any], *, patient_id: int, plan: Plan, today: date, id: int | None = None
) -> Coverage:
    c = Checks()
    assert plan.id is not None
    order = c.field(
        "order", lambda: parse_choice(str(data.get("order") or "primary").lower(), ORDERS, "order")
    )
    member_id = c.field("member_id", lambda: parse_member_id(data.get("member_id"), plan))
    grp_raw = optional(data.get("group_number"))
    group = c.field("group_number", lambda: parse_text(grp_raw, 50)) if grp_raw else None
    rel = c.field(
        "relationship",
        lambda: parse_choice(
            str(data.get("relationship") or SELF), RELATIONSHIP_CODES, "relationship"
        ),
    )
    subscriber = None
    if rel and rel != SELF:
        sub_raw = data.get("subscriber")
        if not isinstance(sub_raw, Mapping) or not any(optional(v) for v in sub_raw.values()):
            c.fail("subscriber", "required", "is required when the patient is not the subscriber")
        else:
            subscriber = c.field("subscriber", lambda: parse_person(sub_raw, today, full=True))
    eff = c.field("effective", lambda: parse_date(data.get("effective")))
    term_raw = optional(data.get("termination"))
    term = c.field("termination", lambda: parse_date(term_raw)) if term_raw else None
    if eff and term and term < eff:
        c.fail("termination", "ends_before_start", "is before the effective date")
    itc_raw = optional(data.get("insurance_type_code"))
    itc = (
        c.field(
            "insurance_type_code",
            lambda: parse_choice(str(itc_raw), MEDICARE_SECONDARY_TYPES, "insurance_type_code"),
        )
        if itc_raw
        else None
    )
    if plan.is_medicare and order in ("secondary", "tertiary") and not itc_raw:
        c.fail(
            "insurance_type_code",
            "required",
            "is required when Medicare is not primary (the Medicare secondary payer type, e.g. 12)",
        )
    if itc and not plan.is_medicare:
        c.fail("insurance_type_code", "not_medicare", "applies only to Medicare coverage")
    c.raise_if_any()
    assert order and member_id and rel and eff
    return Coverage(
        patient_id, plan.id, order, member_id, rel, eff, group, subscriber, term, itc, id
    )


def check_coordination(coverage: Coverage, others: Iterable[Coverage]) -> None:
    """Refuse a secondary without a primary (or tertiary without a secondary) over its dates,
    and two coverages in the same order over overlapping dates."""
    others = [o for o in others if o.id is None or o.id != coverage.id]
    index = ORDERS.index(coverage.order)
    for o in others:
        if o.order == coverage.order and o.overlaps(coverage):
            raise DomainValidationError(
                [
                    FieldError(
                        "order",
                        "order_taken",
                        f"the patient already has {coverage.order} coverage over these dates",
                    )
                ]
            )
    if index > 0:
        needed = ORDERS[index - 1]
        if not any(o.order == needed and o.overlaps(coverage) for o in others):
            raise DomainValidationError(
                [
                    FieldError(
                        "order",
                        f"no_{needed}",
                        f"a {coverage.order} coverage needs a {needed} coverage over the same dates",
                    )
                ]
            )
