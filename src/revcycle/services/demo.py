"""The synthetic practice of ``revcycle demo``: deterministic for a seed.

Registration stage: one practice (family medicine and a cardiology specialty, each at its own
location) with its providers, the simulator's payers with their plans and enrollments, and
patients with coverages (self and dependents, Medicare with a Medigap secondary, one of them a
crossover, Medicaid, HMO), a few with a mistyped member ID the batch 270 catches. Later stages
add encounters, claims and payments.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from revcycle.domain.coverage import Coverage
from revcycle.domain.identifiers import npi_check_digit
from revcycle.domain.patient import Patient
from revcycle.domain.payer import Payer
from revcycle.domain.practice import Practice
from revcycle.domain.provider import Facility, Provider
from revcycle.domain.user import WRITE_PATIENTS
from revcycle.services import patients as patient_service
from revcycle.services import setup
from revcycle.services.context import Context
from revcycle.services.ports import UnitOfWork

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


def make_member_id(rng: random.Random) -> str:
    """A commercial member ID in the simulator payers' format."""
    return f"W{rng.randrange(10**8, 10**9)}"


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
    wrong_member_ids: list[Coverage] = field(default_factory=list)  # mistyped at the desk


DENIAL_SCENARIOS = {
    # patient index -> the simulator's scenario member ID (payer/data/scenarios.json)
    0: "1MN0A00AA05",  # denied as not medically necessary: appealed with records, overturned
    1: "1NC0A00AA07",  # a bundled service: written off
}


# Front-desk mistakes the batch 270 catches: a member ID the payer does not know (the
# simulator's ``unknown_member`` scenario answers AAA 75); the desk corrects it from the card.
WRONG_MEMBER_ID = "1UN0A00AA02"
FRONT_DESK_SCENARIOS = (6,)
# A Medicare patient whose Medigap plan has a crossover agreement: Medicare forwards the claim
# (MA18), revcycle records the crossover and does not bill the Medigap plan itself.
CROSSOVER_PATIENT = 9
CROSSOVER_MEMBER = ("1EG4TE5MK73", "MG1EG4TE5MK73")

# Family medicine (the practice's own taxonomy) and a cardiology specialty.
PROVIDERS = (
    ("Helen", "Okonkwo", "MD", "rendering,billing", "207Q00000X"),
    ("Marcus", "Lindgren", "DO", "rendering", "207R00000X"),
    ("Priya", "Raman", "NP", "rendering", "363LF0000X"),
    ("Samuel", "Ortiz", "MD", "rendering,referring", "207RC0000X"),
    ("Grace", "Whitfield", "MD", "supervising,rendering", "207Q00000X"),
    ("Anika", "Brandt", "MD", "rendering", "207RC0000X"),
)
CARDIOLOGY = "207RC0000X"
FACILITIES = (
    (
        "Prairie Family Medicine - Main Clinic",
        {"line1": "1200 Lincoln Ave", "line2": "Suite 200", "city": "Springfield", "state": "IL",
         "zip": "627011234"},
    ),
    (
        "Prairie Heart and Vascular",
        {"line1": "800 N Rutledge St", "city": "Springfield", "state": "IL", "zip": "627021832"},
    ),
)  # fmt: skip


def _address(rng: random.Random) -> dict[str, str]:
    return {
        "line1": f"{rng.randrange(100, 9900)} {rng.choice(STREETS)} St",
        "city": "Springfield",
        "state": "IL",
        "zip": f"627{rng.randrange(0, 100):02d}",
    }


def _dob(rng: random.Random, today: date, low: int, high: int) -> date:
    return today - timedelta(days=rng.randrange(low * 365 + 1, high * 365 - 1))


def _payers_and_plans(ctx: Context, demo: DemoPractice) -> dict[str, int]:
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
    return plans


