"""The demo's coding and charge-entry stages: the fee schedule and a month of encounters.

Visits are drawn with a fixed seed from small catalogues of common family-medicine and
cardiology services with fitting diagnoses (code values are facts; the lists are our own).
About one encounter in twelve carries a mistake a real office makes (a category code instead of
a billable one, a missing referral or authorization, a therapy code without its Medicare
modifier, a urinalysis billed with the visit without modifier 59) and about one in thirty is a late charge (entered 40 to 80 days after the visit).

``plan_visits`` draws the month; ``review_coding`` is the coder's pass: every visit is checked
against the code sets valid on its date of service (``validate_coding``) and the coder corrects
most header-code diagnoses to the billable code the note supports (some slip through, for the
scrubber to stop); ``record_visits`` enters the charges, 500 encounters to a transaction (each 500 read and
written together by ``charges.record_encounters``).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from revcycle.codesets.catalog import CodeSets, default_codesets
from revcycle.codesets.validation import ServiceLine, validate_coding
from revcycle.domain.fees import Chargemaster
from revcycle.services import charges
from revcycle.services.context import Context
from revcycle.services.demo import CARDIOLOGY, DemoPractice

FEES = {
    "99202": "110.00", "99203": "165.00", "99204": "245.00", "99212": "85.00", "99213": "125.00",
    "99214": "185.00", "99215": "250.00", "99395": "210.00", "99396": "225.00", "G0439": "175.00",
    "93000": "55.00", "93306": "520.00", "36415": "15.00", "80053": "42.00", "83036": "35.00",
    "85025": "28.00", "81002": "12.00", "90471": "30.00", "90686": "40.00", "20610": "210.00",
    "97110": "65.00", "70551": "950.00", "11102": "140.00", "J1100": "12.50",
}  # fmt: skip

Visit = tuple[tuple[tuple[str, str], ...], tuple[str, ...]]
# (procedures with modifiers, diagnoses): visits that make clinical sense together.
VISITS: tuple[Visit, ...] = (
    ((("99213", ""), ("83036", "")), ("E11.9", "I10")),
    ((("99214", ""), ("80053", ""), ("36415", "")), ("E11.65", "E78.5")),
    ((("99213", ""),), ("J06.9",)),
    ((("99212", ""), ("81002", "")), ("N39.0",)),
    ((("99214", ""), ("93000", "")), ("I10", "R07.9")),
    ((("99396", ""), ("85025", ""), ("36415", "")), ("Z00.00",)),
    ((("99213", "25"), ("20610", "")), ("M17.11",)),
    ((("99213", "25"), ("11102", "")), ("L82.1",)),
    ((("99212", ""), ("90471", ""), ("90686", "")), ("Z23",)),
    ((("99203", ""),), ("R51.9",)),
    ((("99215", ""), ("J1100", "")), ("J44.1", "J96.01")),
)
CARDIOLOGY_VISITS: tuple[Visit, ...] = (
    ((("99204", ""), ("93000", "")), ("R00.2", "I10")),
    ((("99214", ""), ("93306", "")), ("I48.91",)),
    ((("99213", ""), ("93000", "")), ("I25.10", "E78.5")),
    ((("99214", ""),), ("I50.9", "I10")),
)
CARDIOLOGY_SHARE = 0.2
MISTAKES = (
    "non_billable",
    "no_referral",
    "no_authorization",
    "therapy_without_gp",
    "urinalysis_without_59",
)
# Right after the denial scenarios' visits, one of each mistake a later stage fixes, so every
# run (even a small one) shows the fix: the scrubber adds GP, the denial work adds 59.
FORCED_MISTAKES = {0: "urinalysis_without_59", 1: "therapy_without_gp"}
LATE_CHARGE_RATE = 1 / 30
CODER_CATCHES = 0.7  # share of header-code diagnoses the coder corrects before charge entry


@dataclass
class PlannedVisit:
    data: dict[str, Any]
    intended_diagnoses: list[str]


def add_demo_fees(ctx: Context) -> None:
    charges.add_fees(
        ctx,
        [
            {"procedure": code, "amount": amount, "effective": "2020-01-01"}
            for code, amount in FEES.items()
        ],
    )


def plan_visits(
    ctx: Context, demo: DemoPractice, seed: int, n: int
) -> tuple[list[PlannedVisit], dict[str, int]]:
    """The month's visits as charge-entry input, with the mistakes planted (counted by kind)."""
    rng = random.Random(seed * 7919 + 1)
    today = ctx.clock.today()
    family = [p for p in demo.providers if "rendering" in p.roles and p.taxonomy != CARDIOLOGY]
    cardiology = [p for p in demo.providers if "rendering" in p.roles and p.taxonomy == CARDIOLOGY]
    referring = next(p for p in demo.providers if "referring" in p.roles)
    clinic, heart = demo.facilities[0], demo.facilities[-1]
    covered = {c.patient_id for c in demo.coverages}
    insured = [p for p in demo.patients if p.id in covered]
    plan_of = {c.patient_id: c.plan_id for c in demo.coverages if c.order == "primary"}
    payer_by_plan = {}
    with ctx.uow() as uow:
        for plan in uow.plans.list():
            payer_by_plan[plan.id] = uow.payers.get(plan.payer_id).payer_id
    mistakes: Counter[str] = Counter()
    planned: list[PlannedVisit] = []
    for i in range(n):
        patient = rng.choice(insured)
        forced = FORCED_MISTAKES.get(i - len(demo.denial_scenarios))
        if i < len(demo.denial_scenarios):  # their first visits: denials the demo works
            patient = demo.denial_scenarios[i]
        elif forced == "therapy_without_gp":  # a Medicare patient (every sixth from the 4th)
            patient = demo.patients[3]
        payer = payer_by_plan[plan_of[patient.id or 0]]
        specialty = (
            i >= len(demo.denial_scenarios) and not forced and rng.random() < CARDIOLOGY_SHARE
        )
        procedures, dx = rng.choice(CARDIOLOGY_VISITS if specialty else VISITS)
        late = rng.random() < LATE_CHARGE_RATE
        dos = today - timedelta(days=rng.randrange(40, 80) if late else rng.randrange(3, 35))
        lines: list[dict[str, Any]] = [
            {
                "procedure": code,
                "modifiers": mod,
                "pointers": ",".join(str(k + 1) for k in range(len(dx[:4]))),
            }
            for code, mod in procedures
        ]
        data: dict[str, Any] = {
            "patient_id": patient.id,
            "dos_from": max(dos, patient.dob),
            "rendering_provider_id": rng.choice(cardiology if specialty else family).id,
            "facility_id": (heart if specialty else clinic).id,
            "place_of_service": "11",
            "diagnoses": list(dx),
            "lines": lines,
            "external_ref": f"DEMO-{seed}-{i + 1:06d}",
        }
        if payer == "SIMHMO":
            data["referral_number"] = f"RF{rng.randrange(10**6, 10**7)}"
            data["referring_provider_id"] = referring.id
        mistake = MISTAKES[i % len(MISTAKES)] if rng.random() < 1 / 12 else None
        mistake = forced or mistake
        if mistake == "non_billable" and "." in dx[0]:  # the category, not the billable code
            data["diagnoses"] = [dx[0].split(".")[0], *dx[1:]]
        elif mistake == "no_referral" and payer == "SIMHMO":
            data.pop("referral_number")
        elif mistake == "no_authorization" and payer == "SIMHMO":
            data["lines"] = [{"procedure": "70551", "pointers": "1"}]
        elif mistake == "therapy_without_gp" and payer == "SIMMCR":
            data["lines"] = [*lines, {"procedure": "97110", "units": "2", "pointers": "1"}]
        elif mistake == "urinalysis_without_59" and not specialty:
            # a dipstick done for a separate complaint, billed without 59: the payer bundles it
            data["diagnoses"] = ["N39.0", "I10"]
            data["lines"] = [
                {"procedure": "99213", "pointers": "2"},
                {"procedure": "81002", "pointers": "1"},
            ]
        else:
            mistake = None
        if mistake:
            mistakes[mistake] += 1
        if late:
            mistakes["late_charge"] += 1
        planned.append(PlannedVisit(data, list(dx)))
    return planned, dict(sorted(mistakes.items()))


