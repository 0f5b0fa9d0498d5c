"""A user of practice A can never read or change practice B's data, through any route."""

import pytest

from revcycle.domain.errors import DomainValidationError, NotFound
from revcycle.services import patients, setup
from tests.conftest import patient_data, practice_data


@pytest.fixture
def two_practices(operator):
    a = setup.create_practice(operator, practice_data(legal_name="Practice A"))
    b = setup.create_practice(operator, practice_data(legal_name="Practice B", tin="987654321"))
    ctx_a, ctx_b = operator.with_practice(a.id), operator.with_practice(b.id)
    for ctx in (ctx_a, ctx_b):
        payer = setup.create_payer(ctx, {"name": "Acme", "payer_id": "SIMPPO"})
        setup.add_plan(ctx, payer.id, {"name": "PPO", "claim_filing_indicator": "12"})
    pb = patients.register_patient(ctx_b, patient_data(mrn="B1"))
    cb = patients.add_coverage(
        ctx_b, pb.id, {"payer": "SIMPPO", "member_id": "B-MEMBER", "effective": "2026-01-01"}
    )
    return ctx_a, ctx_b, pb, cb


def test_services_scope_every_read_and_write_to_the_context_practice(two_practices):
    ctx_a, ctx_b, pb, cb = two_practices
    with pytest.raises(NotFound):
        patients.get_patient(ctx_a, pb.id)
    with pytest.raises(NotFound):
        patients.update_patient(ctx_a, pb.id, {"first_name": "Hacked"})
    with pytest.raises(NotFound):
        patients.get_coverage(ctx_a, cb.id)
    with pytest.raises(NotFound):
        patients.update_coverage(ctx_a, cb.id, {"member_id": "X"})
    with pytest.raises(NotFound):
        patients.add_coverage(
            ctx_a, pb.id, {"payer": "SIMPPO", "member_id": "X", "effective": "2026-01-01"}
        )
    assert patients.search_patients(ctx_a, name="Rivera") == []
    assert patients.search_patients(ctx_a, member_id="B-MEMBER") == []
    assert patients.get_patient(ctx_b, pb.id).first_name == "Ana"


def test_same_mrn_may_exist_in_two_practices(two_practices):
    ctx_a, _, _, _ = two_practices
    assert patients.register_patient(ctx_a, patient_data(mrn="B1")).mrn == "B1"


def test_plan_of_another_practice_is_unknown(two_practices):
    ctx_a, ctx_b, _, cb = two_practices
    pa = patients.register_patient(ctx_a, patient_data(mrn="A1"))
    with pytest.raises(DomainValidationError) as info:
        patients.add_coverage(
            ctx_a, pa.id, {"plan_id": cb.plan_id, "member_id": "X", "effective": "2026-01-01"}
        )
    assert info.value.errors[0].reason == "unknown_plan"
    assert setup.list_payers(ctx_a)[0].id != setup.list_payers(ctx_b)[0].id
