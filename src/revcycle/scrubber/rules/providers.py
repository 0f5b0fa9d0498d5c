"""Provider rules: identifiers, addresses, taxonomy and enrollment."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from revcycle.codesets import Finding
from revcycle.domain.claim import Provider
from revcycle.domain.identifiers import npi_check_digit
from revcycle.scrubber.inputs import ScrubInput
from revcycle.scrubber.registry import Rule, finding

_PO_BOX = re.compile(
    r"\b(P\.?\s*O\.?\s*BOX|POST\s+OFFICE\s+BOX|POB|LOCK\s*BOX|LOCKBOX)\b", re.IGNORECASE
)


def _named_providers(inp: ScrubInput) -> Iterator[tuple[str, Provider]]:
    c = inp.claim
    yield "billing_provider", c.billing_provider
    for name in (
        "rendering_provider",
        "referring_provider",
        "supervising_provider",
        "service_facility",
    ):
        p = getattr(c, name)
        if p is not None:
            yield name, p
    if c.institutional is not None:
        for name in ("attending_provider", "operating_provider"):
            p = getattr(c.institutional, name)
            if p is not None:
                yield f"institutional.{name}", p


@lru_cache(maxsize=65536)
def _npi_ok(npi: str) -> bool:
    return bool(re.fullmatch(r"[12]\d{9}", npi)) and npi_check_digit(npi[:9]) == int(npi[9])


def npi_valid(inp: ScrubInput) -> Iterator[Finding]:
    """R04: every NPI on the claim has 10 digits, starts with 1 or 2 and passes the Luhn check
    over the prefix 80840 (CMS NPI check-digit rule). Payers deny with CARC 207/208."""
    for where, p in _named_providers(inp):
        npi = p.npi
        if not npi:
            continue
        if not _npi_ok(npi):
            yield finding("R04", f"NPI {npi} is not a valid NPI", f"{where}.npi")


def billing_tin(inp: ScrubInput) -> Iterator[Finding]:
    """R05: the billing provider's tax ID (REF*EI) has exactly 9 digits."""
    if not re.fullmatch(r"\d{9}", inp.claim.billing_provider.tax_id or ""):
        yield finding(
            "R05", "the billing provider's TIN must have 9 digits", "billing_provider.tax_id"
        )


def billing_identifier(inp: ScrubInput) -> Iterator[Finding]:
    """R06: the billing provider has an identifier (its NPI)."""
    if not inp.claim.billing_provider.npi:
        yield finding("R06", "the billing provider has no NPI", "billing_provider.npi")


def billing_street_address(inp: ScrubInput) -> Iterator[Finding]:
    """R07: the billing provider address (2010AA) is a street address, not a PO box or lock box;
    those belong in the pay-to address (2010AB). Source: 837P TR3 2010AA N3 note."""
    a = inp.claim.billing_provider.address
    if a is not None and (_PO_BOX.search(a.line1) or _PO_BOX.search(a.line2)):
        yield finding(
            "R07",
            "the billing address is a PO box; put it in the pay-to address",
            "billing_provider.address",
        )


def zip_nine_digits(inp: ScrubInput) -> Iterator[Finding]:
    """R08: the billing provider's and the service facility's ZIP codes have 9 digits."""
    c = inp.claim
    for where, p in (
        ("billing_provider", c.billing_provider),
        ("service_facility", c.service_facility),
    ):
        if (
            p is not None
            and p.address is not None
            and not re.fullmatch(r"\d{9}", p.address.postal_code)
        ):
            yield finding("R08", "the ZIP code needs all 9 digits (ZIP+4)", f"{where}.address.zip")


# Procedure ranges that only some specialties may perform: (low, high, taxonomy prefixes).
_SPECIALTY_RANGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("00100", "01999", ("207L", "3675", "367H")),  # anesthesia: anesthesiologists, CRNAs, AAs
    (
        "59400",
        "59899",
        ("207V", "207Q", "207R", "367A", "363LX"),
    ),  # deliveries: OB/GYN, FM, IM, midwives
    (
        "70010",
        "79999",
        ("2085", "207Q", "207R", "261Q", "282N", "207X", "207W", "207RC"),
    ),  # radiology
)


def taxonomy(inp: ScrubInput) -> Iterator[Finding]:
    """R28: the rendering provider's taxonomy is on the claim where the payer requires it, and
    the specialty fits procedures reserved to some specialties (anesthesia, deliveries,
    radiology interpretation). Payers deny with CARC 8."""
    r = inp.claim.rendering_provider
    if r is None:
        return
    if not r.taxonomy:
        if inp.payer_rule.taxonomy_required:
            yield finding(
                "R28",
                "the payer requires the rendering provider's taxonomy",
                "rendering_provider.taxonomy",
            )
        return
    for n, line in enumerate(inp.claim.lines, start=1):
        code = line.procedure_code
        for low, high, prefixes in _SPECIALTY_RANGES:
            if code.isdigit() and low <= code <= high and not r.taxonomy.startswith(prefixes):
                yield finding(
                    "R28",
                    f"{code} is not usually billed by taxonomy {r.taxonomy}",
                    f"lines[{n}].procedure",
                    "warning",
                )


def enrolled(inp: ScrubInput) -> Iterator[Finding]:
    """R35: the rendering provider (or the whole group) is enrolled for EDI claims with the payer
    on the date of service. Payers deny with CARC B7."""
    dos = inp.dos
    rendering_id = inp.rendering.id
    for e in inp.enrollments:
        if e.provider_id not in (None, rendering_id) or not e.edi:
            continue
        if e.effective <= dos and (e.termination is None or dos <= e.termination):
            return
    yield finding(
        "R35",
        f"neither the rendering provider nor the group is enrolled with {inp.payer.name} on {dos}",
        "rendering_provider",
    )


RULES = (
    Rule("R04", "valid NPIs", npi_valid),
    Rule("R05", "billing TIN has 9 digits", billing_tin),
    Rule("R06", "billing provider identified", billing_identifier),
    Rule("R07", "billing address not a PO box", billing_street_address),
    Rule("R08", "9-digit ZIP for billing and facility", zip_nine_digits),
    Rule("R28", "taxonomy present and fitting", taxonomy),
    Rule("R35", "provider enrolled with the payer", enrolled),
)
