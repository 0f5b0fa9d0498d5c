from datetime import date

import pytest

from revcycle.domain.coverage import Coverage, check_coordination, parse_coverage
from revcycle.domain.errors import DomainValidationError
from revcycle.domain.patient import parse_patient
from revcycle.domain.payer import Plan, parse_enrollment, parse_payer
from revcycle.domain.practice import parse_practice
from revcycle.domain.provider import parse_facility, parse_provider
from tests.conftest import patient_data, practice_data

TODAY = date(2026, 6, 15)
PPO = Plan(payer_id=1, name="PPO", plan_type="PPO", claim_filing_indicator="12", id=10)
MEDICARE = Plan(payer_id=2, name="Part B", plan_type="Medicare", claim_filing_indicator="MB", id=20)


def fields_of(exc: DomainValidationError) -> dict[str, str]:
    return {e.field: e.reason for e in exc.errors}


def errors(fn, *args, **kwargs) -> dict[str, str]:
    with pytest.raises(DomainValidationError) as info:
        fn(*args, **kwargs)
    return fields_of(info.value)


def test_practice_billing_address_must_be_a_street_with_zip_plus_4():
    assert parse_practice(practice_data()).billing_address.zip == "627011234"
    po_box = practice_data(
        billing_address={
            "line1": "PO Box 12",
            "city": "Springfield",
            "state": "IL",
            "zip": "627011234",
        }
    )
    assert errors(parse_practice, po_box) == {"billing_address.line1": "po_box"}
    short_zip = practice_data(
        billing_address={"line1": "1 Main St", "city": "Springfield", "state": "IL", "zip": "62701"}
    )
    assert errors(parse_practice, short_zip) == {"billing_address.zip": "zip9_required"}


def test_practice_reports_every_bad_field_at_once():
    bad = practice_data(group_npi="1234567890", tin="12", phone="1")
    assert set(errors(parse_practice, bad)) == {"group_npi", "tin", "phone"}


def test_provider_roles_and_dates():
    p = parse_provider(
        {
            "npi": "1234567893",
            "last_name": "Okafor",
            "first_name": "Ada",
            "roles": "rendering, billing",
        }
    )
    assert p.roles == ("billing", "rendering")
    assert errors(
        parse_provider,
        {"npi": "1234567893", "last_name": "X", "first_name": "Y", "roles": "surgeon"},
    ) == {"roles": "role_unknown"}
    bad_dates = {
        "npi": "1234567893",
        "last_name": "X",
        "first_name": "Y",
        "roles": "rendering",
        "active_from": "2024-01-01",
        "active_to": "2023-01-01",
    }
    assert errors(parse_provider, bad_dates) == {"active_to": "ends_before_start"}


def test_organization_provider_needs_only_a_name():
    p = parse_provider(
        {"kind": "organization", "npi": "1234567893", "last_name": "Lab Corp", "roles": ["billing"]}
    )
    assert p.display_name == "Lab Corp"


def test_facility_needs_two_digit_pos():
    assert errors(
        parse_facility,
        {
            "name": "Clinic",
            "place_of_service": "1",
            "address": {"line1": "1 Main", "city": "X", "state": "IL", "zip": "62701"},
        },
    ) == {"place_of_service": "pos_format"}


def test_payer_defaults_and_limits():
    payer = parse_payer({"name": "Acme", "payer_id": "acme1"})
    assert (payer.payer_id, payer.timely_filing_days, payer.payer_class) == (
        "ACME1",
        365,
        "commercial",
    )
    assert errors(parse_payer, {"name": "Acme", "payer_id": "A1", "timely_filing_days": 0}) == {
        "timely_filing_days": "range"
    }


def test_enrollment_termination_after_effective():
    assert errors(
        parse_enrollment, {"effective": "2025-01-01", "termination": "2024-01-01"}, 1
    ) == {"termination": "ends_before_start"}


def test_patient_dob_in_future_is_refused():
    assert errors(parse_patient, patient_data(mrn="A1", dob="2026-06-16"), TODAY) == {
        "dob": "date_in_future"
    }


def test_patient_zip_and_state_are_checked():
    bad = patient_data(
        mrn="A1", address={"line1": "1 Oak", "city": "X", "state": "ZZ", "zip": "1234"}
    )
    assert errors(parse_patient, bad, TODAY) == {
        "address.state": "state_unknown",
        "address.zip": "zip_format",
    }


