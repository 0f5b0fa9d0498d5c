"""Payers, the plans they sell, and the practice's enrollment with them.

A payer is known to the clearinghouse by its payer ID and reached over a named route. One payer
sells many plans; each plan carries the claim filing indicator (837 SBR09) used on claims. An
enrollment records whether the practice (or one provider) is enrolled for EDI claims, ERA and
EFT with the payer, and whether it participates (in network), with effective dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from revcycle.domain.identifiers import parse_payer_id
from revcycle.domain.validation import Checks
from revcycle.domain.values import (
    Address,
    optional,
    parse_address,
    parse_bool,
    parse_choice,
    parse_date,
    parse_int,
    parse_text,
)

#: 837 SBR09 claim filing indicator codes with their meaning.
CLAIM_FILING_INDICATORS: dict[str, str] = {
    "11": "Other non-federal programs",
    "12": "Preferred provider organization (PPO)",
    "13": "Point of service (POS)",
    "14": "Exclusive provider organization (EPO)",
    "15": "Indemnity insurance",
    "16": "Health maintenance organization (HMO) Medicare risk",
    "17": "Dental maintenance organization",
    "AM": "Automobile medical",
    "BL": "Blue Cross/Blue Shield",
    "CH": "CHAMPUS (TRICARE)",
    "CI": "Commercial insurance",
    "DS": "Disability",
    "FI": "Federal Employees Program",
    "HM": "Health maintenance organization",
    "LM": "Liability medical",
    "MA": "Medicare Part A",
    "MB": "Medicare Part B",
    "MC": "Medicaid",
    "OF": "Other federal program",
    "TV": "Title V",
    "VA": "Veterans Affairs plan",
    "WC": "Workers' compensation health claim",
    "ZZ": "Mutually defined",
}
MEDICARE_INDICATORS = frozenset({"MA", "MB"})

#: Payer classes used by reports (aging by payer class, payer mix).
PAYER_CLASSES = (
    "medicare",
    "medicare_advantage",
    "medicaid",
    "commercial",
    "bcbs",
    "tricare",
    "workers_comp",
    "auto",
    "other",
)

PARTICIPATION = ("participating", "non_participating")


@dataclass(frozen=True, slots=True)
class Payer:
    name: str
    payer_id: str
    payer_class: str
    timely_filing_days: int
    route: str
    address: Address | None = None
    id: int | None = None

    def to_fields(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "payer_id": self.payer_id,
            "payer_class": self.payer_class,
            "timely_filing_days": self.timely_filing_days,
            "route": self.route,
            "address": self.address.to_fields() if self.address else None,
        }


def parse_payer(data: Mapping[str, Any], id: int | None = None) -> Payer:
    c = Checks()
    name = c.field("name", lambda: parse_text(data.get("name"), 60))
    payer_id = c.field("payer_id", lambda: parse_payer_id(str(data.get("payer_id") or "")))
    payer_class = c.field(
        "payer_class",
        lambda: parse_choice(
            str(data.get("payer_class") or "commercial").lower(), PAYER_CLASSES, "payer_class"
        ),
    )
    tfd = data.get("timely_filing_days")
    days = c.field(
        "timely_filing_days", lambda: parse_int(365 if tfd in (None, "") else tfd, 1, 3650, "days")
    )
    route = c.field("route", lambda: parse_text(data.get("route") or "default", 40))
    addr_raw = data.get("address")
    address = (
        c.field("address", lambda: parse_address(addr_raw))
        if isinstance(addr_raw, Mapping) and optional(addr_raw.get("line1"))
        else None
    )
    c.raise_if_any()
    assert name and payer_id and payer_class and days and route
    return Payer(name, payer_id, payer_class, days, route, address, id)


@dataclass(frozen=True, slots=True)
class Plan:
    payer_id: int
    name: str
    plan_type: str
    claim_filing_indicator: str
    id: int | None = None

    @property
    def is_medicare(self) -> bool:
        return self.claim_filing_indicator in MEDICARE_INDICATORS

    def to_fields(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "plan_type": self.plan_type,
            "claim_filing_indicator": self.claim_filing_indicator,
        }


def parse_plan(data: Mapping[str, Any], payer_id: int, id: int | None = None) -> Plan:
    c = Checks()
    name = c.field("name", lambda: parse_text(data.get("name"), 60))
    plan_type = c.field("plan_type", lambda: parse_text(data.get("plan_type") or "other", 30))
    cfi = c.field(
        "claim_filing_indicator",
        lambda: parse_choice(
            str(data.get("claim_filing_indicator") or ""),
            CLAIM_FILING_INDICATORS,
            "claim_filing_indicator",
        ),
    )
    c.raise_if_any()
    assert name and plan_type and cfi
    return Plan(payer_id, name, plan_type, cfi, id)


@dataclass(frozen=True, slots=True)
class Enrollment:
    payer_id: int
    provider_id: int | None  # None: the whole practice (group enrollment)
    edi: bool
    era: bool
    eft: bool
    participation: str
    effective: date
    termination: date | None = None
    id: int | None = None

    def to_fields(self) -> dict[str, Any]:
        return {
            "provider_id": self.provider_id,
            "edi": self.edi,
            "era": self.era,
            "eft": self.eft,
            "participation": self.participation,
            "effective": self.effective,
            "termination": self.termination,
        }


def parse_enrollment(data: Mapping[str, Any], payer_id: int, id: int | None = None) -> Enrollment:
    c = Checks()
    prov_raw = optional(data.get("provider_id"))
    provider_id = int(str(prov_raw)) if prov_raw is not None and str(prov_raw).isdigit() else None
    if prov_raw is not None and provider_id is None:
        c.fail("provider_id", "integer", "must be a provider id")
    edi = c.field("edi", lambda: parse_bool(data.get("edi", True)))
    era = c.field("era", lambda: parse_bool(data.get("era", False)))
    eft = c.field("eft", lambda: parse_bool(data.get("eft", False)))
    part = c.field(
        "participation",
        lambda: parse_choice(
            str(data.get("participation") or "participating").lower(),
            PARTICIPATION,
            "participation",
        ),
    )
    eff = c.field("effective", lambda: parse_date(data.get("effective")))
    term_raw = optional(data.get("termination"))
    term = c.field("termination", lambda: parse_date(term_raw)) if term_raw else None
    if eff and term and term < eff:
        c.fail("termination", "ends_before_start", "is before the effective date")
    c.raise_if_any()
    assert part and eff and edi is not None and era is not None and eft is not None
    return Enrollment(payer_id, provider_id, edi, era, eft, part, eff, term, id)
