"""Providers (people and organizations who bill, render, refer or supervise) and facilities.

Invariants: NPI valid; an individual has first and last name, an organization a name;
roles are a non-empty subset of billing/rendering/referring/supervising; ``active_to`` is not
before ``active_from``. A facility has a name, an address, a 2-digit place-of-service code and
optionally an NPI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from revcycle.domain.identifiers import Npi, Taxonomy, parse_npi, parse_taxonomy
from revcycle.domain.validation import Checks, invalid
from revcycle.domain.values import (
    Address,
    optional,
    parse_address,
    parse_choice,
    parse_date,
    parse_name,
    parse_text,
)

PROVIDER_KINDS = ("individual", "organization")
PROVIDER_ROLES = ("billing", "rendering", "referring", "supervising")


@dataclass(frozen=True, slots=True)
class Provider:
    kind: str
    npi: Npi
    roles: tuple[str, ...]
    last_name: str  # organization name for organizations
    first_name: str | None = None
    middle_name: str | None = None
    credential: str | None = None
    taxonomy: Taxonomy | None = None
    active_from: date | None = None
    active_to: date | None = None
    id: int | None = None

    @property
    def display_name(self) -> str:
        if self.kind == "organization":
            return self.last_name
        cred = f", {self.credential}" if self.credential else ""
        return f"{self.first_name} {self.last_name}{cred}"

    def active_on(self, day: date) -> bool:
        return (self.active_from is None or self.active_from <= day) and (
            self.active_to is None or day <= self.active_to
        )

    def to_fields(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "npi": self.npi,
            "roles": list(self.roles),
            "last_name": self.last_name,
            "first_name": self.first_name,
            "middle_name": self.middle_name,
            "credential": self.credential,
            "taxonomy": self.taxonomy,
            "active_from": self.active_from,
            "active_to": self.active_to,
        }


def parse_roles(value: object) -> tuple[str, ...]:
    items: Iterable[object]
    if isinstance(value, str):
        items = [r for r in re.split(r"[,\s]+", value) if r]
    elif isinstance(value, list | tuple):
        items = value
    else:
        items = []
    roles = []
    for item in items:
        r = str(item).strip().lower()
        if r not in PROVIDER_ROLES:
            raise invalid("role_unknown", f"roles must be among {', '.join(PROVIDER_ROLES)}")
        if r not in roles:
            roles.append(r)
    if not roles:
        raise invalid("required", f"at least one role among {', '.join(PROVIDER_ROLES)}")
    return tuple(sorted(roles, key=PROVIDER_ROLES.index))


def parse_provider(data: Mapping[str, Any], id: int | None = None) -> Provider:
    c = Checks()
    kind = c.field(
        "kind",
        lambda: parse_choice(str(data.get("kind") or "individual").lower(), PROVIDER_KINDS, "kind"),
    )
    npi = c.field("npi", lambda: parse_npi(str(data.get("npi") or "")))
    roles = c.field("roles", lambda: parse_roles(data.get("roles")))
    if kind == "organization":
        last = c.field("last_name", lambda: parse_text(data.get("last_name"), 60))
        first = None
    else:
        last = c.field("last_name", lambda: parse_name(data.get("last_name"), 60))
        first = c.field("first_name", lambda: parse_name(data.get("first_name"), 35))
    middle_raw = optional(data.get("middle_name"))
    middle = c.field("middle_name", lambda: parse_name(middle_raw, 25)) if middle_raw else None
    cred_raw = optional(data.get("credential"))
    credential = c.field("credential", lambda: parse_text(cred_raw, 20)) if cred_raw else None
    tax_raw = optional(data.get("taxonomy"))
    taxonomy = c.field("taxonomy", lambda: parse_taxonomy(str(tax_raw))) if tax_raw else None
    af_raw, at_raw = optional(data.get("active_from")), optional(data.get("active_to"))
    active_from = c.field("active_from", lambda: parse_date(af_raw)) if af_raw else None
    active_to = c.field("active_to", lambda: parse_date(at_raw)) if at_raw else None
    if active_from and active_to and active_to < active_from:
        c.fail("active_to", "ends_before_start", "is before active_from")
    c.raise_if_any()
    assert kind and npi and roles and last
    return Provider(
        kind, npi, roles, last, first, middle, credential, taxonomy, active_from, active_to, id
    )


@dataclass(frozen=True, slots=True)
class Facility:
    name: str
    address: Address
    place_of_service: str
    npi: Npi | None = None
    id: int | None = None

    def to_fields(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "address": self.address.to_fields(),
            "place_of_service": self.place_of_service,
            "npi": self.npi,
        }


def parse_facility(data: Mapping[str, Any], id: int | None = None) -> Facility:
    c = Checks()
    name = c.field("name", lambda: parse_text(data.get("name"), 60))
    address = c.field(
        "address", lambda: parse_address(data.get("address") or {}, street_required=True)
    )
    pos_raw = str(data.get("place_of_service") or "").strip()
    if not re.fullmatch(r"\d{2}", pos_raw):
        c.fail("place_of_service", "pos_format", "a place-of-service code has 2 digits")
    npi_raw = optional(data.get("npi"))
    npi = c.field("npi", lambda: parse_npi(str(npi_raw))) if npi_raw else None
    c.raise_if_any()
    assert name and address
    return Facility(name, address, pos_raw, npi, id)
