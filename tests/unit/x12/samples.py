"""Claims, remittances and helpers shared by the X12 tests (plain builders, no fixtures magic)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from revcycle.domain.claim import (
    Address,
    Claim,
    ClaimAdjustment,
    ClaimKind,
    Diagnosis,
    Drug,
    Frequency,
    InstitutionalInfo,
    LineAdjudication,
    OtherPayer,
    Patient,
    Payer,
    Person,
    Provider,
    ServiceLine,
    Subscriber,
)
from revcycle.domain.money import Money
from revcycle.x12.mapping.claim837 import Submitter
from revcycle.x12.writer import Envelope

NOW = datetime(2026, 3, 2, 14, 30)  # noqa: DTZ001 - a fixed wall-clock time for files
ENVELOPE = Envelope(sender_id="REVCYCLE", receiver_id="CLEARINGHOUSE")
SUBMITTER = Submitter(
    "HAPPY VALLEY CLINIC", "TGJ23", "JANE BILLER", "5555551234", "CLEARINGHOUSE", "66783JJT"
)
ADDRESS = Address("123 MAIN ST", "SPRINGFIELD", "IL", "627011234")
BILLING = Provider(
    "HAPPY VALLEY CLINIC",
    npi="1234567893",
    taxonomy="207Q00000X",
    tax_id="123456789",
    address=ADDRESS,
)
PAYER = Payer("ACME HEALTH", "ACME1")
JANE = Person(
    "DOE",
    "JANE",
    birth_date=date(1980, 5, 1),
    sex="F",
    address=Address("1 ELM ST", "SPRINGFIELD", "IL", "62701"),
)
TIMMY = Person("DOE", "TIMMY", birth_date=date(2015, 7, 9), sex="M", address=JANE.address)
RENDERING = Provider(
    "SMITH", npi="1497758544", first_name="ANNA", is_person=True, taxonomy="207Q00000X"
)
REFERRING = Provider("JONES", npi="1851300669", first_name="BOB", is_person=True)
SUPERVISING = Provider("BROWN", npi="1356458210", first_name="CARL", is_person=True)


def line(n: int, code: str = "99213", charge: str = "150.00", **kw: object) -> ServiceLine:
    return ServiceLine(
        procedure_code=code,
        charge=Money(charge),
        units=Decimal(1),
        service_date=date(2026, 2, 20),
        line_control_number=f"LCN{n:04d}",
        **kw,  # type: ignore[arg-type]
    )


def professional(**kw: object) -> Claim:
    lines = (line(1), line(2, "81002", "20.00", modifiers=("QW",)))
    base = Claim(
        kind=ClaimKind.PROFESSIONAL,
        patient_control_number="PCN123",
        total_charge=Money("170.00"),
        billing_provider=BILLING,
        subscriber=Subscriber(JANE, "MEM123456", group_number="GRP1"),
        payer=PAYER,
        diagnoses=(Diagnosis("J069"), Diagnosis("R05")),
        lines=lines,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def variety() -> dict[str, Claim]:
    """The broad variety the pyx12 test writes: every shape revcycle produces."""
    p = professional()
    dependent = replace(p, patient=Patient(TIMMY, "19"), patient_control_number="PCN-DEP")
    many = replace(
        p,
        patient_control_number="PCN-MANY",
        lines=tuple(
            line(i, "97110", "40.00", modifiers=("GP", "59", "KX", "XU")) for i in range(1, 8)
        ),
        total_charge=Money("280.00"),
        referring_provider=REFERRING,
        rendering_provider=RENDERING,
        supervising_provider=SUPERVISING,
        prior_authorization="AUTH777",
        referral_number="REF555",
        medical_record_number="MRN42",
        onset_date=date(2026, 2, 1),
    )
    ndc = replace(
        p,
        patient_control_number="PCN-NDC",
        lines=(line(1, "J1100", "30.00", drug=Drug("00009004722", Decimal("2"), "ML")),),
        total_charge=Money("30.00"),
    )
    replacement = replace(p, frequency=Frequency.REPLACEMENT, original_reference="ICN000123")
    void = replace(p, frequency=Frequency.VOID, original_reference="ICN000124")
    primary_payer = Payer("FIRST PAYER", "FIRST1")
    secondary = replace(
        p,
        patient_control_number="PCN-COB",
        subscriber=Subscriber(JANE, "SEC999", payer_responsibility="S"),
        other_payers=(
            OtherPayer(
                payer=primary_payer,
                subscriber=JANE,
                member_id="MEM123456",
                paid=Money("56.00"),
                remaining_patient_liability=Money("44.00"),
                line_adjudications=(
                    LineAdjudication(
                        1, Money("56.00"), "99213", Decimal(1), date(2026, 2, 27),
                        adjustments=(
                            ClaimAdjustment("CO", "45", Money("50.00")),
                            ClaimAdjustment("PR", "1", Money("30.00")),
                            ClaimAdjustment("PR", "2", Money("14.00")),
                        ),
                    ),
                    LineAdjudication(
                        2, Money("0.00"), "81002", Decimal(1), date(2026, 2, 27), modifiers=("QW",),
                        adjustments=(ClaimAdjustment("CO", "97", Money("20.00")),),
                    ),
                ),
            ),
        ),
    )  # fmt: skip
    inst_info = InstitutionalInfo(
        facility_type="13",
        statement_from=date(2026, 2, 20),
        statement_to=date(2026, 2, 21),
        admission_type="1",
        admission_source="7",
        patient_status="01",
        admission_date=date(2026, 2, 20),
        admission_hour="0930",
        admitting_diagnosis=Diagnosis("R0789"),
        reasons_for_visit=(Diagnosis("R0789"), Diagnosis("R0602")),
        attending_provider=RENDERING,
    )
    diags = tuple(
        Diagnosis(c, "Y")
        for c in ["I214"]
        + [f"E11{k}" for k in range(10)]
        + [f"Z79{k}" for k in range(10)]
        + ["I10", "E785", "N179", "R0602"]
    )
    institutional = replace(
        p,
        kind=ClaimKind.INSTITUTIONAL,
        patient_control_number="PCN-INST",
        institutional=inst_info,
        diagnoses=diags,
        lines=(
            line(1, "85025", "13.39", revenue_code="0305"),
            line(2, "93010", "76.56", revenue_code="0730"),
        ),
        total_charge=Money("89.95"),
    )
    inst_secondary = replace(
        institutional,
        patient_control_number="PCN-INST-COB",
        patient=Patient(TIMMY, "19"),
        subscriber=Subscriber(JANE, "SEC999", payer_responsibility="S"),
        other_payers=(
            OtherPayer(
                payer=primary_payer, subscriber=JANE, member_id="MEM123456", paid=Money("50.00"),
                adjudication_date=date(2026, 2, 27),
                adjustments=(ClaimAdjustment("CO", "45", Money("39.95")),),
            ),
        ),
    )  # fmt: skip
    return {
        "professional": p,
        "dependent": dependent,
        "many_lines_modifiers_providers": many,
        "ndc": ndc,
        "frequency_7": replacement,
        "frequency_8": void,
        "secondary_cob": secondary,
        "institutional_25_diagnoses": institutional,
        "institutional_dependent_cob": inst_secondary,
    }
