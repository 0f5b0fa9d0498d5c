"""Charge entry, registration and the statement run in batches: a batch stores what entering
the items one by one stores, raises the error of its first invalid item (naming the field) with
nothing of the batch written, and reads and writes in chunks under the databases' parameter
limits."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from revcycle.db.patient_billing_repo import billing_store
from revcycle.domain.errors import DomainValidationError, DuplicatePatient, NotFound
from revcycle.domain.fees import Chargemaster
from revcycle.services import charges, patients, statements
from revcycle.services.billing_common import (
    LineInfo,
    line_info,
    owed,
    patient_lines,
    patient_lines_many,
)
from tests.conftest import patient_data
from tests.integration.test_patient_billing import adjudicate, visit

BEYOND_ONE_STATEMENT = 10_001  # more ids than one IN list takes


def _chargemaster(uow) -> Chargemaster:
    return Chargemaster(tuple(uow.fee_schedule.list()))


def _mixed_encounters(billing, prefix: str) -> list[dict]:
    return [
        billing.encounter(external_ref=f"{prefix}-1"),
        billing.encounter(
            billing.hmo_pt,
            external_ref=f"{prefix}-2",
            referring_provider_id=billing.referring,
            referral_number="RF1",
            lines=[
                {"procedure": "99214", "pointers": "1"},
                {"procedure": "97110", "units": "2", "charge": "99.99", "pointers": "2"},
            ],
        ),
        billing.encounter(billing.medicare_pt, dos_from="2025-12-01"),  # before its coverage
        billing.encounter(billing.child_pt, external_ref=f"{prefix}-4"),
    ]


def _comparable(enc):
    lines = tuple(dataclasses.replace(ln, id=None, entered_at=None) for ln in enc.lines)
    return dataclasses.replace(enc, id=None, external_ref=None, lines=lines)


def test_a_batch_of_encounters_is_stored_as_entering_them_one_by_one_stores_them(billing):
    ctx = billing.ctx
    with ctx.uow() as uow:
        one_by_one = [
            charges.record_encounter(ctx, uow, data, _chargemaster(uow))
            for data in _mixed_encounters(billing, "SINGLE")
        ]
        uow.commit()
    with ctx.uow() as uow:
        batch = charges.record_encounters(
            ctx, uow, _mixed_encounters(billing, "BATCH"), _chargemaster(uow)
        )
        uow.commit()
    assert [_comparable(e) for e in batch] == [_comparable(e) for e in one_by_one]
    assert batch[2].coverage_ids == ()  # no coverage active on that date
    with ctx.uow() as uow:
        stored = [uow.encounters.get(e.id) for e in batch]
    assert [[ln.id for ln in e.lines] for e in stored] == [[ln.id for ln in e.lines] for e in batch]
    assert [e.external_ref for e in stored] == ["BATCH-1", "BATCH-2", None, "BATCH-4"]
    with ctx.uow() as uow:
        audited = uow.audit.entries(ctx.practice_id, record_type="encounter", limit=20)
    assert {e.record_id for e in audited} == {str(e.id) for e in one_by_one + batch}


@pytest.mark.parametrize(
    ("bad", "fields"),
    [
        ({"facility_id": 9999}, {"facility_id"}),
        ({"rendering_provider_id": "REFERRING"}, {"rendering_provider_id"}),
        ({"lines": [{"procedure": "99215", "pointers": "1"}]}, {"lines.1.charge"}),
        ({"coverage_ids": [9999]}, {"coverage_ids.1"}),
        ({"patient_id": 9999}, {"patient_id"}),
        ({"place_of_service": "X"}, {"place_of_service"}),
    ],
)
def test_a_bad_encounter_in_a_batch_raises_its_error_and_writes_nothing(billing, bad, fields):
    if bad.get("rendering_provider_id") == "REFERRING":
        bad = {"rendering_provider_id": billing.referring}
    ctx = billing.ctx
    datas = [billing.encounter(), billing.encounter(**bad), billing.encounter()]
    with ctx.uow() as uow:
        before = len(uow.encounters.list())
        with pytest.raises(DomainValidationError) as info:
            charges.record_encounters(ctx, uow, datas, _chargemaster(uow))
        assert {e.field for e in info.value.errors} == fields
        assert len(uow.encounters.list()) == before  # nothing of the batch, even uncommitted


def test_the_first_invalid_encounter_in_order_is_the_one_reported(billing):
    ctx = billing.ctx
    datas = [
        billing.encounter(),
        billing.encounter(facility_id=9999),  # a reference error, found after parsing
        billing.encounter(place_of_service="X"),  # a format error, found while parsing
    ]
    with ctx.uow() as uow, pytest.raises(DomainValidationError) as info:
        charges.record_encounters(ctx, uow, datas, _chargemaster(uow))
    assert [e.field for e in info.value.errors] == ["facility_id"]


def test_an_external_reference_taken_before_or_earlier_in_the_batch_is_a_duplicate(billing):
    ctx = billing.ctx
    charges.enter_charges(ctx, billing.encounter(external_ref="TAKEN"))
    for refs in (["NEW-1", "TAKEN"], ["NEW-2", "NEW-3", "NEW-2"]):
        with ctx.uow() as uow:
            with pytest.raises(DomainValidationError) as info:
                charges.record_encounters(
                    ctx, uow, [billing.encounter(external_ref=r) for r in refs], _chargemaster(uow)
                )
            assert [(e.field, e.reason) for e in info.value.errors] == [
                ("external_ref", "duplicate")
            ]
            assert uow.encounters.existing_external_refs(refs) == {"TAKEN"} & set(refs)


def test_a_large_batch_is_written_and_read_back_under_the_parameter_limits(billing):
    ctx = billing.ctx
    datas = [
        billing.encounter(
            external_ref=f"BIG-{i}",
            lines=[
                {"procedure": "99213", "pointers": "1"},
                {"procedure": "93000", "pointers": "2"},
            ],
        )
        for i in range(2_000)  # 4,000 lines of 18 values: more than one statement takes
    ]
    with ctx.uow() as uow:
        stored = charges.record_encounters(ctx, uow, datas, _chargemaster(uow))
        uow.commit()
    assert len(stored) == 2_000 and len({e.id for e in stored}) == 2_000
    assert len({ln.id for e in stored for ln in e.lines}) == 4_000
    with ctx.uow() as uow:
        last = uow.encounters.get(stored[-1].id)
        assert [(ln.id, ln.procedure, ln.charge) for ln in last.lines] == [
            (ln.id, ln.procedure, ln.charge) for ln in stored[-1].lines
        ]
        refs = [f"BIG-{i}" for i in range(BEYOND_ONE_STATEMENT)]
        assert len(uow.encounters.existing_external_refs(refs)) == 2_000
        many = uow.patients.get_many([*range(1, BEYOND_ONE_STATEMENT), billing.self_pt])
        assert billing.self_pt in {p.id for p in many}


# ---- registration ----------------------------------------------------------------------------


NAMES = ("Ada", "Bea", "Cyd", "Dee", "Eve")


def _people(n: int, first: int = 0, family: str = "Batch") -> list[dict]:
    return [
        patient_data(mrn=f"B{first + i}", first_name=NAMES[i], last_name=f"{family}{NAMES[i]}")
        for i in range(n)
    ]


def test_patients_registered_together_are_registered_as_one_by_one(operator, billing):
    ctx = billing.ctx
    with ctx.uow() as uow:
        batch = patients.register_patients_in(ctx, uow, _people(3), False)
        uow.commit()
    with ctx.uow() as uow:
        single = [
            patients.register_patient_in(ctx, uow, p, False)
            for p in _people(3, first=10, family="Single")
        ]
        uow.commit()
    assert [
        dataclasses.replace(p, id=None, mrn="", account_number="", last_name="") for p in batch
    ] == [dataclasses.replace(p, id=None, mrn="", account_number="", last_name="") for p in single]
    with ctx.uow() as uow:
        assert list(uow.patients.get_many([p.id for p in batch])) == list(batch)
    no_mrn = [{**p, "mrn": ""} for p in _people(2, first=20, family="Numbered")]
    with ctx.uow() as uow:
        numbered = patients.register_patients_in(ctx, uow, no_mrn, True)
    assert len({p.mrn for p in numbered}) == 2


def test_a_duplicate_in_a_registration_batch_raises_and_registers_none(billing):
    ctx = billing.ctx
    twice = _people(2)
    twice[1]["mrn"] = twice[0]["mrn"]
    same_person = [*_people(1), {**_people(1)[0], "mrn": "OTHER"}]
    cases = [
        (twice, DomainValidationError),
        ([patient_data(mrn="S1", first_name="Other")], DomainValidationError),  # stored
        (same_person, DuplicatePatient),
    ]
    for datas, error in cases:
        with ctx.uow() as uow:
            before = len(uow.patients.list())
            with pytest.raises(error):
                patients.register_patients_in(ctx, uow, datas, False)
            assert len(uow.patients.list()) == before
    with ctx.uow() as uow:  # allowed: the look-alike is registered
        assert len(patients.register_patients_in(ctx, uow, same_person, True)) == 2


def test_coverages_added_together_see_the_earlier_ones_of_the_batch(billing):
    ctx = billing.ctx
    with ctx.uow() as uow:
        [pt] = patients.register_patients_in(ctx, uow, _people(1), True)
        primary = {"payer": "SIMMCR", "member_id": "1EG4TE5MK99", "effective": "2026-01-01"}
        secondary = {"payer": "SIMPPO", "member_id": "W9", "order": "secondary",
                     "effective": "2026-01-01"}  # fmt: skip
        with pytest.raises(DomainValidationError) as info:  # no primary yet
            patients.add_coverages_in(ctx, uow, [(pt.id, secondary)])
        assert info.value.errors[0].reason == "no_primary"
        added = patients.add_coverages_in(ctx, uow, [(pt.id, primary), (pt.id, secondary)])
        assert [c.order for c in added] == ["primary", "secondary"]
        assert uow.coverages.for_patients([pt.id, 9999]) == {pt.id: list(added)}
        with pytest.raises(NotFound):
            tertiary = {**secondary, "payer": "SIMHMO", "order": "tertiary"}
            patients.add_coverages_in(ctx, uow, [(pt.id, tertiary), (9999, primary)])


# ---- the statement run -----------------------------------------------------------------------


@pytest.fixture
def owing(billing, engine) -> list[int]:
    for patient, dos, share in (
        (billing.self_pt, "2026-06-01", "20.00"),
        (billing.self_pt, "2026-04-20", "30.00"),
        (billing.hmo_pt, "2026-05-01", "50.00"),
        (billing.child_pt, "2026-06-01", "8.00"),
    ):
        adjudicate(
            billing, engine, visit(billing, patient, dos, "99213", "93000"), patient_share=share
        )
    return [billing.self_pt, billing.hmo_pt, billing.child_pt]


def test_account_lines_read_together_equal_each_account_read_alone(billing, owing):
    ctx = billing.ctx
    with ctx.uow() as uow:
        st = billing_store(uow)
        together = patient_lines_many(uow, st, [*owing, billing.medicare_pt])
        assert together == {pid: patient_lines(uow, st, pid) for pid in owing}
        assert st.ledger.line_totals_many(owing) == {
            pid: st.ledger.line_totals(pid) for pid in owing
        }
        claims = sorted({ln.totals.claim_id for lines in together.values() for ln in lines})
        infos = line_info(uow, [*claims, "999999", "not-a-claim"])
        for claim_id in claims:  # what the claim's encounter says, read the long way
            record = uow.claims.get(int(claim_id))
            enc = uow.encounters.get(record.encounter_id)
            by_id = {ln.id: ln for ln in enc.lines}
            for cl in record.lines:
                src = by_id[cl.encounter_line_id]
                assert infos[(claim_id, str(cl.id))] == LineInfo(src.dos_from, src.procedure)
        assert uow.encounters.claim_line_services(range(1, BEYOND_ONE_STATEMENT)).keys() == {
            (int(c), int(ln)) for c, ln in infos
        }


def test_a_statement_run_in_small_chunks_makes_each_account_its_statement(
    billing, owing, monkeypatch
):
    monkeypatch.setattr(statements, "CHUNK", 1)  # every account a chunk of its own
    run = statements.run_statements(billing.ctx, date(2026, 6, 30), store=billing_store)
    assert [s.patient_id for s in run.statements] == sorted(owing)
    assert [s.number for s in run.statements] == ["S0000001", "S0000002", "S0000003"]
    with billing.ctx.uow() as uow:
        st = billing_store(uow)
        for s in run.statements:
            assert s.amount_due == owed(patient_lines(uow, st, s.patient_id))
            assert st.records.statement(s.number) == s
        audited = uow.audit.entries(billing.ctx.practice_id, record_type="patient", limit=50)
    assert sorted(e.record_id for e in audited if e.action == "statement") == [
        str(p) for p in sorted(owing)
    ]
