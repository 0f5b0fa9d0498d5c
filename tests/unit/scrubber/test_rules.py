"""The scrubber on a table of deliberately broken claims: each yields exactly the expected
rule codes (no missing, no extra), and a table of variants that each rule lets pass."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from revcycle.domain import claim as x
from revcycle.domain.authorization import Authorization
from revcycle.domain.money import Money
from revcycle.domain.payer import Enrollment, Payer, Plan
from revcycle.domain.provider import Facility
from revcycle.scrubber import EligibilitySnapshot, PriorService, load_payer_rules, scrub
from revcycle.scrubber.payer_rules import parse_payer_rules
from revcycle.scrubber.registry import all_rules
from tests.unit.scrubber.builders import (
    ADDRESS,
    COVERAGE,
    DOS,
    PATIENT,
    X_ADDRESS,
    claim,
    line,
    provider,
    scrub_input,
    with_claim,
)

HMO_PAYER = Payer("Summit HMO", "SIMHMO", "commercial", 90, "simulator", id=2)
HMO_PLAN = Plan(2, "HMO", "HMO", "HM", id=2)
MCR_PAYER = Payer("Medicare Part B", "SIMMCR", "medicare", 365, "simulator", id=3)
MCR_PLAN = Plan(3, "Part B", "Medicare", "MB", id=3)
MCD_PAYER = Payer("State Medicaid", "SIMMCD", "medicaid", 95, "simulator", id=4)
MBI = "1EG4TE5MK73"


def medicare(**claim_kw):
    sub = x.Subscriber(
        x.Person("Rivera", "Ana", birth_date=date(1980, 4, 2), sex="F", address=X_ADDRESS),
        MBI,
        claim_filing_indicator="MB",
    )
    return scrub_input(
        claim=claim(subscriber=sub, payer=x.Payer("Medicare", "SIMMCR"), **claim_kw),
        payer=MCR_PAYER,
        plan=MCR_PLAN,
        payer_rule=load_payer_rules().for_payer("SIMMCR"),
    )


def hmo(**claim_kw):
    return scrub_input(
        claim=claim(payer=x.Payer("Summit HMO", "SIMHMO"), **claim_kw),
        payer=HMO_PAYER,
        plan=HMO_PLAN,
        payer_rule=load_payer_rules().for_payer("SIMHMO"),
    )


def cob(paid="50.00", adjust="70.00", amt_d=True):
    la = x.LineAdjudication(
        1,
        Money(paid),
        "99213",
        Decimal(1),
        DOS,
        adjustments=(x.ClaimAdjustment("CO", "45", Money(adjust)),),
    )
    other = x.OtherPayer(
        x.Payer("First Payer", "FIRST"),
        x.Person("Rivera", "Ana"),
        "F1",
        paid=Money(paid) if amt_d else None,
        line_adjudications=(la,),
    )
    return with_claim(
        other_payers=(other,),
        subscriber=x.Subscriber(
            x.Person("Rivera", "Ana", birth_date=date(1980, 4, 2), sex="F", address=X_ADDRESS),
            "W100",
            payer_responsibility="S",
            claim_filing_indicator="12",
        ),
    )


def po_box():
    bp = x.Provider(
        "Test Family Practice",
        npi="1234567893",
        tax_id="123456789",
        address=x.Address("PO Box 12", "Springfield", "IL", "627011234"),
    )
    return with_claim(billing_provider=bp)


BROKEN = {
    "no diagnoses": (lambda: with_claim(diagnoses=()), {"R01", "R17"}),
    "no member id": (
        lambda: with_claim(subscriber=x.Subscriber(x.Person("Rivera", "Ana"), "")),
        {"R01"},
    ),
    "dependent without patient loop": (
        lambda: with_claim(
            subscriber=x.Subscriber(x.Person("Rivera", "Luis"), "W100", relationship="")
        ),
        {"R01"},
    ),
    "total differs from lines": (lambda: with_claim(total_charge=Money("999.00")), {"R02"}),
    "zero total": (lambda: with_claim(lines=(line(charge="0.00"),)), {"R03"}),
    "negative line": (
        lambda: with_claim(lines=(line(charge="-5.00"), line("93000", "50.00", 2, pointers=(2,)))),
        {"R03"},
    ),
    "rendering npi check digit": (
        lambda: with_claim(rendering_provider=provider(npi="1558444217")),
        {"R04"},
    ),
    "referring npi prefix": (
        lambda: with_claim(
            referring_provider=x.Provider("Ortiz", npi="3234567896", is_person=True)
        ),
        {"R04"},
    ),
    "tin 8 digits": (
        lambda: with_claim(
            billing_provider=x.Provider("P", npi="1234567893", tax_id="12345678", address=X_ADDRESS)
        ),
        {"R05"},
    ),
    "no billing npi": (
        lambda: with_claim(
            billing_provider=x.Provider("P", npi="", tax_id="123456789", address=X_ADDRESS)
        ),
        {"R06"},
    ),
    "po box billing address": (po_box, {"R07"}),
    "billing zip 5": (
        lambda: with_claim(
            billing_provider=x.Provider(
                "P",
                npi="1234567893",
                tax_id="123456789",
                address=x.Address("1 Main St", "X", "IL", "62701"),
            )
        ),
        {"R08"},
    ),
    "facility zip 5": (
        lambda: with_claim(
            service_facility=x.Provider(
                "Clinic", npi="1234567893", address=x.Address("1 Main St", "X", "IL", "62701")
            )
        ),
        {"R08"},
    ),
    "dob in future": (
        lambda: scrub_input(patient=replace(PATIENT, dob=date(2026, 6, 20))),
        {"R09", "R10"},
    ),
    "age 150": (lambda: scrub_input(patient=replace(PATIENT, dob=date(1870, 1, 1))), {"R09"}),
    "dos in future": (lambda: with_claim(lines=(line(service_date=date(2026, 7, 1)),)), {"R10"}),
    "dos after death": (
        lambda: scrub_input(patient=replace(PATIENT, date_of_death=date(2026, 5, 1))),
        {"R10"},
    ),
    "coverage ended": (
        lambda: scrub_input(coverage=replace(COVERAGE, termination=date(2026, 5, 31))),
        {"R11"},
    ),
    "271 says inactive": (
        lambda: scrub_input(
            eligibility=EligibilitySnapshot("W100", "Rivera", "Ana", None, None, active=False)
        ),
        {"R11"},
    ),
    "271 member differs": (
        lambda: scrub_input(eligibility=EligibilitySnapshot("W999", "Rivera", "Ana", None, None)),
        {"R12"},
    ),
    "271 name differs": (
        lambda: scrub_input(eligibility=EligibilitySnapshot("W100", "Rivers", "Ana", None, None)),
        {"R12"},
    ),
    "271 names another payer primary": (
        lambda: scrub_input(
            eligibility=EligibilitySnapshot(
                "W100", "Rivera", "Ana", None, None, other_payer_primary="BLUE PLAN"
            )
        ),
        {"R39"},
    ),
    "past timely filing": (
        lambda: scrub_input(payer=replace(scrub_input().payer, timely_filing_days=10)),
        {"R13"},
    ),
    "timely filing near": (
        lambda: scrub_input(payer=replace(scrub_input().payer, timely_filing_days=20)),
        {"R13"},
    ),
    "non-billable icd": (
        lambda: with_claim(diagnoses=(x.Diagnosis("E11"), x.Diagnosis("I10"))),
        {"R14"},
    ),
    "malformed icd": (
        lambda: with_claim(diagnoses=(x.Diagnosis("XYZ"), x.Diagnosis("I10"))),
        {"R14"},
    ),
    "no version for dos": (
        lambda: scrub_input(
            today=date(2026, 11, 1), claim=claim(lines=(line(service_date=date(2026, 10, 15)),))
        ),
        {"R15"},
    ),
    "seventh character missing": (
        lambda: with_claim(diagnoses=(x.Diagnosis("S52501"), x.Diagnosis("I10"))),
        {"R16"},
    ),
    "five pointers": (
        lambda: with_claim(
            diagnoses=tuple(x.Diagnosis(c) for c in ("E119", "I10", "E785", "J449", "K219")),
            lines=(line(pointers=(1, 2, 3, 4, 5)),),
        ),
        {"R17"},
    ),
    "pointer to empty slot": (lambda: with_claim(lines=(line(pointers=(3,)),)), {"R17"}),
    "external cause first": (
        lambda: with_claim(diagnoses=(x.Diagnosis("W19XXXA"), x.Diagnosis("S52501A"))),
        {"R18"},
    ),
    "excludes1 pair": (
        lambda: with_claim(diagnoses=(x.Diagnosis("E109"), x.Diagnosis("E119"))),
        {"R18"},
    ),
    "newborn code on adult": (lambda: with_claim(diagnoses=(x.Diagnosis("P0730"),)), {"R19"}),
    "male-only code on female": (lambda: with_claim(diagnoses=(x.Diagnosis("N400"),)), {"R19"}),
    "malformed procedure": (lambda: with_claim(lines=(line("ABCDE"),)), {"R20"}),
    "unknown modifier": (lambda: with_claim(lines=(line(modifiers=("ZZ",)),)), {"R20"}),
    "ptp pair without modifier": (
        lambda: with_claim(lines=(line("20610", "210.00"), line("99213", "120.00", 2))),
        {"R21", "R23"},
    ),
    "units over mue": (
        lambda: with_claim(lines=(line("20610", "630.00", units=Decimal(3)),)),
        {"R22"},
    ),
    "25 on a non-E/M": (
        lambda: with_claim(lines=(line("93000", "45.00", modifiers=("25",)),)),
        {"R23"},
    ),
    "59 with no pair": (
        lambda: with_claim(lines=(line(), line("93000", "45.00", 2, modifiers=("59",)))),
        {"R24"},
    ),
    "59 where X fits": (
        lambda: with_claim(
            lines=(line("11042", "300.00"), line("97597", "90.00", 2, modifiers=("59",)))
        ),
        {"R24"},
    ),
    "26 and TC together": (
        lambda: with_claim(lines=(line("71046", "80.00", modifiers=("26", "TC")),)),
        {"R25"},
    ),
    "26 on E/M": (lambda: with_claim(lines=(line(modifiers=("26",)),)), {"R25"}),
    "RT on a left-knee diagnosis": (
        lambda: with_claim(
            diagnoses=(x.Diagnosis("M1712"),), lines=(line("20610", "210.00", modifiers=("RT",)),)
        ),
        {"R26"},
    ),
    "unassigned pos": (lambda: with_claim(place_of_service="30"), {"R27"}),
    "outpatient billed as office": (
        lambda: scrub_input(facility=Facility("HOPD", ADDRESS, "22", id=3)),
        {"R27"},
    ),
    "medicaid taxonomy missing": (
        lambda: scrub_input(
            claim=claim(rendering_provider=provider(tax="")),
            payer=MCD_PAYER,
            payer_rule=load_payer_rules().for_payer("SIMMCD"),
        ),
        {"R28"},
    ),
    "anesthesia by family medicine": (
        lambda: with_claim(lines=(line("00790", "400.00"),)),
        {"R28"},
    ),
    "replacement without F8": (lambda: with_claim(frequency=x.Frequency.REPLACEMENT), {"R29"}),
    "original with F8": (lambda: with_claim(original_reference="ICN123"), {"R29"}),
    "cob line not balanced": (lambda: cob(adjust="20.00"), {"R30"}),
    "cob paid amount missing": (lambda: cob(amt_d=False), {"R30"}),
    "hmo mri without authorization": (
        lambda: hmo(referral_number="R1", lines=(line("70551", "900.00"),)),
        {"R31"},
    ),
    "authorization does not cover": (
        lambda: replace(
            hmo(referral_number="R1", prior_authorization="PA9", lines=(line("70551", "900.00"),)),
            authorizations=(
                Authorization(
                    1, 2, "authorization", "PA9", date(2026, 1, 1), date(2026, 3, 31), ("70551",)
                ),
            ),
        ),
        {"R31"},
    ),
    "hmo without referral": (hmo, {"R36"}),
    "medicare screening without ABN modifier": (
        lambda: medicare(lines=(line("G0439", "150.00"),)),
        {"R32"},
    ),
    "medicare member not an MBI": (
        lambda: replace(
            medicare(),
            claim=replace(
                medicare().claim,
                subscriber=replace(medicare().claim.subscriber, member_id="123456789A"),
            ),
        ),
        {"R33"},
    ),
    "duplicate of an open claim": (lambda: scrub_input(duplicates=((1, 42),)), {"R34"}),
    "not enrolled": (lambda: scrub_input(enrollments=()), {"R35"}),
    "enrollment ended": (
        lambda: scrub_input(
            enrollments=(
                Enrollment(
                    1, None, True, True, True, "participating", date(2020, 1, 1), date(2025, 12, 31)
                ),
            )
        ),
        {"R35"},
    ),
    "inside a global period": (
        lambda: scrub_input(prior_services=(PriorService("27447", date(2026, 5, 20), 7),)),
        {"R37"},
    ),
    "medicare therapy without GP": (lambda: medicare(lines=(line("97110", "60.00"),)), {"R38"}),
}

PASSING = {
    "clean office visit": scrub_input,
    "E/M with 25 beside a procedure": lambda: with_claim(
        lines=(line("20610", "210.00"), line("99213", "120.00", 2, modifiers=("25",)))
    ),
    "XS bypasses a pair": lambda: with_claim(
        lines=(line("11042", "300.00"), line("97597", "90.00", 2, modifiers=("XS",)))
    ),
    "ECG beside a visit needs no 25": lambda: with_claim(lines=(line(), line("93000", "45.00", 2))),
    "replacement with F8": lambda: with_claim(
        frequency=x.Frequency.REPLACEMENT, original_reference="ICN123"
    ),
    "medicare with GA": lambda: medicare(lines=(line("G0439", "150.00", modifiers=("GA",)),)),
    "medicare therapy with GP": lambda: medicare(
        lines=(line("97110", "60.00", modifiers=("GP",)),)
    ),
    "hmo with referral and authorization on file": lambda: replace(
        hmo(referral_number="R1", prior_authorization="PA9", lines=(line("70551", "900.00"),)),
        authorizations=(
            Authorization(
                1, 2, "authorization", "PA9", date(2026, 1, 1), date(2026, 12, 31), ("70551",), 1
            ),
        ),
    ),
    "visit in global period with 24": lambda: scrub_input(
        claim=claim(lines=(line(modifiers=("24",)),)),
        prior_services=(PriorService("27447", date(2026, 5, 20), 7),),
    ),
    "global period of another provider": lambda: scrub_input(
        prior_services=(PriorService("27447", date(2026, 5, 20), 99),)
    ),
    "RT on a right-knee diagnosis": lambda: with_claim(
        diagnoses=(x.Diagnosis("M1711"),), lines=(line("20610", "210.00", modifiers=("RT",)),)
    ),
    "balanced cob line": cob,
    "group enrollment covers everyone": lambda: scrub_input(
        enrollments=(Enrollment(1, None, True, False, False, "participating", date(2020, 1, 1)),)
    ),
    "271 agrees": lambda: scrub_input(
        eligibility=EligibilitySnapshot("W100", "RIVERA", "A", date(2026, 1, 1), None)
    ),
    "dependent with patient loop": lambda: with_claim(
        subscriber=x.Subscriber(x.Person("Rivera", "Luis"), "W100", relationship=""),
        patient=x.Patient(x.Person("Rivera", "Ana", birth_date=date(1980, 4, 2), sex="F"), "19"),
    ),
}


def test_the_broken_claim_table_is_large_enough():
    assert len(BROKEN) >= 40


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_claim_yields_exactly_the_expected_rules(case):
    build, expected = BROKEN[case]
    codes = {f.code for f in scrub(build())}
    assert codes == expected


@pytest.mark.parametrize("case", sorted(PASSING))
def test_variant_passes_every_rule(case):
    assert scrub(PASSING[case]()) == []


def test_every_rule_fails_somewhere_in_the_table():
    covered = set().union(*(expected for _, expected in BROKEN.values()))
    assert {r.code for r in all_rules()} <= covered


def test_every_rule_documents_its_business_rule():
    for rule in all_rules():
        assert rule.doc, rule.code


def test_a_payer_can_switch_a_rule_off():
    rules = parse_payer_rules({"SIMHMO": {"disabled_rules": ["R36"]}})
    assert scrub(replace(hmo(), payer_rule=rules.for_payer("SIMHMO"))) == []


def test_a_rule_that_crashes_holds_the_claim():
    from revcycle.scrubber.registry import Rule

    def broken(_):
        raise RuntimeError("boom")

    [f] = scrub(scrub_input(), [Rule("R99", "broken", broken)])
    assert (f.code, f.severity) == ("R99", "error")


def test_payer_rules_file_errors_name_the_key(tmp_path):
    from revcycle.domain.errors import DomainValidationError

    bad = tmp_path / "rules.json"
    bad.write_text('{"SIMHMO": {"referral": true}}')
    with pytest.raises(DomainValidationError) as info:
        load_payer_rules(bad)
    assert info.value.errors[0].field == "SIMHMO.referral"
    bad.write_text("{not json")
    with pytest.raises(DomainValidationError) as info:
        load_payer_rules(bad)
    assert "line 1" in info.value.errors[0].message
