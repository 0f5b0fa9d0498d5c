"""A clean claim and its records, built in memory, that each scrubber test breaks one way."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from revcycle.codesets import CodeSets, default_codesets
from revcycle.codesets.ncci import MueEdit, MueTable, PtpEdit, PtpTable
from revcycle.codesets.pfs import RvuRow, RvuTable
from revcycle.domain import claim as x
from revcycle.domain.coverage import Coverage
from revcycle.domain.identifiers import Npi, Phone, StateCode, Taxonomy, Tin, Zip
from revcycle.domain.money import Money
from revcycle.domain.patient import Patient
from revcycle.domain.payer import Enrollment, Payer, Plan
from revcycle.domain.practice import Practice
from revcycle.domain.provider import Provider
from revcycle.domain.values import Address
from revcycle.scrubber import ScrubInput, load_payer_rules

TODAY = date(2026, 6, 15)
DOS = date(2026, 6, 1)
ADDRESS = Address("100 Main St", "Springfield", StateCode("IL"), Zip("627011234"))
X_ADDRESS = x.Address("100 Main St", "Springfield", "IL", "627011234")


def _rvu(code: str, global_days: str = "XXX", pctc: str = "0") -> RvuRow:
    z = Decimal(0)
    return RvuRow(
        code,
        "",
        "",
        "A",
        Decimal(1),
        Decimal(1),
        False,
        Decimal(1),
        False,
        z,
        pctc,
        global_days,
        "0",
        "0",
        Decimal("33.4009"),
    )


@cache
def codesets() -> CodeSets:
    ptp = PtpTable.from_rows(
        [
            PtpEdit("20610", "99213", date(2020, 1, 1), None, 1),
            PtpEdit("11042", "97597", date(2020, 1, 1), None, 1),
            PtpEdit("93000", "93010", date(2020, 1, 1), None, 0),
        ]
    )
    mue = MueTable.from_rows(
        [MueEdit("99213", 1, 2), MueEdit("20610", 2, 1), MueEdit("J1100", 10, 3)]
    )
    rvu = RvuTable.from_rows(
        [
            _rvu("20610", "000"),
            _rvu("27447", "090"),
            _rvu("11042", "000"),
            _rvu("99213"),
            _rvu("71046", "XXX", "1"),
            _rvu("93000", "XXX", "0"),
        ]
    )
    return default_codesets().with_ncci(ptp, mue).with_fee_schedule(rvu, None)


def line(code: str = "99213", charge: str = "120.00", n: int = 1, **kw: Any) -> x.ServiceLine:
    return x.ServiceLine(
        procedure_code=code,
        charge=Money(charge),
        units=kw.pop("units", Decimal(1)),
        service_date=kw.pop("service_date", DOS),
        line_control_number=f"P1C0000001L{n:02d}",
        diagnosis_pointers=kw.pop("pointers", (1,)),
        **kw,
    )


def provider(npi: str = "1558444216", tax: str = "207Q00000X") -> x.Provider:
    return x.Provider("Okonkwo", npi=npi, first_name="Helen", is_person=True, taxonomy=tax)


def claim(**kw: Any) -> x.Claim:
    lines = kw.pop("lines", (line(),))
    data: dict[str, Any] = {
        "kind": x.ClaimKind.PROFESSIONAL,
        "patient_control_number": "P1C0000001",
        "total_charge": Money.sum(li.charge for li in lines),
        "billing_provider": x.Provider(
            "Test Family Practice",
            npi="1234567893",
            taxonomy="207Q00000X",
            tax_id="123456789",
            address=X_ADDRESS,
        ),
        "subscriber": x.Subscriber(
            x.Person("Rivera", "Ana", birth_date=date(1980, 4, 2), sex="F", address=X_ADDRESS),
            "W100",
            claim_filing_indicator="12",
        ),
        "payer": x.Payer("Acme Health PPO", "SIMPPO"),
        "diagnoses": (x.Diagnosis("E119"), x.Diagnosis("I10")),
        "lines": lines,
        "rendering_provider": provider(),
    }
    data.update(kw)
    return x.Claim(**data)


PATIENT = Patient("S1", "S1", "Rivera", "Ana", date(1980, 4, 2), "F", ADDRESS, id=1)
PPO_PLAN = Plan(1, "PPO", "PPO", "12", id=1)
PAYER = Payer("Acme Health PPO", "SIMPPO", "commercial", 180, "simulator", id=1)
COVERAGE = Coverage(1, 1, "primary", "W100", "18", date(2026, 1, 1), id=1)
RENDERING = Provider(
    "individual",
    Npi("1558444216"),
    ("rendering",),
    "Okonkwo",
    "Helen",
    taxonomy=Taxonomy("207Q00000X"),
    id=7,
)
PRACTICE = Practice(
    "Test Family Practice",
    Tin("123456789"),
    Npi("1234567893"),
    Taxonomy("207Q00000X"),
    ADDRESS,
    Phone("2175550100"),
    id=1,
)
ENROLLED = (Enrollment(1, None, True, True, True, "participating", date(2020, 1, 1)),)


def scrub_input(**kw: Any) -> ScrubInput:
    payer = kw.pop("payer", PAYER)
    data: dict[str, Any] = {
        "claim": claim(),
        "practice": PRACTICE,
        "patient": PATIENT,
        "coverage": COVERAGE,
        "plan": PPO_PLAN,
        "payer": payer,
        "rendering": RENDERING,
        "today": TODAY,
        "codesets": codesets(),
        "payer_rule": load_payer_rules().for_payer(payer.payer_id),
        "enrollments": ENROLLED,
    }
    data.update(kw)
    return ScrubInput(**data)


def with_claim(**kw: Any) -> ScrubInput:
    return scrub_input(claim=claim(**kw))


def replace_claim(inp: ScrubInput, **kw: Any) -> ScrubInput:
    return replace(inp, claim=replace(inp.claim, **kw))
