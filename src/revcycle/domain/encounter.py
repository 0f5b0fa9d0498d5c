"""Encounters and their service lines: what was done for a patient, ready to become claims.

Invariants:
- dates: ``dos_to`` is not before ``dos_from``; a line's dates lie inside the encounter's;
- diagnoses are ICD-10-CM codes in order, at most 12 on a professional encounter and 25 on an
  institutional one, without repeats; present-on-admission indicators (Y, N, U, W, 1) only on
  institutional encounters;
- a line has a procedure (CPT 5 digits or 4 digits + F/T/U, or HCPCS letter + 4 digits), up to 4
  two-character modifiers, units > 0, a charge >= 0 when given, 1 to 4 diagnosis pointers
  that point at existing diagnoses; an NDC is 11 digits with a unit (F2, GR, ME, ML, UN) and a
  quantity; anesthesia minutes become time units (minutes / 15, one decimal, half up);
- an institutional encounter has a type of bill, a patient status, an attending provider and a
  revenue code on every line.

Format checks only: whether a code exists on the date of service is the code sets' and the
scrubber's business.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import partial
from typing import Any

from revcycle.domain.money import Money
from revcycle.domain.validation import Checks, invalid
from revcycle.domain.values import optional, parse_date, parse_text

MAX_DX = {"P": 12, "I": 25}
POA_CODES = ("Y", "N", "U", "W", "1")
NDC_UNITS = ("F2", "GR", "ME", "ML", "UN")
_ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
_PROCEDURE = re.compile(r"^(\d{5}|\d{4}[FTU]|[A-V]\d{4})$")
_MODIFIER = re.compile(r"^[0-9A-Z]{2}$")


@dataclass(frozen=True, slots=True)
class Diagnosis:
    code: str  # without the dot, upper case
    poa: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceLine:
    procedure: str
    units: Decimal
    pointers: tuple[int, ...]
    modifiers: tuple[str, ...] = ()
    charge: Money | None = None  # None: take it from the fee schedule
    charge_source: str = "entered"  # or "fee_schedule"
    dos_from: date | None = None
    dos_to: date | None = None
    ndc: str | None = None
    ndc_unit: str | None = None
    ndc_quantity: Decimal | None = None
    anesthesia_minutes: int | None = None
    revenue_code: str | None = None
    note: str | None = None
    entered_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Encounter:
    patient_id: int
    dos_from: date
    dos_to: date
    rendering_provider_id: int
    place_of_service: str
    diagnoses: tuple[Diagnosis, ...]
    lines: tuple[ServiceLine, ...]
    kind: str = "P"  # P professional, I institutional
    referring_provider_id: int | None = None
    supervising_provider_id: int | None = None
    facility_id: int | None = None
    coverage_ids: tuple[int, ...] = ()  # in billing order; empty = the active ones on the DOS
    prior_authorization: str | None = None
    referral_number: str | None = None
    external_ref: str | None = None  # the EHR's encounter id, unique per practice when given
    institutional: Institutional | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Institutional:
    """The UB-04 / 837I data of an institutional encounter."""

    type_of_bill: str  # 3 characters: facility type, classification, frequency (e.g. 131)
    patient_status: str  # 2 digits (01 home, ...)
    attending_provider_id: int
    admission_date: date | None = None
    admission_type: str | None = None
    admission_source: str | None = None
    operating_provider_id: int | None = None
    admitting_diagnosis: str | None = None
    reason_for_visit: tuple[str, ...] = ()
    condition_codes: tuple[str, ...] = ()
    occurrence_codes: tuple[tuple[str, date], ...] = ()
    value_codes: tuple[tuple[str, Money], ...] = field(default_factory=tuple)


def normalize_icd10(code: str) -> str:
    v = code.strip().upper().replace(".", "")
    if not _ICD10.match(v) or not 3 <= len(v) <= 7:
        raise invalid(
            "icd10_format", "is not an ICD-10-CM code (letter, digit, then 1 to 5 characters)"
        )
    return v


def parse_procedure(value: object) -> str:
    v = str(value or "").strip().upper()
    if not _PROCEDURE.match(v):
        raise invalid("procedure_format", "is not a CPT or HCPCS code (5 characters)")
    return v


def parse_modifiers(value: object) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    items = re.split(r"[\s,:;]+", value.strip()) if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    mods = tuple(str(m).strip().upper() for m in items if str(m).strip())
    if len(mods) > 4:
        raise invalid("too_many_modifiers", "a line takes at most 4 modifiers")
    for m in mods:
        if not _MODIFIER.match(m):
            raise invalid("modifier_format", "a modifier has 2 letters or digits")
    return mods


def parse_decimal(value: object, *, positive: bool = True) -> Decimal:
    if isinstance(value, float):
        raise invalid("decimal", "must be given as text or an integer, not a float")
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        raise invalid("decimal", "is not a number") from None
    if not d.is_finite() or (positive and d <= 0):
        raise invalid("range", "must be greater than zero")
    return d


def _parse_money(value: object) -> Money:
    if isinstance(value, Money):
        return value
    if isinstance(value, Decimal | int | str) and not isinstance(value, bool):
        return Money(value)
    raise invalid("invalid_amount", "is not an amount")


def parse_pointers(value: object, n_dx: int) -> tuple[int, ...]:
    if isinstance(value, str):
        items = [p for p in re.split(r"[\s,:;]+", value.strip()) if p]
    elif isinstance(value, Sequence):
        items = [str(p) for p in value]
    else:
        items = []
    if not items:
        raise invalid("required", "at least one diagnosis pointer is required")
    if len(items) > 4:
        raise invalid("too_many_pointers", "a line points to at most 4 diagnoses")
    pointers = []
    for item in items:
        if not item.isdigit() or not 1 <= int(item) <= n_dx:
            raise invalid(
                "pointer_out_of_range",
                f"pointers must be numbers of listed diagnoses (1 to {n_dx})",
            )
        pointers.append(int(item))
    if len(set(pointers)) != len(pointers):
        raise invalid("pointer_repeated", "a diagnosis is pointed to twice")
    return tuple(pointers)


def anesthesia_units(minutes: int) -> Decimal:
    """Time units of anesthesia: one per 15 minutes, to one decimal, half up."""
    return (Decimal(minutes) / Decimal(15)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def parse_line(
    data: Mapping[str, Any], n_dx: int, kind: str, enc_from: date | None, enc_to: date | None
) -> ServiceLine:
    c = Checks()
    proc = c.field("procedure", lambda: parse_procedure(data.get("procedure")))
    mods = c.field("modifiers", lambda: parse_modifiers(data.get("modifiers"))) or ()
    minutes_raw = optional(data.get("anesthesia_minutes"))
    minutes = None
    if minutes_raw is not None:
        try:
            minutes = int(str(minutes_raw))
            if minutes <= 0:
                raise ValueError
        except ValueError:
            c.fail("anesthesia_minutes", "range", "must be a whole number of minutes above zero")
    units_raw = optional(data.get("units"))
    units: Decimal | None
    if minutes is not None and units_raw is None:
        units = anesthesia_units(minutes)
    else:
        units = c.field("units", lambda: parse_decimal(units_raw if units_raw is not None else "1"))
    charge_raw = optional(data.get("charge"))
    charge = None
    if charge_raw is not None:
        charge = c.field("charge", partial(_parse_money, charge_raw))
        if charge is not None and charge.is_negative():
            c.fail("charge", "negative", "must not be negative")
    pointers = c.field("pointers", lambda: parse_pointers(data.get("pointers"), n_dx)) or ()
    f_raw, t_raw = optional(data.get("dos_from")), optional(data.get("dos_to"))
    d_from = c.field("dos_from", lambda: parse_date(f_raw)) if f_raw else enc_from
    d_to = c.field("dos_to", lambda: parse_date(t_raw)) if t_raw else d_from
    if d_from and d_to and d_to < d_from:
        c.fail("dos_to", "ends_before_start", "is before the line's from date")
    if enc_from and enc_to and d_from and d_to and (d_from < enc_from or d_to > enc_to):
        c.fail("dos_from", "outside_encounter", "the line's dates must lie within the encounter's")
    ndc_raw = optional(data.get("ndc"))
    ndc = ndc_unit = ndc_qty = None
    if ndc_raw is not None:
        ndc = re.sub(r"[-\s]", "", str(ndc_raw))
        if not re.fullmatch(r"\d{11}", ndc):
            c.fail("ndc", "ndc_format", "an NDC has 11 digits (5-4-2)")
        unit_raw = str(data.get("ndc_unit") or "").strip().upper()
        if unit_raw not in NDC_UNITS:
            c.fail(
                "ndc_unit", "required", f"with an NDC, the unit is one of {', '.join(NDC_UNITS)}"
            )
        else:
            ndc_unit = unit_raw
        ndc_qty = c.field("ndc_quantity", lambda: parse_decimal(data.get("ndc_quantity")))
    rev_raw = optional(data.get("revenue_code"))
    revenue = None
    if rev_raw is not None:
        revenue = str(rev_raw).strip().zfill(4)
        if not re.fullmatch(r"\d{4}", revenue):
            c.fail("revenue_code", "revenue_format", "a revenue code has 4 digits")
    if kind == "I" and rev_raw is None:
        c.fail("revenue_code", "required", "every institutional line needs a revenue code")
    note_raw = optional(data.get("note"))
    note = c.field("note", lambda: parse_text(note_raw, 80)) if note_raw else None
    c.raise_if_any()
    assert proc and units is not None
    return ServiceLine(
        procedure=proc,
        units=units,
        pointers=pointers,
        modifiers=mods,
        charge=charge,
        dos_from=d_from,
        dos_to=d_to,
        ndc=ndc,
        ndc_unit=ndc_unit,
        ndc_quantity=ndc_qty,
        anesthesia_minutes=minutes,
        revenue_code=revenue,
        note=note,
        id=data.get("id") if isinstance(data.get("id"), int) else None,
    )


def parse_diagnoses(value: object, kind: str) -> tuple[Diagnosis, ...]:
    items: list[Any]
    if isinstance(value, str):
        items = [v for v in re.split(r"[\s,;]+", value.strip()) if v]
    elif isinstance(value, Sequence):
        items = list(value)
    else:
        items = []
    if not items:
        raise invalid("required", "at least one diagnosis is required")
    if len(items) > MAX_DX[kind]:
        raise invalid(
            "too_many_diagnoses", f"at most {MAX_DX[kind]} diagnoses on this kind of claim"
        )
    out: list[Diagnosis] = []
    for i, item in enumerate(items, start=1):
        code_raw, poa_raw = (
            (item.get("code"), item.get("poa")) if isinstance(item, Mapping) else (item, None)
        )
        try:
            code = normalize_icd10(str(code_raw or ""))
        except Exception as exc:
            raise invalid("icd10_format", f"diagnosis {i} is not an ICD-10-CM code") from exc
        poa = str(poa_raw).strip().upper() if poa_raw not in (None, "") else None
        if poa is not None and (kind != "I" or poa not in POA_CODES):
            raise invalid(
                "poa",
                f"diagnosis {i}: present-on-admission is one of Y, N, U, W, 1 and only on institutional claims",
            )
        if any(d.code == code for d in out):
            raise invalid("duplicate_diagnosis", f"diagnosis {i} repeats an earlier one")
        out.append(Diagnosis(code, poa))
    return tuple(out)


def _opt_str(value: object) -> str | None:
    v = optional(value)
    return None if v is None else str(v).strip()


def _parse_id(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise invalid("integer", "must be a record id") from None


def parse_encounter(data: Mapping[str, Any], today: date, id: int | None = None) -> Encounter:
    """An encounter from raw fields (providers, facility and coverages given by record id)."""
    c = Checks()
    kind = "I" if str(data.get("kind") or "P").upper() == "I" else "P"
    patient_id = c.field("patient_id", lambda: _parse_id(data.get("patient_id")))
    d_from = c.field("dos_from", lambda: parse_date(data.get("dos_from")))
    to_raw = optional(data.get("dos_to"))
    d_to = c.field("dos_to", lambda: parse_date(to_raw)) if to_raw else d_from
    if d_from and d_from > today:
        c.fail("dos_from", "date_in_future", "is in the future")
    if d_from and d_to and d_to < d_from:
        c.fail("dos_to", "ends_before_start", "is before the from date")
    rendering = c.field(
        "rendering_provider_id", lambda: _parse_id(data.get("rendering_provider_id"))
    )
    opt_ids: dict[str, int | None] = {}
    for name in ("referring_provider_id", "supervising_provider_id", "facility_id"):
        raw = optional(data.get(name))
        opt_ids[name] = c.field(name, partial(_parse_id, raw)) if raw is not None else None
    pos = str(data.get("place_of_service") or "").strip()
    if not re.fullmatch(r"\d{2}", pos):
        c.fail("place_of_service", "pos_format", "a place-of-service code has 2 digits")
    dx = c.field("diagnoses", lambda: parse_diagnoses(data.get("diagnoses"), kind)) or ()
    lines_raw = data.get("lines") or []
    lines: list[ServiceLine] = []
    if not lines_raw:
        c.fail("lines", "required", "an encounter needs at least one service line")
    for i, raw in enumerate(lines_raw, start=1):
        line = c.field(f"lines.{i}", partial(parse_line, raw, max(len(dx), 1), kind, d_from, d_to))
        if line is not None:
            lines.append(line)
    if len(lines_raw) > 50:
        c.fail(
            "lines",
            "too_many_lines",
            "a professional claim takes at most 50 lines; split the encounter",
        )
    covs = tuple(int(x) for x in data.get("coverage_ids") or ())
    pa_raw, ref_raw = (
        optional(data.get("prior_authorization")),
        optional(data.get("referral_number")),
    )
    pa = c.field("prior_authorization", lambda: parse_text(pa_raw, 50)) if pa_raw else None
    ref = c.field("referral_number", lambda: parse_text(ref_raw, 50)) if ref_raw else None
    ext_raw = optional(data.get("external_ref"))
    ext = c.field("external_ref", lambda: parse_text(ext_raw, 50)) if ext_raw else None
    inst = None
    if kind == "I":
        inst = c.field(
            "institutional", lambda: parse_institutional(data.get("institutional") or {})
        )
    c.raise_if_any()
    assert patient_id is not None and d_from and d_to and rendering is not None
    return Encounter(
        patient_id=patient_id,
        dos_from=d_from,
        dos_to=d_to,
        rendering_provider_id=rendering,
        place_of_service=pos,
        diagnoses=dx,
        lines=tuple(lines),
        kind=kind,
        referring_provider_id=opt_ids["referring_provider_id"],
        supervising_provider_id=opt_ids["supervising_provider_id"],
        facility_id=opt_ids["facility_id"],
        coverage_ids=covs,
        prior_authorization=pa,
        referral_number=ref,
        external_ref=ext,
        institutional=inst,
        id=id,
    )


def parse_institutional(data: Mapping[str, Any]) -> Institutional:
    c = Checks()
    tob = str(data.get("type_of_bill") or "").strip()
    if not re.fullmatch(r"0?\d{3}", tob):
        c.fail("type_of_bill", "tob_format", "a type of bill has 3 digits (e.g. 131)")
    status = str(data.get("patient_status") or "").strip()
    if not re.fullmatch(r"\d{2}", status):
        c.fail("patient_status", "status_format", "a patient status code has 2 digits (01 home)")
    attending = c.field(
        "attending_provider_id", lambda: _parse_id(data.get("attending_provider_id"))
    )
    op_raw = optional(data.get("operating_provider_id"))
    operating = (
        c.field("operating_provider_id", lambda: _parse_id(op_raw)) if op_raw is not None else None
    )
    adm_raw = optional(data.get("admission_date"))
    adm = c.field("admission_date", lambda: parse_date(adm_raw)) if adm_raw else None
    admitting_raw = optional(data.get("admitting_diagnosis"))
    admitting = (
        c.field("admitting_diagnosis", lambda: normalize_icd10(str(admitting_raw)))
        if admitting_raw
        else None
    )
    rfv = tuple(normalize_icd10(str(x)) for x in data.get("reason_for_visit") or ())
    conditions = tuple(str(x).strip().upper() for x in data.get("condition_codes") or ())
    for code in conditions:
        if not re.fullmatch(r"[0-9A-Z]{2}", code):
            c.fail("condition_codes", "condition_format", "a condition code has 2 characters")
    occurrences: list[tuple[str, date]] = []
    for i, item in enumerate(data.get("occurrence_codes") or (), start=1):
        code = str(item.get("code", "") if isinstance(item, Mapping) else "").strip().upper()
        when = c.field(
            f"occurrence_codes.{i}.date",
            partial(parse_date, item.get("date") if isinstance(item, Mapping) else None),
        )
        if not re.fullmatch(r"[0-9A-Z]{2}", code):
            c.fail(
                f"occurrence_codes.{i}.code",
                "occurrence_format",
                "an occurrence code has 2 characters",
            )
        elif when is not None:
            occurrences.append((code, when))
    values: list[tuple[str, Money]] = []
    for i, item in enumerate(data.get("value_codes") or (), start=1):
        code = str(item.get("code", "") if isinstance(item, Mapping) else "").strip().upper()
        amount = c.field(
            f"value_codes.{i}.amount",
            partial(_parse_money, item.get("amount") if isinstance(item, Mapping) else None),
        )
        if not re.fullmatch(r"[0-9A-Z]{2}", code):
            c.fail(f"value_codes.{i}.code", "value_format", "a value code has 2 characters")
        elif amount is not None:
            values.append((code, amount))
    c.raise_if_any()
    assert attending is not None
    return Institutional(
        type_of_bill=tob[-3:],
        patient_status=status,
        attending_provider_id=attending,
        admission_date=adm,
        admission_type=_opt_str(data.get("admission_type")),
        admission_source=_opt_str(data.get("admission_source")),
        operating_provider_id=operating,
        admitting_diagnosis=admitting,
        reason_for_visit=rfv,
        condition_codes=conditions,
        occurrence_codes=tuple(occurrences),
        value_codes=tuple(values),
    )
