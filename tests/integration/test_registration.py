"""Registration use cases on the real database (SQLite, and PostgreSQL in the second pass)."""

from datetime import date

import pytest
from sqlalchemy import func, select

from revcycle.db import tables
from revcycle.domain.errors import DomainValidationError, DuplicatePatient, NotFound
from revcycle.services import patients, setup
from tests.conftest import patient_data, practice_data


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_registered_patient_reads_back_with_generated_mrn(practice_ctx):
    p = patients.register_patient(
        practice_ctx, patient_data(middle_name="Luz", phone="217-555-0199")
    )
    again = patients.get_patient(practice_ctx, p.id)
    assert again == p
    assert p.mrn == "000001" and p.account_number == "000001"


def test_patient_with_coverage_and_dependent_subscriber(practice_ctx):
    p = patients.register_patient(practice_ctx, patient_data(dob="2015-03-03"))
    c = patients.add_coverage(
        practice_ctx,
        p.id,
        {
            "payer": "SIMPPO",
            "member_id": "w555",
            "effective": "2026-01-01",
            "relationship": "19",
            "subscriber": {
                "last_name": "Rivera",
                "first_name": "Luis",
                "dob": "1979-01-01",
                "sex": "M",
                "address": {
                    "line1": "12 Oak St",
                    "city": "Springfield",
                    "state": "IL",
                    "zip": "62704",
                },
            },
        },
    )
    assert c.member_id == "W555"
    assert c.subscriber is not None and c.subscriber.dob == date(1979, 1, 1)
    assert patients.list_coverages(practice_ctx, p.id) == [c]


def test_secondary_then_primary_and_medicare_secondary(practice_ctx):
    p = patients.register_patient(practice_ctx, patient_data(dob="1950-01-01"))
    with pytest.raises(DomainValidationError) as info:
        patients.add_coverage(
            practice_ctx,
            p.id,
            {
                "payer": "SIMMCR",
                "member_id": "1EG4TE5MK73",
                "effective": "2026-01-01",
                "order": "secondary",
                "insurance_type_code": "12",
            },
        )
    assert info.value.errors[0].field == "order"
    patients.add_coverage(
        practice_ctx, p.id, {"payer": "SIMPPO", "member_id": "E1", "effective": "2026-01-01"}
    )
    sec = patients.add_coverage(
        practice_ctx,
        p.id,
        {
            "payer": "SIMMCR",
            "member_id": "1EG4TE5MK73",
            "effective": "2026-01-01",
            "order": "secondary",
            "insurance_type_code": "12",
        },
    )
    assert sec.order == "secondary" and sec.insurance_type_code == "12"


def test_unknown_payer_is_a_field_error_and_writes_nothing(practice_ctx, engine):
    p = patients.register_patient(practice_ctx, patient_data())
    before = count(engine, tables.coverages)
    with pytest.raises(DomainValidationError) as info:
        patients.add_coverage(
            practice_ctx, p.id, {"payer": "NOPE", "member_id": "X1", "effective": "2026-01-01"}
        )
    assert (info.value.errors[0].field, info.value.errors[0].reason) == ("payer", "unknown_payer")
    assert count(engine, tables.coverages) == before


def test_duplicate_patient_is_refused_with_existing_mrn_unless_overridden(practice_ctx, engine):
    first = patients.register_patient(practice_ctx, patient_data(mrn="A100"))
    with pytest.raises(DuplicatePatient) as info:
        patients.register_patient(practice_ctx, patient_data(first_name="Anabel"))
    assert info.value.existing_mrn == "A100"
    assert count(engine, tables.patients) == 1
    second = patients.register_patient(
        practice_ctx, patient_data(first_name="Anabel"), allow_duplicate=True
    )
    assert second.id != first.id


def test_duplicate_mrn_is_a_field_error(practice_ctx, engine):
    patients.register_patient(practice_ctx, patient_data(mrn="A100"))
    with pytest.raises(DomainValidationError) as info:
        patients.register_patient(practice_ctx, patient_data(mrn="a100", last_name="Other"))
    assert (info.value.errors[0].field, info.value.errors[0].reason) == ("mrn", "duplicate")
    assert count(engine, tables.patients) == 1