def test_patient_account_number_defaults_to_mrn():
    p = parse_patient(patient_data(mrn="a-17"), TODAY)
    assert (p.mrn, p.account_number) == ("A-17", "A-17")


def test_patient_date_of_death_not_before_birth():
    assert errors(parse_patient, patient_data(mrn="A1", date_of_death="1970-01-01"), TODAY) == {
        "date_of_death": "before_birth"
    }


def test_non_self_guarantor_needs_a_person():
    assert errors(
        parse_patient, patient_data(mrn="A1", guarantor_relationship="parent"), TODAY
    ) == {"guarantor": "required"}


def cov(**kw):
    data = {"member_id": "W123", "effective": "2026-01-01"} | kw
    return parse_coverage(
        data, patient_id=1, plan=kw.pop("plan", PPO) if "plan" in kw else PPO, today=TODAY
    )


def test_coverage_member_id_required():
    assert errors(
        parse_coverage,
        {"member_id": " ", "effective": "2026-01-01"},
        patient_id=1,
        plan=PPO,
        today=TODAY,
    ) == {"member_id": "required"}


def test_medicare_member_id_must_be_an_mbi():
    data = {"member_id": "123456789A", "effective": "2026-01-01"}
    assert errors(parse_coverage, data, patient_id=1, plan=MEDICARE, today=TODAY) == {
        "member_id": "mbi_format"
    }
    ok = parse_coverage(
        data | {"member_id": "1EG4-TE5-MK73"}, patient_id=1, plan=MEDICARE, today=TODAY
    )
    assert ok.member_id == "1EG4TE5MK73"


def test_coverage_termination_before_effective_is_refused():
    data = {"member_id": "W1", "effective": "2026-01-01", "termination": "2025-12-31"}
    assert errors(parse_coverage, data, patient_id=1, plan=PPO, today=TODAY) == {
        "termination": "ends_before_start"
    }


def test_relationship_code_must_be_in_the_list():
    data = {"member_id": "W1", "effective": "2026-01-01", "relationship": "02"}
    assert errors(parse_coverage, data, patient_id=1, plan=PPO, today=TODAY) == {
        "relationship": "relationship_unknown"
    }


def test_dependent_needs_full_subscriber():
    data = {
        "member_id": "W1",
        "effective": "2026-01-01",
        "relationship": "19",
        "subscriber": {"last_name": "Rivera"},
    }
    found = errors(parse_coverage, data, patient_id=1, plan=PPO, today=TODAY)
    assert {"subscriber.first_name", "subscriber.dob", "subscriber.sex"} <= set(found)


def test_medicare_secondary_needs_insurance_type_code():
    data = {"member_id": "1EG4TE5MK73", "effective": "2026-01-01", "order": "secondary"}
    assert errors(parse_coverage, data, patient_id=1, plan=MEDICARE, today=TODAY) == {
        "insurance_type_code": "required"
    }
    assert parse_coverage(
        data | {"insurance_type_code": "12"}, patient_id=1, plan=MEDICARE, today=TODAY
    )


def coverage(order: str, eff: str, term: str | None = None, id: int = 1) -> Coverage:
    return Coverage(
        1,
        10,
        order,
        "W1",
        "18",
        date.fromisoformat(eff),
        termination=date.fromisoformat(term) if term else None,
        id=id,
    )


def test_secondary_without_primary_is_refused():
    with pytest.raises(DomainValidationError) as info:
        check_coordination(coverage("secondary", "2026-01-01", id=None), [])
    assert fields_of(info.value) == {"order": "no_primary"}


def test_secondary_needs_primary_over_the_same_dates():
    old_primary = coverage("primary", "2020-01-01", "2021-12-31")
    with pytest.raises(DomainValidationError):
        check_coordination(coverage("secondary", "2026-01-01", id=None), [old_primary])
    check_coordination(
        coverage("secondary", "2026-01-01", id=None), [coverage("primary", "2025-01-01")]
    )


def test_two_primaries_over_the_same_dates_are_refused():
    with pytest.raises(DomainValidationError) as info:
        check_coordination(
            coverage("primary", "2026-03-01", id=None), [coverage("primary", "2025-01-01")]
        )
    assert fields_of(info.value) == {"order": "order_taken"}
