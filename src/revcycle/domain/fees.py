"""The practice's chargemaster and the payers' expected reimbursement (contracts).

- A ``FeeEntry`` is the practice's charge for one unit of a procedure (optionally with a
  modifier, e.g. 26 or TC) over a period. ``Chargemaster.charge_for`` picks the entry with the
  modifier when one matches, else the plain one, in effect on the date of service; the charge
  of a line is that fee times the units, rounded once to the cent.
- A ``Contract`` says what a payer should pay: explicit amounts per code/modifier, or a
  percentage of the Medicare physician fee schedule for a locality (priced by the code sets'
  PFS function, handed in as a callable so this module stays free of code-set imports).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from revcycle.domain.money import Money
from revcycle.domain.validation import Checks
from revcycle.domain.values import optional, parse_date

_CODE = re.compile(r"^(\d{5}|\d{4}[FTU]|[A-V]\d{4})$")


@dataclass(frozen=True, slots=True)
class FeeEntry:
    procedure: str
    amount: Money
    modifier: str = ""
    effective: date = date(1900, 1, 1)
    termination: date | None = None
    id: int | None = None

    def in_effect(self, day: date) -> bool:
        return self.effective <= day and (self.termination is None or day <= self.termination)


def parse_fee_entry(data: Mapping[str, Any]) -> FeeEntry:
    c = Checks()
    code = str(data.get("procedure") or "").strip().upper()
    if not _CODE.match(code):
        c.fail("procedure", "procedure_format", "is not a CPT or HCPCS code")
    mod = str(data.get("modifier") or "").strip().upper()
    if mod and not re.fullmatch(r"[0-9A-Z]{2}", mod):
        c.fail("modifier", "modifier_format", "a modifier has 2 letters or digits")
    amount = c.field("amount", lambda: Money(str(data.get("amount") or "")))
    if amount is not None and amount.is_negative():
        c.fail("amount", "negative", "must not be negative")
    eff_raw, term_raw = optional(data.get("effective")), optional(data.get("termination"))
    eff = c.field("effective", lambda: parse_date(eff_raw)) if eff_raw else date(1900, 1, 1)
    term = c.field("termination", lambda: parse_date(term_raw)) if term_raw else None
    if eff and term and term < eff:
        c.fail("termination", "ends_before_start", "is before the effective date")
    c.raise_if_any()
    assert amount is not None and eff is not None
    return FeeEntry(code, amount, mod, eff, term)


@dataclass(frozen=True)
class Chargemaster:
    entries: tuple[FeeEntry, ...]
    _index: dict[tuple[str, str], list[FeeEntry]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for e in self.entries:
            self._index.setdefault((e.procedure, e.modifier), []).append(e)

    def fee(self, procedure: str, modifiers: Iterable[str], day: date) -> Money | None:
        for mod in [*modifiers, ""]:
            for e in self._index.get((procedure, mod), ()):
                if e.in_effect(day):
                    return e.amount
        return None

    def charge_for(
        self, procedure: str, modifiers: Iterable[str], units: Decimal, day: date
    ) -> Money | None:
        unit_fee = self.fee(procedure, modifiers, day)
        return None if unit_fee is None else Money(unit_fee.amount * units)


CONTRACT_KINDS = ("fee_schedule", "percent_of_medicare")

PfsPricer = Callable[[str, tuple[str, ...], str, date, bool], Money | None]
"""(procedure, modifiers, locality, date of service, facility setting) -> Medicare allowed."""


@dataclass(frozen=True, slots=True)
class Contract:
    payer_id: int
    kind: str
    effective: date
    percent: Decimal | None = None  # for percent_of_medicare, e.g. 120 for 120 %
    locality: str | None = None  # PFS carrier + locality, e.g. "0211201"
    rates: tuple[FeeEntry, ...] = ()
    termination: date | None = None
    id: int | None = None

    def expected(
        self,
        procedure: str,
        modifiers: tuple[str, ...],
        units: Decimal,
        day: date,
        *,
        facility: bool = False,
        pfs: PfsPricer | None = None,
    ) -> Money | None:
        """What the payer should allow for a line, or ``None`` when the contract is silent."""
        if self.kind == "fee_schedule":
            unit = Chargemaster(self.rates).fee(procedure, modifiers, day)
            return None if unit is None else Money(unit.amount * units)
        if pfs is None or self.percent is None or self.locality is None:
            return None
        medicare = pfs(procedure, modifiers, self.locality, day, facility)
        return None if medicare is None else Money(medicare.amount * units * self.percent / 100)


def parse_contract(data: Mapping[str, Any], payer_id: int) -> Contract:
    c = Checks()
    kind = str(data.get("kind") or "").strip().lower()
    if kind not in CONTRACT_KINDS:
        c.fail("kind", "kind_unknown", f"must be one of {', '.join(CONTRACT_KINDS)}")
    eff = c.field("effective", lambda: parse_date(data.get("effective")))
    term_raw = optional(data.get("termination"))
    term = c.field("termination", lambda: parse_date(term_raw)) if term_raw else None
    percent = locality = None
    rates: list[FeeEntry] = []
    if kind == "percent_of_medicare":
        try:
            percent = Decimal(str(data.get("percent")))
            if not percent.is_finite() or not 0 < percent <= 1000:
                raise ValueError
        except (ValueError, ArithmeticError):
            c.fail("percent", "range", "a percentage between 0 and 1000 is required")
        locality = str(data.get("locality") or "").strip()
        if not re.fullmatch(r"\d{5,7}", locality):
            c.fail("locality", "locality_format", "the Medicare carrier and locality, e.g. 0211201")
    elif kind == "fee_schedule":
        for i, r in enumerate(data.get("rates") or [], start=1):
            entry = c.field(f"rates.{i}", partial(parse_fee_entry, r))
            if entry is not None:
                rates.append(entry)
        if not rates:
            c.fail("rates", "required", "a fee-schedule contract needs at least one rate")
    c.raise_if_any()
    assert eff is not None
    return Contract(payer_id, kind, eff, percent, locality, tuple(rates), term)
