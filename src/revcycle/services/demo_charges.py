"""The demo's charge-entry stage: the practice's fee schedule and a month of encounters.

Visits are drawn with a fixed seed from a small catalogue of common primary-care services with
fitting diagnoses. About one encounter in twelve carries a mistake a real office makes (a
category code instead of a billable one, a missing referral or authorization, a therapy code
without its Medicare modifier), so the scrubber has something to stop.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from revcycle.domain.encounter import Encounter
from revcycle.domain.fees import Chargemaster
from revcycle.services import charges
from revcycle.services.context import Context
from revcycle.services.demo import DemoPractice

FEES = {
    "99202": "110.00", "99203": "165.00", "99212": "85.00", "99213": "125.00", "99214": "185.00",
    "99215": "250.00", "99395": "210.00", "99396": "225.00", "G0439": "175.00", "93000": "55.00",
    "36415": "15.00", "80053": "42.00", "83036": "35.00", "85025": "28.00", "81002": "12.00",
    "90471": "30.00", "90686": "40.00", "20610": "210.00", "97110": "65.00", "70551": "950.00",
    "11102": "140.00", "J1100": "12.50",
}  # fmt: skip

# (procedures with units, diagnoses): visits that make clinical sense together.
VISITS: tuple[tuple[tuple[tuple[str, str], ...], tuple[str, ...]], ...] = (
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
MISTAKES = ("non_billable", "no_referral", "no_authorization", "therapy_without_gp")


@dataclass
class DemoEncounters:
    encounters: list[Encounter] = field(default_factory=list)
    mistakes: dict[str, int] = field(default_factory=dict)


def enter_demo_charges(ctx: Context, demo: DemoPractice, seed: int, n: int) -> DemoEncounters:
    rng = random.Random(seed * 7919 + 1)
    for code, amount in FEES.items():
        charges.add_fee(ctx, {"procedure": code, "amount": amount, "effective": "2020-01-01"})
    today = ctx.clock.today()
    rendering = [p for p in demo.providers if "rendering" in p.roles]
    referring = next(p for p in demo.providers if "referring" in p.roles)
    facility = demo.facilities[0]
    covered = {c.patient_id for c in demo.coverages}
    plan_of = {c.patient_id: c.plan_id for c in demo.coverages if c.order == "primary"}
    payer_by_plan = {}
    with ctx.uow() as uow:
        for plan in uow.plans.list():
            payer_by_plan[plan.id] = uow.payers.get(plan.payer_id).payer_id
    out = DemoEncounters()
    with ctx.uow() as uow:
        chargemaster = Chargemaster(tuple(uow.fee_schedule.list()))
        for i in range(n):
            patient = rng.choice([p for p in demo.patients if p.id in covered])
            if i < len(demo.denial_scenarios):  # their first visits: denials the demo works
                patient = demo.denial_scenarios[i]
            payer = payer_by_plan[plan_of[patient.id or 0]]
            procedures, dx = rng.choice(VISITS)
            dos = today - timedelta(days=rng.randrange(3, 35))
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
                "rendering_provider_id": rng.choice(rendering).id,
                "facility_id": facility.id,
                "place_of_service": "11",
                "diagnoses": list(dx),
                "lines": lines,
                "external_ref": f"DEMO-{seed}-{i + 1:05d}",
            }
            if payer == "SIMHMO":
                data["referral_number"] = f"RF{rng.randrange(10**6, 10**7)}"
                data["referring_provider_id"] = referring.id
            mistake = MISTAKES[i % len(MISTAKES)] if rng.random() < 1 / 12 else None
            if mistake == "non_billable":
                data["diagnoses"] = ["E11", *dx[1:]]
            elif mistake == "no_referral" and payer == "SIMHMO":
                data.pop("referral_number")
            elif mistake == "no_authorization" and payer == "SIMHMO":
                data["lines"] = [{"procedure": "70551", "pointers": "1"}]
            elif mistake == "therapy_without_gp" and payer == "SIMMCR":
                data["lines"] = [*lines, {"procedure": "97110", "units": "2", "pointers": "1"}]
            else:
                mistake = None
            if mistake:
                out.mistakes[mistake] = out.mistakes.get(mistake, 0) + 1
            out.encounters.append(charges.record_encounter(ctx, uow, data, chargemaster))
        uow.commit()
    return out
