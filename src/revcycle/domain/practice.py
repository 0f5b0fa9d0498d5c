"""The practice: the tenant every other record belongs to, and the billing provider of claims.

Invariants: the TIN and group NPI are valid; the billing address is a street address (not a PO
box) with a ZIP+4, as the 837 loop 2010AA requires; a pay-to address, when given, is valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from revcycle.domain.identifiers import (
    Npi,
    Phone,
    Taxonomy,
    Tin,
    parse_npi,
    parse_phone,
    parse_taxonomy,
    parse_tin,
)
from revcycle.domain.validation import Checks
from revcycle.domain.values import Address, optional, parse_address, parse_text


@dataclass(frozen=True, slots=True)
class Practice:
    legal_name: str
    tin: Tin
    group_npi: Npi
    taxonomy: Taxonomy
    billing_address: Address
    phone: Phone
    pay_to_address: Address | None = None
    id: int | None = None

    def to_fields(self) -> dict[str, Any]:
        return {
            "legal_name": self.legal_name,
            "tin": self.tin,
            "group_npi": self.group_npi,
            "taxonomy": self.taxonomy,
            "billing_address": self.billing_address.to_fields(),
            "pay_to_address": self.pay_to_address.to_fields() if self.pay_to_address else None,
            "phone": self.phone,
        }


def parse_practice(data: Mapping[str, Any], id: int | None = None) -> Practice:
    c = Checks()
    name = c.field("legal_name", lambda: parse_text(data.get("legal_name"), 60))
    tin = c.field("tin", lambda: parse_tin(str(data.get("tin") or "")))
    npi = c.field("group_npi", lambda: parse_npi(str(data.get("group_npi") or "")))
    tax = c.field("taxonomy", lambda: parse_taxonomy(str(data.get("taxonomy") or "")))
    billing = c.field(
        "billing_address",
        lambda: parse_address(
            data.get("billing_address") or {}, street_required=True, zip9_required=True
        ),
    )
    pay_to_raw = data.get("pay_to_address")
    pay_to = (
        c.field("pay_to_address", lambda: parse_address(pay_to_raw))
        if isinstance(pay_to_raw, Mapping) and optional(pay_to_raw.get("line1"))
        else None
    )
    phone = c.field("phone", lambda: parse_phone(str(data.get("phone") or "")))
    c.raise_if_any()
    assert name and tin and npi and tax and billing and phone
    return Practice(name, tin, npi, tax, billing, phone, pay_to, id)
