"""Prior authorizations and referrals: what a payer approved for a patient, and what is used.

Invariants: a number; dates in order; units approved > 0 and used <= approved; the service
codes it covers (empty means any service). ``covers`` answers the scrubber's question: does
this authorization cover this procedure on this date with these many units left?
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from revcycle.domain.validation import Checks
from revcycle.domain.values import optional, parse_date, parse_int, parse_text

AUTH_KINDS = ("authorization", "referral")


@dataclass(frozen=True, slots=True)
class Authorization:
    patient_id: int
    payer_id: int
    kind: str
    number: str
    start: date
    end: date
    service_codes: tuple[str, ...] = ()
    units_approved: int | None = None
    units_used: int = 0
    provider_id: int | None = None
    id: int | None = None

    @property
    def units_left(self) -> int | None:
        return None if self.units_approved is None else self.units_approved - self.units_used

    def covers(self, procedure: str, day: date, units: int = 1) -> bool:
        if not self.start <= day <= self.end:
            return False
        if self.service_codes and procedure not in self.service_codes:
            return False
        left = self.units_left
        return left is None or left >= units


def parse_authorization(
    data: Mapping[str, Any], *, patient_id: int, payer_id: int
) -> Authorization:
    c = Checks()
    kind = str(data.get("kind") or "authorization").strip().lower()
    if kind not in AUTH_KINDS:
        c.fail("kind", "kind_unknown", "must be authorization or referral")
    number = c.field("number", lambda: parse_text(data.get("number"), 50))
    start = c.field("start", lambda: parse_date(data.get("start")))
    end = c.field("end", lambda: parse_date(data.get("end")))
    if start and end and end < start:
        c.fail("end", "ends_before_start", "is before the start date")
    raw_codes = data.get("service_codes") or ()
    codes = tuple(
        s.strip().upper()
        for s in (re.split(r"[\s,;]+", raw_codes) if isinstance(raw_codes, str) else raw_codes)
        if s.strip()
    )
    for code in codes:
        if not re.fullmatch(r"\d{5}|\d{4}[FTU]|[A-V]\d{4}", code):
            c.fail("service_codes", "procedure_format", "lists CPT or HCPCS codes")
            break
    approved_raw = optional(data.get("units_approved"))
    approved = (
        c.field("units_approved", lambda: parse_int(approved_raw, 1, 100000))
        if approved_raw is not None
        else None
    )
    used = c.field("units_used", lambda: parse_int(data.get("units_used") or 0, 0, 100000)) or 0
    if approved is not None and used > approved:
        c.fail("units_used", "over_approved", "exceeds the units approved")
    prov_raw = optional(data.get("provider_id"))
    provider = (
        c.field("provider_id", lambda: parse_int(prov_raw, 1, 2**62))
        if prov_raw is not None
        else None
    )
    c.raise_if_any()
    assert number and start and end
    return Authorization(
        patient_id, payer_id, kind, number, start, end, codes, approved, used, provider
    )