def review_coding(
    visits: list[PlannedVisit],
    seed: int,
    codesets: CodeSets | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """The coder's pass over the month: findings by code, and the header codes corrected."""
    rng = random.Random(seed * 104729 + 3)
    cs = codesets or default_codesets()
    found: Counter[str] = Counter()
    flagged = fixed = 0
    for k, visit in enumerate(visits, start=1):
        data = visit.data
        lines = [
            ServiceLine(
                str(ln["procedure"]),
                tuple(m for m in str(ln.get("modifiers") or "").split(",") if m),
                int(ln.get("units") or 1),
                tuple(int(p) for p in str(ln.get("pointers") or "1").split(",")),
            )
            for ln in data["lines"]
        ]
        findings = [
            f
            for f in validate_coding(
                dos=data["dos_from"], diagnoses=data["diagnoses"], lines=lines, codesets=cs
            )
            if f.severity == "error"
        ]
        found.update(f.code for f in findings)
        if findings:
            flagged += 1
            header_codes_only = all(f.code == "icd10cm.not_billable" for f in findings)
            if header_codes_only and rng.random() < CODER_CATCHES:
                data["diagnoses"] = list(visit.intended_diagnoses)
                fixed += 1
        if progress is not None and k % 100 == 0:
            progress(100)
    if progress is not None:
        progress(len(visits) % 100)
    return {
        "encounters_reviewed": len(visits),
        "flagged": flagged,
        "corrected_by_coder": fixed,
        "findings": dict(sorted(found.items())),
    }


@dataclass
class Entered:
    """What charge entry recorded (counts and dollars, not the encounters themselves: a
    100,000-encounter month is not kept in memory)."""

    encounters: int = 0
    lines: int = 0
    charges: Decimal = Decimal("0.00")


def record_visits(
    ctx: Context,
    visits: list[PlannedVisit],
    progress: Callable[[int], None] | None = None,
    chunk: int = 500,
) -> Entered:
    """Enter the charges, ``chunk`` encounters to a transaction."""
    out = Entered()
    with ctx.uow() as uow:
        chargemaster = Chargemaster(tuple(uow.fee_schedule.list()))
    for start in range(0, len(visits), chunk):
        part = visits[start : start + chunk]
        with ctx.uow() as uow:
            for enc in charges.record_encounters(ctx, uow, [v.data for v in part], chargemaster):
                out.encounters += 1
                out.lines += len(enc.lines)
                out.charges += sum(
                    (ln.charge.amount for ln in enc.lines if ln.charge), start=Decimal("0.00")
                )
            uow.commit()
        if progress is not None:
            progress(len(part))
    return out
