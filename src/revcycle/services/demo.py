"""The synthetic practice of ``revcycle demo``: deterministic for a seed.

Registration stage: one practice with its providers, a facility, the simulator's payers with
their plans and enrollments, and patients with coverages (self and dependents, Medicare with a
Medigap secondary, Medicaid, HMO). Later stages add encounters, claims and payments.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from revcycle.domain.coverage import Coverage
from revcycle.domain.identifiers import npi_check_digit
from revcycle.domain.patient import Patient
from revcycle.domain.payer import Payer
from revcycle.domain.practice import Practice
from revcycle.domain.provider import Facility, Provider
from revcycle.services import patients as patient_service
from revcycle.services import setup
from revcycle.services.context import Context

LAST_NAMES = [
    "Alvarez",
    "Bennett",
    "Carter",
    "Delgado",
    "Ellison",
    "Foster",
    "Garcia",
    "Hughes",
    "Ibarra",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Morales",
    "Nguyen",
    "Okafor",
    "Patel",
    "Quinlan",
    "Rasmussen",
    "Schultz",
    "Tanaka",
    "Underwood",
    "Vasquez",
    "Whitaker",
    "Yamada",
    "Zimmerman",
    "Abernathy",
    "Brooks",
    "Castillo",
    "Dunn",
    "Everett",
]
FIRST_F = [
    "Amelia",
    "Beatrice",
    "Clara",
    "Dolores",
    "Elena",
    "Fiona",
    "Grace",
    "Hana",
    "Iris",
    "June",
    "Keiko",
    "Lena",
    "Maya",
    "Nora",
    "Olive",
]
FIRST_M = [
    "Aaron",
    "Benjamin",
    "Caleb",
    "Diego",
    "Elias",
    "Felix",
    "Gabriel",
    "Hector",
    "Isaac",
    "Jonah",
    "Kenji",
    "Luis",
    "Mateo",
    "Noah",
    "Omar",
]
STREETS = [
    "Maple",
    "Oak",
    "Cedar",
    "Elm",
    "Walnut",
    "Birch",
    "Spruce",
    "Willow",
    "Aspen",
    "Juniper",
]

# The simulator's payers (the simulator issue gives them adjudication rules).
PAYERS = (
    {
        "name": "Acme Health PPO",
        "payer_id": "SIMPPO",
        "payer_class": "commercial",
        "timely_filing_days": 180,
        "plans": [("Acme Choice PPO", "PPO", "12")],
    },
    {
        "name": "Summit HMO",
        "payer_id": "SIMHMO",
        "payer_class": "commercial",
        "timely_filing_days": 90,
        "plans": [("Summit Select HMO", "HMO", "HM")],
    },
    {
        "name": "Medicare Part B (simulated MAC)",
        "payer_id": "SIMMCR",
        "payer_class": "medicare",
        "timely_filing_days": 365,
        "plans": [("Medicare Part B", "Medicare", "MB")],
    },
    {
        "name": "Liberty Medigap",
        "payer_id": "SIMMGP",
        "payer_class": "commercial",
        "timely_filing_days": 365,
        "plans": [("Liberty Medigap Plan G", "Medigap", "CI")],
    },
    {
        "name": "State Medicaid",
        "payer_id": "SIMMCD",
        "payer_class": "medicaid",
        "timely_filing_days": 95,
        "plans": [("State Medicaid Fee-for-Service", "Medicaid", "MC")],
    },
)


def make_npi(rng: random.Random) -> str:
    first_nine = "1" + "".join(str(rng.randrange(10)) for _ in range(8))
    return first_nine + str(npi_check_digit(first_nine))


_MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"


def make_mbi(rng: random.Random) -> str:
    def letter() -> str:
        return rng.choice(_MBI_LETTERS)

    def digit() -> str:
        return str(rng.randrange(10))

    def either() -> str:
        return rng.choice(_MBI_LETTERS + "0123456789")

    return (
        str(rng.randrange(1, 10))
        + letter()
        + either()
        + digit()
        + letter()
        + either()
        + digit()
        + letter()
        + letter()
        + digit()
        + digit()
    )


@dataclass
class DemoPractice:
    practice: Practice
    providers: list[Provider] = field(default_factory=list)
    facilities: list[Facility] = field(default_factory=list)
    payers: list[Payer] = field(default_factory=list)
    patients: list[Patient] = field(default_factory=list)
    coverages: list[Coverage] = field(default_factory=list)
    self_pay: list[Patient] = field(default_factory=list)  # uninsured patients
    denial_scenarios: list[Patient] = field(default_factory=list)  # see DENIAL_SCENARIOS


DENIAL_SCENARIOS = {
    # patient index -> the simulator's scenario member ID (payer/data/scenarios.json)
    0: "1MN0A00AA05",  # denied as not medically necessary: appealed with records, overturned
    1: "1NC0A00AA07",  # a bundled service: written off
}


def _address(rng: random.Random) -> dict[str, str]:
    return {
        "line1": f"{rng.randrange(100, 9900)} {rng.choice(STREETS)} St",
        "city": "Springfield",
        "state": "IL",
        "zip": f"627{rng.randrange(0, 100):02d}",
    }


def _dob(rng: random.Random, today: date, low: int, high: int) -> date:
    return today - timedelta(days=rng.randrange(low * 365 + 1, high * 365 - 1))


def register_demo_practice(operator: Context, seed: int, n_patients: int = 24) -> DemoPractice:
    """Register the synthetic practice through the same use cases the CLI and API call."""
    rng = random.Random(seed)
    today = operator.clock.today()
    practice = setup.create_practice(
        operator,
        {
            "legal_name": "Prairie Family Medicine LLC",
            "tin": f"{rng.randrange(10, 99)}{rng.randrange(1000000, 9999999)}",
            "group_npi": make_npi(rng),
            "taxonomy": "207Q00000X",
            "billing_address": {
                "line1": "1200 Lincoln Ave",
                "line2": "Suite 200",
                "city": "Springfield",
                "state": "IL",
                "zip": "627011234",
            },
            "pay_to_address": {
                "line1": "PO Box 4410",
                "city": "Springfield",
                "state": "IL",
                "zip": "627084410",
            },
            "phone": "2175550100",
        },
    )
    assert practice.id is not None
    ctx = operator.with_practice(practice.id)
    demo = DemoPractice(practice)
    for first, last, cred, roles, tax in (
        ("Helen", "Okonkwo", "MD", "rendering,billing", "207Q00000X"),
        ("Marcus", "Lindgren", "DO", "rendering", "207R00000X"),
        ("Priya", "Raman", "NP", "rendering", "363LF0000X"),
        ("Samuel", "Ortiz", "MD", "referring", "207RC0000X"),
        ("Grace", "Whitfield", "MD", "supervising,rendering", "207Q00000X"),
    ):
        demo.providers.append(
            setup.create_provider(
                ctx,
                {
                    "npi": make_npi(rng),
                    "first_name": first,
                    "last_name": last,
                    "credential": cred,
                    "roles": roles,
                    "taxonomy": tax,
                    "active_from": date(2020, 1, 1),
                },
            )
        )
    demo.facilities.append(
        setup.create_facility(
            ctx,
            {
                "name": "Prairie Family Medicine - Main Clinic",
                "place_of_service": "11",
                "npi": practice.group_npi,
                "address": {
                    "line1": "1200 Lincoln Ave",
                    "line2": "Suite 200",
                    "city": "Springfield",
                    "state": "IL",
                    "zip": "627011234",
                },
            },
        )
    )
    plans: dict[str, int] = {}
    for spec in PAYERS:
        payer = setup.create_payer(
            ctx, {k: v for k, v in spec.items() if k != "plans"} | {"route": "simulator"}
        )
        assert payer.id is not None
        demo.payers.append(payer)
        for name, ptype, cfi in spec["plans"]:  # type: ignore[attr-defined]
            plan = setup.add_plan(
                ctx, payer.id, {"name": name, "plan_type": ptype, "claim_filing_indicator": cfi}
            )
            assert plan.id is not None
            plans[str(spec["payer_id"])] = plan.id
        setup.add_enrollment(
            ctx,
            payer.id,
            {
                "edi": True,
                "era": True,
                "eft": True,
                "participation": "participating",
                "effective": date(2020, 1, 1),
            },
        )
    start = date(today.year - 1, 1, 1)
    for i in range(n_patients):
        kind = ("commercial", "commercial", "hmo", "medicare", "medicaid", "dependent")[i % 6]
        sex = rng.choice("FM")
        first = rng.choice(FIRST_F if sex == "F" else FIRST_M)
        last = LAST_NAMES[i % len(LAST_NAMES)]
        age_range = {"medicare": (66, 90), "dependent": (3, 17), "medicaid": (1, 60)}.get(
            kind, (19, 64)
        )
        address = _address(rng)
        patient = patient_service.register_patient(
            ctx,
            {
                "mrn": f"PF{1000 + i}",
                "first_name": first,
                "last_name": last,
                "sex": sex,
                "dob": _dob(rng, today, *age_range),
                "address": address,
                "phone": f"217555{rng.randrange(1000, 9999)}",
            },
            allow_duplicate=True,
        )
        assert patient.id is not None
        demo.patients.append(patient)
        if i in DENIAL_SCENARIOS:
            demo.denial_scenarios.append(patient)
        member = f"W{rng.randrange(10**8, 10**9)}"
        if i in DENIAL_SCENARIOS:  # the payer will deny this patient's first visit: worked later
            member = DENIAL_SCENARIOS[i]
        group = f"G{rng.randrange(10000, 99999)}"
        covs: list[dict[str, object]] = []
        if kind == "commercial":
            covs.append({"plan_id": plans["SIMPPO"], "member_id": member, "group_number": group})
        elif kind == "hmo":
            covs.append({"plan_id": plans["SIMHMO"], "member_id": member, "group_number": group})
        elif kind == "medicare":
            covs.append({"plan_id": plans["SIMMCR"], "member_id": make_mbi(rng)})
            covs.append({"plan_id": plans["SIMMGP"], "member_id": member, "order": "secondary"})
        elif kind == "medicaid":
            covs.append(
                {"plan_id": plans["SIMMCD"], "member_id": f"{rng.randrange(10**10, 10**11)}"}
            )
        else:
            parent_sex = rng.choice("FM")
            covs.append(
                {
                    "plan_id": plans["SIMPPO"],
                    "member_id": member,
                    "group_number": group,
                    "relationship": "19",
                    "subscriber": {
                        "first_name": rng.choice(FIRST_F if parent_sex == "F" else FIRST_M),
                        "last_name": last,
                        "sex": parent_sex,
                        "dob": _dob(rng, today, 30, 50),
                        "address": address,
                    },
                }
            )
        for cov in covs:
            demo.coverages.append(
                patient_service.add_coverage(ctx, patient.id, cov | {"effective": start})
            )
    for j, (first, last, sex) in enumerate((("Rosa", "Delgado", "F"), ("Tom", "Becker", "M"))):
        # uninsured: they get a Good Faith Estimate before their visit, and pay themselves
        patient = patient_service.register_patient(
            ctx,
            {
                "mrn": f"PF{2000 + j}",
                "first_name": first,
                "last_name": last,
                "sex": sex,
                "dob": _dob(rng, today, 25, 60),
                "address": _address(rng),
                "phone": f"217555{rng.randrange(1000, 9999)}",
            },
            allow_duplicate=True,
        )
        demo.patients.append(patient)
        demo.self_pay.append(patient)
    return demo
