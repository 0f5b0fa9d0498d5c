"""Identifiers and small value types with their format rules.

- ``Npi``: 10 digits, the last a Luhn check digit computed over the prefix 80840 + the first
  nine digits (CMS, "Requirements for National Provider Identifier check digit").
- ``Tin``: a federal tax ID, 9 digits (EIN or SSN), stored without punctuation.
- ``Mbi``: Medicare Beneficiary Identifier, 11 characters in the CMS pattern
  C A AN N A AN N A A N N, where letters exclude S, L, O, I, B and Z.
- ``Zip``: 5 or 9 digits (ZIP+4), stored without the hyphen.
- ``StateCode``: USPS codes of the states, DC, territories and military "states".
- ``Phone``: 10-digit North American number.
- ``Taxonomy``: NUCC provider taxonomy code, 10 characters ending in X.

Every parser raises ``DomainValidationError`` (via ``invalid``) with a reason code and never
echoes the rejected value, so errors can be logged without PHI.
"""

from __future__ import annotations

import re
from typing import NewType

from revcycle.domain.validation import invalid

Npi = NewType("Npi", str)
Tin = NewType("Tin", str)
Mbi = NewType("Mbi", str)
Zip = NewType("Zip", str)
StateCode = NewType("StateCode", str)
Phone = NewType("Phone", str)
Taxonomy = NewType("Taxonomy", str)

_DIGITS_10 = re.compile(r"^\d{10}$")


def npi_check_digit(first_nine: str) -> int:
    """The Luhn check digit of an NPI, over "80840" + the first nine digits."""
    total = 0
    for i, ch in enumerate(reversed("80840" + first_nine)):
        d = int(ch)
        if i % 2 == 0:  # rightmost digit of the payload is doubled (the check digit follows it)
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def parse_npi(value: str) -> Npi:
    v = value.strip()
    if not _DIGITS_10.match(v):
        raise invalid("npi_format", "an NPI has exactly 10 digits")
    if npi_check_digit(v[:9]) != int(v[9]):
        raise invalid("npi_check_digit", "the NPI check digit is wrong")
    return Npi(v)


def parse_tin(value: str) -> Tin:
    v = value.strip().replace("-", "")
    if not re.fullmatch(r"\d{9}", v):
        raise invalid("tin_format", "a TIN has 9 digits (EIN 12-3456789 or SSN)")
    if v == "000000000":
        raise invalid("tin_format", "a TIN cannot be all zeros")
    return Tin(v)


_MBI_LETTER = "ACDEFGHJKMNPQRTUVWXY"
_MBI_RE = re.compile(
    rf"^[1-9][{_MBI_LETTER}][{_MBI_LETTER}0-9]\d[{_MBI_LETTER}][{_MBI_LETTER}0-9]\d"
    rf"[{_MBI_LETTER}][{_MBI_LETTER}]\d\d$"
)


def parse_mbi(value: str) -> Mbi:
    v = value.strip().upper().replace("-", "")
    if not _MBI_RE.match(v):
        raise invalid(
            "mbi_format",
            "a Medicare member ID must be an MBI: 11 characters like 1EG4-TE5-MK73 "
            "(no S, L, O, I, B or Z)",
        )
    return Mbi(v)


def parse_zip(value: str) -> Zip:
    v = value.strip().replace("-", "")
    if not re.fullmatch(r"\d{5}(\d{4})?", v):
        raise invalid("zip_format", "a ZIP code has 5 or 9 digits")
    return Zip(v)


STATE_CODES: frozenset[str] = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "AS",
        "GU",
        "MP",
        "PR",
        "VI",
        "UM",
        "FM",
        "MH",
        "PW",
        "AA",
        "AE",
        "AP",
    ]
)


def parse_state(value: str) -> StateCode:
    v = value.strip().upper()
    if v not in STATE_CODES:
        raise invalid("state_unknown", "not a US state or territory code (USPS, 2 letters)")
    return StateCode(v)


def parse_phone(value: str) -> Phone:
    digits = re.sub(r"[\s().+-]", "", value.strip())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if not re.fullmatch(r"[2-9]\d{2}[2-9]\d{6}", digits):
        raise invalid("phone_format", "a phone number has 10 digits (area code first)")
    return Phone(digits)


def parse_taxonomy(value: str) -> Taxonomy:
    v = value.strip().upper()
    if not re.fullmatch(r"[0-9A-Z]{9}X", v):
        raise invalid("taxonomy_format", "a taxonomy code has 10 characters ending in X")
    return Taxonomy(v)


def parse_email(value: str) -> str:
    v = value.strip()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v) or len(v) > 254:
        raise invalid("email_format", "not an email address")
    return v


def parse_payer_id(value: str) -> str:
    """Clearinghouse payer ID: 2 to 80 letters, digits or dashes (X12 NM109 of loop 2010BB)."""
    v = value.strip().upper()
    if not re.fullmatch(r"[A-Z0-9-]{2,80}", v):
        raise invalid("payer_id_format", "a payer ID has 2 to 80 letters or digits")
    return v
