"""Planned services and what each is expected to cost before benefits.

A ``PlannedService`` is a procedure with modifiers, units and pointers to the estimate's
diagnoses (parsed with the same rules as an encounter line). ``price_services`` gives each its
practice charge (the fee schedule in effect on the date of service times the units, unless a
charge is entered) and its *expected allowed amount*:

- insured, with a payer contract in effect that prices the line: the contract's amount, never
  above the charge (a payer allows the lesser of the two) -- source ``contract``;
- insured otherwise: the charge -- source ``fee_schedule``;
- self-pay: the charge less the practice's self-pay discount (a fraction, rounded once per line
  to the cent) -- source ``self_pay``.

A service with neither an entered charge nor a fee is refused (``services.N.procedure`` /
``no_fee``): an estimate never guesses a price.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from revcycle.domain.encounter import (
    parse_decimal,
    parse_modifiers,
    parse_pointers,
    parse_procedure,
)
from revcycle.domain.errors import DomainValidationError, FieldError
from revcycle.domain.fees import Chargemaster, Contract, PfsPricer
from revcycle.domain.money import Money
from revcycle.domain.validation import Checks, invalid

CONTRACT = "contract"
FEE_SCHEDULE = "fee_schedule"
SELF_PAY = "self_pay"
MAX_SERVICES = 50

_SPEC = re.compile(
    r"^(?P<code>[0-9A-Z]{5})(?P<mods>(-[0-9A-Z]{2}){0,4})"
    r"(X(?P<units>\d+(\.\d+)?))?(@(?P<pointers>\d+(,\d+){0,3}))?$"
)


@dataclass(frozen=True, slots=True)
class PlannedService:
    procedure: str
    units: Decimal = Decimal(1)
    modifiers: tuple[str, ...] = ()
    pointers: tuple[int, ...] = ()  # 1-based, into the estimate's diagnoses
    charge: Money | None = None  # entered: replaces the fee schedule


@dataclass(frozen=True, slots=True)
class PricedService:
    service: PlannedService
    charge: Money
    allowed: Money
    source: str  # contract, fee_schedule, self_pay (entered charges keep their basis)


def parse_service_spec(text: str) -> dict[str, Any]:
    """``99213``, ``80053x2``, ``93000-26``, ``20610-RT-LTx2@1,2`` -> the fields of a planned
    service (code, ``-MOD`` up to four, ``xUNITS``, ``@POINTERS``)."""
    m = _SPEC.match(text.strip().upper().replace(" ", ""))
    if m is None:
        raise invalid(
            "service_format", "write CODE[-MOD...][xUNITS][@POINTERS], e.g. 80053x2 or 20610-RT@1"
        )
    data: dict[str, Any] = {"procedure": m["code"]}
    if m["mods"]:
        data["modifiers"] = [x for x in m["mods"].split("-") if x]
    if m["units"]:
        data["units"] = m["units"]
    if m["pointers"]:
        data["pointers"] = m["pointers"]
    return data


def parse_service(data: Mapping[str, Any], n_dx: int) -> PlannedService:
    """One planned service; without pointers it points at the first diagnoses (up to 4)."""
    c = Checks()
    proc = c.field("procedure", lambda: parse_procedure(data.get("procedure")))
    mods = c.field("modifiers", lambda: parse_modifiers(data.get("modifiers"))) or ()
    raw_units = data.get("units")
    units = c.field("units", lambda: parse_decimal("1" if raw_units in (None, "") else raw_units))
    raw_pointers = data.get("pointers")
    pointers: tuple[int, ...] = ()
    if raw_pointers not in (None, "", []):
        pointers = c.field("pointers", lambda: parse_pointers(raw_pointers, n_dx)) or ()
    else:
        pointers = tuple(range(1, min(n_dx, 4) + 1))
    charge = None
    raw_charge = data.get("charge")
    if raw_charge not in (None, ""):
        charge = c.field("charge", lambda: Money(str(raw_charge)))
        if charge is not None and charge.is_negative():
            c.fail("charge", "negative", "must not be negative")
    c.raise_if_any()
    assert proc is not None and units is not None
    return PlannedService(proc, units, mods, pointers, charge)


def parse_services(items: Sequence[Mapping[str, Any]], n_dx: int) -> tuple[PlannedService, ...]:
    """The planned services, errors named ``services.N.field`` (N from 1)."""
    if not items:
        raise DomainValidationError.single(
            "services", "required", "name at least one planned service"
        )
    if len(items) > MAX_SERVICES:
        raise DomainValidationError.single(
            "services", "too_many", f"an estimate holds at most {MAX_SERVICES} services"
        )
    out: list[PlannedService] = []
    errors: list[FieldError] = []
    for i, item in enumerate(items, start=1):
        try:
            out.append(parse_service(item, n_dx))
        except DomainValidationError as exc:
            errors += [
                FieldError(f"services.{i}.{e.field}", e.reason, e.message) for e in exc.errors
            ]
    if errors:
        raise DomainValidationError(errors)
    return tuple(out)


def contract_in_effect(contracts: Sequence[Contract], day: date) -> Contract | None:
    """The payer's contract in effect on ``day``, the latest effective first."""
    live = [
        k
        for k in contracts
        if k.effective <= day and (k.termination is None or day <= k.termination)
    ]
    return max(live, key=lambda k: k.effective) if live else None


def price_services(
    services: Sequence[PlannedService],
    *,
    day: date,
    chargemaster: Chargemaster,
    contract: Contract | None = None,
    self_pay: bool = False,
    discount: Decimal = Decimal(0),
    pfs: PfsPricer | None = None,
    facility: bool = False,
) -> tuple[PricedService, ...]:
    """Charge and expected allowed amount of each service (rules in the module docstring)."""
    if not Decimal(0) <= discount < Decimal(1):
        raise DomainValidationError.single(
            "discount", "range", "a self-pay discount is a fraction from 0 up to (not) 1"
        )
    out: list[PricedService] = []
    errors: list[FieldError] = []
    for i, s in enumerate(services, start=1):
        charge = s.charge or chargemaster.charge_for(s.procedure, s.modifiers, s.units, day)
        if charge is None:
            errors.append(
                FieldError(
                    f"services.{i}.procedure",
                    "no_fee",
                    f"{s.procedure} has no fee in the fee schedule on {day.isoformat()}; "
                    "add one or enter a charge",
                )
            )
            continue
        if self_pay:
            out.append(PricedService(s, charge, charge - Money(charge.amount * discount), SELF_PAY))
            continue
        expected = None
        if contract is not None:
            expected = contract.expected(
                s.procedure, s.modifiers, s.units, day, facility=facility, pfs=pfs
            )
        if expected is not None:
            out.append(PricedService(s, charge, min(expected, charge), CONTRACT))
        else:
            out.append(PricedService(s, charge, charge, FEE_SCHEDULE))
    if errors:
        raise DomainValidationError(errors)
    return tuple(out)
