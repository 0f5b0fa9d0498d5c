"""Parsers for plain values shared by the entities: text, dates, choices, addresses, people.

Each parser takes what a CSV cell, CLI option or JSON field gives (text, a ``date`` or
``None``) and returns a typed value or raises ``DomainValidationError`` via ``invalid``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from revcycle.domain.errors import DomainValidationError
from revcycle.domain.identifiers import Phone, StateCode, Zip, parse_phone, parse_state, parse_zip
from revcycle.domain.validation import Checks, invalid

EARLIEST_DOB = date(1880, 1, 1)


def parse_date(value: object) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        v = value.strip()
        try:
            return date.fromisoformat(v)
        except ValueError:
            pass
        m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", v)
        if m:
            try:
                return date(int(m[3]), int(m[1]), int(m[2]))
            except ValueError:
                pass
    raise invalid("date_format", "not a date (use YYYY-MM-DD)")


def optional(value: object) -> object | None:
    """``None`` for absent or blank input."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def parse_text(value: object, max_len: int = 60) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid("required", "is required")
    v = " ".join(value.split())
    if len(v) > max_len:
        raise invalid("too_long", f"is longer than {max_len} characters")
    return v


def parse_name(value: object, max_len: int = 60) -> str:
    v = parse_text(value, max_len)
    if not re.fullmatch(r"[A-Za-z][A-Za-z .'\-]*", v):
        raise invalid("name_characters", "may hold letters, spaces, periods, apostrophes, dashes")
    return v


def parse_choice(value: object, choices: Iterable[str], what: str) -> str:
    """One of ``choices``, matched without regard to case; returns the canonical spelling."""
    options = list(choices)
    by_key = {o.lower(): o for o in options}
    key = value.strip().lower() if isinstance(value, str) else None
    if key is None or key not in by_key:
        raise invalid(f"{what}_unknown", f"must be one of {', '.join(options)}")
    return by_key[key]


_PO_BOX = re.compile(r"\b(P\.?\s*O\.?\s*BOX|POST\s+OFFICE\s+BOX|POB)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    city: str
    state: StateCode
    zip: Zip
    line2: str | None = None

    @property
    def is_po_box(self) -> bool:
        return bool(_PO_BOX.search(self.line1) or (self.line2 and _PO_BOX.search(self.line2)))

    def to_fields(self) -> dict[str, Any]:
        return {
            "line1": self.line1,
            "line2": self.line2,
            "city": self.city,
            "state": self.state,
            "zip": self.zip,
        }


def parse_address(
    data: Mapping[str, Any], *, street_required: bool = False, zip9_required: bool = False
) -> Address:
    """An address from ``line1, line2, city, state, zip``.

    ``street_required`` refuses a PO box (the 837 billing provider address must be a street);
    ``zip9_required`` demands ZIP+4 (also required there).
    """
    c = Checks()
    line1 = c.field("line1", lambda: parse_text(data.get("line1"), 55))
    line2_raw = optional(data.get("line2"))
    line2 = c.field("line2", lambda: parse_text(line2_raw, 55)) if line2_raw else None
    city = c.field("city", lambda: parse_text(data.get("city"), 30))
    state = c.field("state", lambda: parse_state(str(data.get("state") or "")))
    zip_ = c.field("zip", lambda: parse_zip(str(data.get("zip") or "")))
    if zip_ and zip9_required and len(zip_) != 9:
        c.fail("zip", "zip9_required", "this address needs a 9-digit ZIP+4")
    c.raise_if_any()
    assert line1 and city and state and zip_
    addr = Address(line1=line1, line2=line2, city=city, state=state, zip=zip_)
    if street_required and addr.is_po_box:
        raise DomainValidationError.single(
            "line1", "po_box", "must be a street address, not a PO box"
        )
    return addr


def parse_optional_phone(value: object) -> Phone | None:
    v = optional(value)
    return parse_phone(str(v)) if v is not None else None


SEX_CODES = ("F", "M", "U")


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    v = str(value).strip().lower()
    if v in ("1", "true", "yes", "y"):
        return True
    if v in ("0", "false", "no", "n", ""):
        return False
    raise invalid("boolean", "must be yes or no")


def parse_int(value: object, low: int, high: int, unit: str = "") -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise invalid("integer", "must be a whole number") from None
    if not low <= number <= high:
        raise invalid("range", f"must be between {low} and {high}{' ' + unit if unit else ''}")
    return number