def _coverages(
    rng: random.Random,
    i: int,
    kind: str,
    plans: dict[str, int],
    today: date,
    last: str,
    address: dict[str, str],
) -> list[dict[str, object]]:
    """The coverages patient ``i`` of ``kind`` presents at registration (scenario members
    planted at fixed indexes, see ``DENIAL_SCENARIOS`` and ``FRONT_DESK_SCENARIOS``)."""
    member = make_member_id(rng)
    if i in DENIAL_SCENARIOS:  # the payer will deny this patient's first visit: worked later
        member = DENIAL_SCENARIOS[i]
    elif i in FRONT_DESK_SCENARIOS or (i >= 24 and kind == "commercial" and rng.random() < 0.02):
        member = WRONG_MEMBER_ID  # a mistyped card: the 271 says the payer does not know it
    group = f"G{rng.randrange(10000, 99999)}"
    if kind == "commercial":
        return [{"plan_id": plans["SIMPPO"], "member_id": member, "group_number": group}]
    if kind == "hmo":
        return [{"plan_id": plans["SIMHMO"], "member_id": member, "group_number": group}]
    if kind == "medicare":
        mbi, medigap = make_mbi(rng), member
        if i == CROSSOVER_PATIENT:  # Medicare forwards this one's claims to the Medigap plan
            mbi, medigap = CROSSOVER_MEMBER
        return [
            {"plan_id": plans["SIMMCR"], "member_id": mbi},
            {"plan_id": plans["SIMMGP"], "member_id": medigap, "order": "secondary"},
        ]
    if kind == "medicaid":
        return [{"plan_id": plans["SIMMCD"], "member_id": f"{rng.randrange(10**10, 10**11)}"}]
    parent_sex = rng.choice("FM")
    return [
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
    ]


def register_demo_practice(
    operator: Context,
    seed: int,
    n_patients: int = 24,
    progress: Callable[[int], None] | None = None,
) -> DemoPractice:
    """Register the synthetic practice through the same use cases the CLI and API call:
    family medicine at the main clinic and cardiology at the heart clinic, the simulator's
    payers, ``n_patients`` insured patients (registered 500 to a transaction) and two uninsured
    ones. ``progress`` is told of each patient registered."""
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
    for first, last, cred, roles, tax in PROVIDERS:
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
    for name, address in FACILITIES:
        demo.facilities.append(
            setup.create_facility(
                ctx,
                {
                    "name": name,
                    "place_of_service": "11",
                    "npi": make_npi(rng),
                    "address": address,
                },
            )
        )
    plans = _payers_and_plans(ctx, demo)
    start = date(today.year - 1, 1, 1)
    ctx.require(WRITE_PATIENTS)
    for chunk in range(0, n_patients, 500):
        with ctx.uow() as uow:
            _register_insured(
                ctx, uow, demo, rng, range(chunk, min(n_patients, chunk + 500)), plans, today, start
            )
            uow.commit()
        if progress is not None:
            progress(min(n_patients, chunk + 500) - chunk)
    for j, (first, last, sex) in enumerate((("Rosa", "Delgado", "F"), ("Tom", "Becker", "M"))):
        # uninsured: they get a Good Faith Estimate before their visit, and pay themselves
        patient = patient_service.register_patient(
            ctx,
            {
                "mrn": f"PF{900000 + j}",
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


def _register_insured(
    ctx: Context,
    uow: UnitOfWork,
    demo: DemoPractice,
    rng: random.Random,
    indexes: range,
    plans: dict[str, int],
    today: date,
    start: date,
) -> None:
    """Insured patients ``indexes`` with their coverages, registered together (their details
    are drawn first, in the order one-by-one registration drew them)."""
    people: list[dict[str, object]] = []
    presented: list[list[dict[str, object]]] = []
    for i in indexes:
        kind = ("commercial", "commercial", "hmo", "medicare", "medicaid", "dependent")[i % 6]
        sex = rng.choice("FM")
        first = rng.choice(FIRST_F if sex == "F" else FIRST_M)
        last = LAST_NAMES[i % len(LAST_NAMES)]
        age_range = {"medicare": (66, 90), "dependent": (3, 17), "medicaid": (1, 60)}.get(
            kind, (19, 64)
        )
        address = _address(rng)
        people.append(
            {
                "mrn": f"PF{1000 + i}",
                "first_name": first,
                "last_name": last,
                "sex": sex,
                "dob": _dob(rng, today, *age_range),
                "address": address,
                "phone": f"217555{rng.randrange(1000, 9999)}",
            }
        )
        presented.append(_coverages(rng, i, kind, plans, today, last, address))
    patients = patient_service.register_patients_in(ctx, uow, people, True)
    items: list[tuple[int, dict[str, object]]] = []
    for i, patient, covs in zip(indexes, patients, presented, strict=True):
        assert patient.id is not None
        demo.patients.append(patient)
        if i in DENIAL_SCENARIOS:
            demo.denial_scenarios.append(patient)
        items.extend((patient.id, cov | {"effective": start}) for cov in covs)
    for coverage in patient_service.add_coverages_in(ctx, uow, items):
        demo.coverages.append(coverage)
        if coverage.member_id == WRONG_MEMBER_ID:
            demo.wrong_member_ids.append(coverage)
