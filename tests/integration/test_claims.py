"""Encounters become claims: fees, control numbers, lifecycle, scrub results, 837 output."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from revcycle.domain.claim_status import InvalidTransition
from revcycle.domain.errors import DomainValidationError
from revcycle.domain.money import Money
from revcycle.services import charges, claims
from revcycle.services.claim_builder import build_claim, load_sources
from revcycle.services.scrubbing import scrub_claims
from revcycle.x12.control import InMemoryControlNumbers
from revcycle.x12.mapping.claim837 import Submitter, write_837
from revcycle.x12.writer import Envelope
from tests.unit.x12.pyx12_helper import pyx12_errors

SUBMITTER = Submitter(
    "Test Family Practice", "SUB001", "Billing Office", "2175550100", "SIM CLEARINGHOUSE", "SIMCH"
)
ENVELOPE = Envelope(sender_id="SUB001", receiver_id="SIMCH")


def test_charges_come_from_the_fee_schedule_unless_entered(billing):
    enc = charges.enter_charges(
        billing.ctx,
        billing.encounter(
            lines=[
                {"procedure": "99213", "pointers": "1"},
                {"procedure": "93000", "modifiers": "26", "pointers": "2"},
                {
                    "procedure": "J1100",
                    "units": "3",
                    "pointers": "1",
                    "ndc": "00009-0047-01",
                    "ndc_unit": "ML",
                    "ndc_quantity": "1",
                },
                {"procedure": "97110", "units": "2", "charge": "99.99", "pointers": "1"},
            ]
        ),
    )
    assert [str(line.charge) for line in enc.lines] == ["120.00", "15.00", "37.50", "99.99"]
    assert [line.charge_source for line in enc.lines] == ["fee_schedule"] * 3 + ["entered"]
    assert all(line.entered_at is not None for line in enc.lines)


def test_line_without_fee_or_charge_is_refused(billing):
    with pytest.raises(DomainValidationError) as info:
        charges.enter_charges(
            billing.ctx, billing.encounter(lines=[{"procedure": "99215", "pointers": "1"}])
        )
    assert info.value.errors[0].field == "lines.1.charge"


def test_encounter_references_are_checked(billing):
    with pytest.raises(DomainValidationError) as info:
        charges.enter_charges(
            billing.ctx,
            billing.encounter(rendering_provider_id=billing.referring, facility_id=9999),
        )
    assert {e.field for e in info.value.errors} == {"rendering_provider_id", "facility_id"}


def test_anesthesia_minutes_become_units():
    from revcycle.domain.encounter import anesthesia_units

    assert anesthesia_units(47) == Decimal("3.1")
    assert anesthesia_units(60) == Decimal("4.0")


def test_create_claims_bills_the_primary_once(billing):
    enc = charges.enter_charges(
        billing.ctx,
        billing.encounter(
            lines=[
                {"procedure": "99214", "pointers": "1,2"},
                {"procedure": "93000", "pointers": "2"},
            ]
        ),
    )
    created = claims.create_claims(billing.ctx)
    assert len(created) == 1
    claim = created[0]
    assert claim.patient_control_number.startswith("P") and claim.status == "draft"
    assert [line.line_control_number for line in claim.lines] == [
        f"{claim.patient_control_number}L01",
        f"{claim.patient_control_number}L02",
    ]
    assert claim.total_charge == Money("220.00")
    assert claims.create_claims(billing.ctx) == []  # idempotent
    assert claims.create_claims(billing.ctx, [enc.id]) == []
    detail = claims.get_claim(billing.ctx, claim.id)
    assert [(e.from_status, e.to_status) for e in detail.history] == [(None, "draft")]


def test_invalid_transition_is_refused_and_recorded_ones_kept(billing):
    charges.enter_charges(billing.ctx, billing.encounter())
    [claim] = claims.create_claims(billing.ctx)
    with pytest.raises(InvalidTransition):
        claims.change_status(billing.ctx, claim.id, "paid", "test")
    claims.change_status(billing.ctx, claim.id, "voided", "entered in error")
    with pytest.raises(InvalidTransition):
        claims.change_status(billing.ctx, claim.id, "draft", "undo")
    assert [e.to_status for e in claims.get_claim(billing.ctx, claim.id).history] == [
        "draft",
        "voided",
    ]


def test_clean_claim_becomes_ready_and_first_pass_is_kept(billing):
    charges.enter_charges(billing.ctx, billing.encounter())
    [claim] = claims.create_claims(billing.ctx)
    [result] = scrub_claims(billing.ctx)
    assert [f.code for f in result.findings if f.severity == "error"] == []
    detail = claims.get_claim(billing.ctx, claim.id)
    assert detail.record.status == "ready" and detail.record.first_pass_clean is True
    assert [e.to_status for e in detail.history] == ["draft", "scrubbed_clean", "ready"]


def test_claim_with_errors_is_held_in_the_work_queue(billing):
    charges.enter_charges(
        billing.ctx,
        billing.encounter(patient=billing.hmo_pt, lines=[{"procedure": "70551", "pointers": "1"}]),
    )
    [claim] = claims.create_claims(billing.ctx)
    [result] = scrub_claims(billing.ctx)
    assert {f.code for f in result.findings if f.severity == "error"} == {"R31", "R36"}
    with billing.ctx.uow() as uow:
        [item] = uow.work_items.list("scrubber_hold")
    assert item.target_id == claim.id and "R31" in item.reason
    record = claims.get_claim(billing.ctx, claim.id).record
    assert record.status == "scrubbed_errors" and record.first_pass_clean is False


def test_every_837_built_from_test_encounters_passes_pyx12(billing, tmp_path):
    ctx = billing.ctx
    charges.enter_charges(ctx, billing.encounter())
    charges.enter_charges(
        ctx,
        billing.encounter(
            patient=billing.child_pt,
            referring_provider_id=billing.referring,
            lines=[
                {"procedure": "99213", "modifiers": "25", "pointers": "1"},
                {"procedure": "20610", "modifiers": "RT", "pointers": "2"},
                {
                    "procedure": "J1100",
                    "units": "2",
                    "pointers": "1",
                    "ndc": "00009004701",
                    "ndc_unit": "ML",
                    "ndc_quantity": "2",
                },
            ],
        ),
    )
    charges.enter_charges(
        ctx,
        billing.encounter(
            patient=billing.medicare_pt,
            diagnoses=["I10"],
            lines=[
                {"procedure": "99214", "pointers": "1"},
                {"procedure": "93000", "pointers": "1"},
            ],
        ),
    )
    charges.enter_charges(
        ctx,
        billing.encounter(
            patient=billing.hmo_pt,
            referral_number="REF778",
            prior_authorization="PA1",
            lines=[{"procedure": "70551", "pointers": "1", "note": "MRI brain"}],
        ),
    )
    charges.enter_charges(
        ctx,
        billing.encounter(
            lines=[
                {"procedure": "00790", "anesthesia_minutes": "47", "charge": "400", "pointers": "1"}
            ]
        ),
    )
    records = claims.create_claims(ctx)
    assert len(records) == 5
    with ctx.uow() as uow:
        built = [build_claim(load_sources(uow, r)) for r in records]
    text = write_837(
        built,
        SUBMITTER,
        ENVELOPE,
        InMemoryControlNumbers(),
        datetime(2026, 6, 15, 9, 30, tzinfo=UTC),
    )
    assert "REF*6R*" in text and "REF*G1*PA1" in text and "REF*9F*REF778" in text
    assert pyx12_errors(text, tmp_path) == []


def test_missing_charge_report_lists_unbilled_encounters(billing):
    enc = charges.enter_charges(billing.ctx, billing.encounter(dos_from="2026-05-01"))
    assert [e.id for e in charges.missing_charges(billing.ctx, days=30)] == [enc.id]
    assert charges.missing_charges(billing.ctx, days=60) == []
    claims.create_claims(billing.ctx)
    assert charges.missing_charges(billing.ctx, days=30) == []


def test_institutional_encounter_becomes_an_837i_that_passes_pyx12(billing, tmp_path):
    ctx = billing.ctx
    enc = charges.enter_charges(
        ctx,
        billing.encounter(
            kind="I",
            place_of_service="22",
            diagnoses=[{"code": "R07.9", "poa": "Y"}, {"code": "I10", "poa": "N"}],
            lines=[
                {"procedure": "93000", "revenue_code": "0730", "pointers": "1"},
                {"procedure": "80053", "revenue_code": "0300", "pointers": "1,2"},
            ],
            institutional={
                "type_of_bill": "131",
                "patient_status": "01",
                "attending_provider_id": billing.rendering,
                "admission_type": "3",
                "admission_source": "1",
                "reason_for_visit": ["R07.9"],
                "condition_codes": ["07", "39"],
                "occurrence_codes": [{"code": "11", "date": "2026-05-30"}],
                "value_codes": [{"code": "A1", "amount": "25.00"}],
            },
        ),
    )
    [record] = claims.create_claims(ctx, [enc.id])
    assert record.kind == "I"
    with ctx.uow() as uow:
        built = build_claim(load_sources(uow, record))
    assert built.institutional is not None and built.institutional.facility_type == "13"
    text = write_837(
        [built],
        SUBMITTER,
        ENVELOPE,
        InMemoryControlNumbers(),
        datetime(2026, 6, 15, 9, 30, tzinfo=UTC),
    )
    assert "005010X223A2" in text and "SV2*0730" in text
    assert (
        "HI*BG:07*BG:39~" in text and "HI*BH:11:D8:20260530~" in text and "HI*BE:A1:::25~" in text
    )
    assert pyx12_errors(text, tmp_path) == []


def test_replacement_and_void_carry_the_payer_claim_number(billing, tmp_path):
    from dataclasses import replace as dc_replace

    ctx = billing.ctx
    charges.enter_charges(ctx, billing.encounter())
    [claim] = claims.create_claims(ctx)
    with pytest.raises(DomainValidationError) as info:
        claims.follow_up_claim(ctx, claim.id, "7", "wrong units")
    assert info.value.errors[0].reason == "no_payer_claim_number"
    with ctx.uow() as uow:  # as if sent and accepted by the payer with its claim number
        record = uow.claims.get(claim.id)
        for target in ("scrubbed_clean", "ready", "submitted", "accepted", "paid"):
            record = claims.transition(uow, ctx, record, target, "test")
        uow.claims.update(dc_replace(record, payer_claim_number="ICN777"))
        uow.commit()
    corrected = claims.follow_up_claim(ctx, claim.id, "7", "wrong units")
    assert corrected.frequency == "7" and corrected.original_claim_id == claim.id
    assert claims.get_claim(ctx, claim.id).record.status == "corrected"
    [result] = scrub_claims(ctx, [corrected.id])
    assert result.clean, result.findings
    with ctx.uow() as uow:
        built = build_claim(load_sources(uow, uow.claims.get(corrected.id)))
    text = write_837(
        [built], SUBMITTER, ENVELOPE, InMemoryControlNumbers(), datetime(2026, 6, 15, tzinfo=UTC)
    )
    assert "REF*F8*ICN777~" in text and f"CLM*{corrected.patient_control_number}*" in text
    assert pyx12_errors(text, tmp_path) == []
    with pytest.raises(InvalidTransition):
        claims.follow_up_claim(ctx, claim.id, "8", "again")


def test_claims_are_counted_by_status_without_loading_them(billing):
    ctx = billing.ctx
    charges.enter_charges(ctx, billing.encounter())
    charges.enter_charges(ctx, billing.encounter(patient=billing.child_pt))
    claims.create_claims(ctx)
    scrub_claims(ctx, [claims.list_claims(ctx)[0].id])
    with ctx.uow() as uow:
        assert uow.claims.status_counts() == {"draft": 1, "ready": 1}
        assert uow.claims.status_counts(replacements=True) == {}
        assert uow.cob.count_links("forwarded") == 0


def test_claims_created_a_chunk_at_a_time_are_numbered_as_all_at_once(billing, monkeypatch):
    monkeypatch.setattr(claims, "CREATE_CHUNK", 2)
    days = ["2026-06-05", "2026-06-01", "2026-06-03", "2026-06-01", "2026-06-02"]
    entered = [charges.enter_charges(billing.ctx, billing.encounter(dos_from=day)) for day in days]
    made = claims.create_claims(billing.ctx)
    in_order = sorted(entered, key=lambda e: (e.dos_from, e.id))  # by date, then id
    assert [c.encounter_id for c in made] == [e.id for e in in_order]
    numbers = [int(c.patient_control_number.rsplit("C", 1)[1]) for c in made]
    assert numbers == list(range(numbers[0], numbers[0] + len(days)))
    assert [c.id for c in made] == sorted(c.id for c in made)
    for c in made:
        assert c.id is not None
        assert [e.reason for e in claims.get_claim(billing.ctx, c.id).history] == [
            "created from encounter"
        ]
    assert claims.create_claims(billing.ctx) == []  # every encounter billed once