def test_search_by_name_dob_mrn_and_member_id(practice_ctx):
    a = patients.register_patient(practice_ctx, patient_data(mrn="M1"))
    b = patients.register_patient(
        practice_ctx, patient_data(mrn="M2", last_name="Riviera", first_name="Bo", dob="1990-01-01")
    )
    patients.add_coverage(
        practice_ctx, b.id, {"payer": "SIMPPO", "member_id": "ZX9", "effective": "2026-01-01"}
    )
    assert [p.mrn for p in patients.search_patients(practice_ctx, name="riv")] == ["M1", "M2"]
    assert [p.mrn for p in patients.search_patients(practice_ctx, name="Rivera, Ana")] == ["M1"]
    assert [p.mrn for p in patients.search_patients(practice_ctx, name="ana rivera")] == ["M1"]
    assert [p.id for p in patients.search_patients(practice_ctx, dob=date(1990, 1, 1))] == [b.id]
    assert [p.id for p in patients.search_patients(practice_ctx, mrn="m1")] == [a.id]
    assert [p.id for p in patients.search_patients(practice_ctx, member_id="zx9")] == [b.id]


def test_update_patient_revalidates_the_whole_record(practice_ctx):
    p = patients.register_patient(practice_ctx, patient_data())
    updated = patients.update_patient(
        practice_ctx, p.id, {"address": {"zip": "62702-1111"}, "email": "a@b.org"}
    )
    assert updated.address.zip == "627021111" and updated.address.line1 == "12 Oak St"
    with pytest.raises(DomainValidationError):
        patients.update_patient(practice_ctx, p.id, {"dob": "2030-01-01"})
    assert patients.get_patient(practice_ctx, p.id) == updated


def test_coverage_termination_and_update(practice_ctx):
    p = patients.register_patient(practice_ctx, patient_data())
    c = patients.add_coverage(
        practice_ctx, p.id, {"payer": "SIMPPO", "member_id": "W1", "effective": "2026-01-01"}
    )
    with pytest.raises(DomainValidationError) as info:
        patients.update_coverage(practice_ctx, c.id, {"termination": "2025-01-01"})
    assert info.value.errors[0].field == "termination"
    done = patients.update_coverage(practice_ctx, c.id, {"termination": "2026-05-31"})
    assert done.termination == date(2026, 5, 31)


def test_practice_provider_facility_payer_round_trip(operator):
    practice = setup.create_practice(
        operator,
        practice_data(
            pay_to_address={
                "line1": "PO Box 9",
                "city": "Springfield",
                "state": "IL",
                "zip": "62708",
            }
        ),
    )
    ctx = operator.with_practice(practice.id)
    assert setup.get_practice(ctx) == practice
    prov = setup.create_provider(
        ctx, {"npi": "1234567893", "first_name": "Ada", "last_name": "Okafor", "roles": "rendering"}
    )
    assert setup.update_provider(ctx, prov.id, {"credential": "MD"}).credential == "MD"
    fac = setup.create_facility(
        ctx,
        {
            "name": "Main",
            "place_of_service": "11",
            "address": {"line1": "1 Main St", "city": "X", "state": "IL", "zip": "62701"},
        },
    )
    assert setup.list_facilities(ctx) == [fac]
    with pytest.raises(DomainValidationError) as info:
        setup.create_facility(
            ctx,
            {
                "name": "Bad",
                "place_of_service": "30",
                "address": {"line1": "1 Main St", "city": "X", "state": "IL", "zip": "62701"},
            },
        )
    assert info.value.errors[0].reason == "pos_unknown"
    payer = setup.create_payer(ctx, {"name": "Acme", "payer_id": "ACME"})
    enr = setup.add_enrollment(
        ctx, payer.id, {"provider_id": prov.id, "era": True, "effective": "2026-01-01"}
    )
    assert setup.list_enrollments(ctx, payer.id) == [enr]
    with pytest.raises(DomainValidationError):
        setup.create_payer(ctx, {"name": "Acme 2", "payer_id": "acme"})
    with pytest.raises(NotFound):
        setup.get_provider(ctx, 99999)
