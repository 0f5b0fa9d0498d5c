"""Test claims built straight from the domain dataclasses."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from revcycle.domain.claim import (
    Address,
    Claim,
    ClaimKind,
    Diagnosis,
    Drug,
    InstitutionalInfo,
    Payer,
    Person,
    Provider,
    ServiceLine,
    Subscriber,
)
from revcycle.domain.money import Money

BILLING = Provider(
    "SUNNY VALLEY CLINIC",
    npi="1234567893",
    tax_id="123456789",
    address=Address("100 MAIN ST", "SPRINGFIELD", "IL", "627011234"),
)
RENDERING = Provider("HOUSE", npi="1487654321", first_name="GREGORY", is_person=True)
REFERRING = Provider("WILSON", npi="1598765432", first_name="JAMES", is_person=True)
INSURED = Person(
    "DOE",
    "JANE",
    "Q",
    birth_date=date(1980, 4, 12),
    sex="F",
    address=Address("12 ELM ST", "SPRINGFIELD", "IL", "62702"),
)
PAYER = Payer("ACME HEALTH", "ACME1", Address("PO BOX 1", "CHICAGO", "IL", "60601"))


def line(
    number: int,
    code: str = "99213",
    charge: str = "125.00",
    *,
    modifiers: tuple[str, ...] = (),
    pointers: tuple[int, ...] = (1,),
    drug: Drug | None = None,
    revenue_code: str = "",
    description: str = "",
) -> ServiceLine:
    return ServiceLine(
        procedure_code=code,
        charge=Money(charge),
        units=Decimal("1"),
        service_date=date(2026, 6, 1),
        line_control_number=f"LCN{number}",
        modifiers=modifiers,
        diagnosis_pointers=pointers,
        drug=drug,
        revenue_code=revenue_code,
        description=description,
    )


def professional(*lines: ServiceLine, **changes: object) -> Claim:
    lines = lines or (
        line(1, "99213", "125.00", modifiers=("25",), pointers=(1, 2)),
        line(2, "J1100", "42.50", pointers=(3,), drug=Drug("00409123401", Decimal("2"))),
    )
    claim = Claim(
        kind=ClaimKind.PROFESSIONAL,
        patient_control_number="PCN0001",
        total_charge=Money.sum(ln.charge for ln in lines),
        billing_provider=BILLING,
        subscriber=Subscriber(INSURED, "MEM123456", group_number="GRP77"),
        payer=PAYER,
        diagnoses=(Diagnosis("E119"), Diagnosis("I10"), Diagnosis("M545")),
        lines=lines,
        rendering_provider=RENDERING,
        referring_provider=REFERRING,
    )
    return replace(claim, **changes)  # type: ignore[arg-type]


def institutional(*lines: ServiceLine, **changes: object) -> Claim:
    lines = lines or (
        line(1, "80053", "210.00", revenue_code="0301", description="CHEMISTRY"),
        line(
            2, "71046", "380.25", modifiers=("26",), revenue_code="0324", description="CHEST XRAY"
        ),
    )
    claim = Claim(
        kind=ClaimKind.INSTITUTIONAL,
        patient_control_number="PCNI0001",
        total_charge=Money.sum(ln.charge for ln in lines),
        billing_provider=BILLING,
        subscriber=Subscriber(INSURED, "MEM999888", group_number="GRP77", group_name="ACME STAFF"),
        payer=PAYER,
        diagnoses=(Diagnosis("R0789", "Y"), Diagnosis("I10", "N"), Diagnosis("E119", "Y")),
        lines=lines,
        institutional=InstitutionalInfo(
            facility_type="13",
            statement_from=date(2026, 6, 1),
            statement_to=date(2026, 6, 1),
            admission_type="1",
            admission_source="1",
            admission_date=date(2026, 6, 1),
            admission_hour="0930",
            admitting_diagnosis=Diagnosis("R0789"),
            reasons_for_visit=(Diagnosis("R079"),),
            attending_provider=RENDERING,
        ),
    )
    return replace(claim, **changes)  # type: ignore[arg-type]
