"""Manual posting of a paper EOB: the form a biller fills in, read into a ``Remittance``.

A paper explanation of benefits carries what an 835 carries: the payer, the check (number,
date, amount), and per claim the status, charge, payment, patient responsibility and the
adjustments, line by line when the EOB shows lines. ``read_manual_eob`` turns that JSON form
into the same ``Remittance`` an 835 becomes, so a manual posting goes through exactly the same
validation (``validate_remittance``) and posting engine as an ERA.

Every bad field is reported at once with its path (``claims[0].lines[1].paid``); nothing is
posted from a form with an error.

The form::

    {"payer_id": "SIMPPO", "payer_name": "Acme Health",
     "check_number": "100234", "check_date": "2026-09-20", "check_amount": "95.00",
     "method": "CHK",
     "claims": [{"patient_control_number": "P1C0000001", "status": "1",
                 "charge": "150.00", "paid": "95.00", "patient_responsibility": "20.00",
                 "payer_claim_number": "EOB-77",
                 "adjustments": [],
                 "lines": [{"procedure": "99213", "modifiers": [], "date": "2026-09-01",
                            "charge": "150.00", "paid": "95.00",
                            "adjustments": [{"group": "CO", "reason": "45", "amount": "35.00"},
                                            {"group": "PR", "reason": "2", "amount": "20.00"}]}]}],
     "provider_adjustments": [{"reason": "L6", "amount": "-1.10", "reference": "..."}]}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from revcycle.domain.money import Money
from revcycle.domain.remittance import (
    Adjustment,
    ClaimPayment,
    Payment,
    ProviderAdjustment,
    RemitParty,
    Remittance,
    ServicePayment,
)
from revcycle.domain.validation import Checks
from revcycle.domain.values import parse_choice, parse_date, parse_text

GROUPS = ("CO", "PR", "OA", "PI", "CR")
STATUSES = ("1", "2", "3", "4", "19", "20", "21", "22", "23", "25")
METHODS = ("CHK", "ACH", "NON", "BOP", "FWT")
PLB_REASONS = (
    "50", "51", "72", "90", "AH", "AM", "AP", "B2", "B3", "BD", "BN", "C5", "CR", "CS", "CT",
    "CV", "CW", "DM", "E3", "FB", "FC", "GO", "HM", "IP", "IR", "IS", "J1", "L3", "L6", "LE",
    "LS", "OA", "OB", "PI", "PL", "RA", "RE", "SL", "TL", "WO", "WU",
)  # fmt: skip


def _money(value: object) -> Money:
    if isinstance(value, int | str) and not isinstance(value, bool):
        return Money(value)
    from revcycle.domain.validation import invalid

    raise invalid("format", 'must be an amount written as a string, like "12.50"')


def _list(check: Checks, name: str, value: object) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        check.fail(name, "format", "must be a list of objects")
        return []
    return list(value)


def _adjustment(check: Checks, path: str, a: Mapping[str, Any]) -> Adjustment | None:
    group = check.field(f"{path}.group", lambda: parse_choice(a.get("group"), GROUPS, "group"))
    reason = check.field(f"{path}.reason", lambda: parse_text(a.get("reason"), 5))
    amount = check.field(f"{path}.amount", lambda: _money(a.get("amount")))
    if group and reason and amount is not None:
        return Adjustment(group, reason, amount)
    return None


def _adjustments(check: Checks, name: str, raw: object) -> tuple[Adjustment, ...]:
    found = [_adjustment(check, f"{name}[{i}]", a) for i, a in enumerate(_list(check, name, raw))]
    return tuple(a for a in found if a is not None)


def _provider_adjustment(
    check: Checks, path: str, p: Mapping[str, Any]
) -> ProviderAdjustment | None:
    reason = check.field(
        f"{path}.reason", lambda: parse_choice(p.get("reason"), PLB_REASONS, "reason")
    )
    value = check.field(f"{path}.amount", lambda: _money(p.get("amount")))
    if reason and value is not None:
        return ProviderAdjustment(reason, value, str(p.get("reference") or "")[:50])
    return None


def _optional_date(check: Checks, name: str, value: object) -> date | None:
    if value in (None, ""):
        return None
    return check.field(name, lambda: parse_date(value))


def _line(check: Checks, path: str, raw: Mapping[str, Any]) -> ServicePayment | None:
    procedure = check.field(f"{path}.procedure", lambda: parse_text(raw.get("procedure"), 48))
    charge = check.field(f"{path}.charge", lambda: _money(raw.get("charge")))
    paid = check.field(f"{path}.paid", lambda: _money(raw.get("paid")))
    mods = raw.get("modifiers") or []
    if not isinstance(mods, list) or not all(isinstance(m, str) and len(m) == 2 for m in mods):
        check.fail(f"{path}.modifiers", "format", "must be a list of two-character modifiers")
        mods = []
    allowed = None
    if raw.get("allowed") not in (None, ""):
        allowed = check.field(f"{path}.allowed", lambda: _money(raw.get("allowed")))
    when = _optional_date(check, f"{path}.date", raw.get("date"))
    adjustments = _adjustments(check, f"{path}.adjustments", raw.get("adjustments"))
    if procedure is None or charge is None or paid is None:
        return None
    return ServicePayment(
        procedure=procedure,
        charge=charge,
        paid=paid,
        modifiers=tuple(mods[:4]),
        line_control_number=str(raw.get("line_control_number") or "")[:50],
        service_date=when,
        adjustments=adjustments,
        allowed=allowed,
    )


def _claim(check: Checks, path: str, raw: Mapping[str, Any]) -> ClaimPayment | None:
    pcn = check.field(
        f"{path}.patient_control_number",
        lambda: parse_text(raw.get("patient_control_number"), 38),
    )
    status = check.field(
        f"{path}.status", lambda: parse_choice(str(raw.get("status", "")), STATUSES, "status")
    )
    charge = check.field(f"{path}.charge", lambda: _money(raw.get("charge")))
    paid = check.field(f"{path}.paid", lambda: _money(raw.get("paid")))
    pr = None
    if raw.get("patient_responsibility") not in (None, ""):
        pr = check.field(
            f"{path}.patient_responsibility", lambda: _money(raw.get("patient_responsibility"))
        )
    adjustments = _adjustments(check, f"{path}.adjustments", raw.get("adjustments"))
    lines = [
        _line(check, f"{path}.lines[{j}]", ln)
        for j, ln in enumerate(_list(check, f"{path}.lines", raw.get("lines")))
    ]
    if pcn is None or status is None or charge is None or paid is None:
        return None
    return ClaimPayment(
        patient_control_number=pcn,
        status=status,
        charge=charge,
        paid=paid,
        patient_responsibility=pr,
        payer_claim_control_number=str(raw.get("payer_claim_number") or "")[:50],
        adjustments=adjustments,
        lines=tuple(ln for ln in lines if ln is not None),
    )


def read_manual_eob(form: Mapping[str, Any], payee: RemitParty | None = None) -> Remittance:
    """The paper EOB ``form`` as a ``Remittance``; ``DomainValidationError`` names bad fields."""
    check = Checks()
    payer_id = check.field("payer_id", lambda: parse_text(form.get("payer_id"), 80))
    check_number = check.field("check_number", lambda: parse_text(form.get("check_number"), 50))
    check_date = check.field("check_date", lambda: parse_date(form.get("check_date")))
    amount = check.field("check_amount", lambda: _money(form.get("check_amount")))
    method = check.field(
        "method", lambda: parse_choice(str(form.get("method") or "CHK").upper(), METHODS, "method")
    )
    raw_claims = _list(check, "claims", form.get("claims"))
    if not raw_claims and "claims" not in {e.field for e in check.errors}:
        check.fail("claims", "required", "an EOB needs at least one claim")
    claims = [_claim(check, f"claims[{i}]", c) for i, c in enumerate(raw_claims)]
    plb = [
        _provider_adjustment(check, f"provider_adjustments[{i}]", p)
        for i, p in enumerate(
            _list(check, "provider_adjustments", form.get("provider_adjustments"))
        )
    ]
    check.raise_if_any()
    assert payer_id and check_number and check_date and amount is not None and method
    return Remittance(
        payment=Payment(amount=amount, method=method, date=check_date, trace_number=check_number),
        payer=RemitParty(name=str(form.get("payer_name") or payer_id)[:60], identifier=payer_id),
        payee=payee or RemitParty(name=""),
        claims=tuple(c for c in claims if c is not None),
        provider_adjustments=tuple(p for p in plb if p is not None),
    )


def canonical(forms: Sequence[Mapping[str, Any]]) -> bytes:
    """A stable byte form of the EOB (its content hash identifies it, like an 835 file's)."""
    import json

    return json.dumps(list(forms), sort_keys=True, separators=(",", ":"), default=str).encode()
