"""Held claims: the fixes the scrubber's own rules carry are applied, the rest stay queued."""

from dataclasses import replace

import pytest

from revcycle.db.appeal_repo import action_store
from revcycle.domain.errors import NotFound
from revcycle.services import charges, claims
from revcycle.services.claim_fixes import fix_held
from revcycle.services.scrubbing import scrub_claims


def test_a_missing_payer_required_modifier_is_added_and_the_claim_goes_clean(billing):
    ctx = billing.ctx
    charges.enter_charges(
        ctx,
        billing.encounter(
            patient=billing.medicare_pt,
            lines=[
                {"procedure": "99213", "pointers": "1"},
                {"procedure": "97110", "units": "2", "pointers": "1"},
            ],
        ),
    )
    [claim] = claims.create_claims(ctx)
    [held] = scrub_claims(ctx)
    assert {f.code for f in held.findings if f.severity == "error"} == {"R38"}
    report = fix_held(ctx, [held], store=action_store)
    assert report.fixed == [claim.id] and report.still_held == [] and report.modifiers_added == 1
    detail = claims.get_claim(ctx, claim.id)
    assert detail.record.status == "ready"
    assert detail.record.first_pass_clean is False  # the first pass still counts as held
    with ctx.uow() as uow:
        enc = uow.encounters.get(detail.record.encounter_id)
        assert [ln.modifiers for ln in enc.lines if ln.procedure == "97110"] == [("GP",)]
        assert uow.work_items.list("scrubber_hold") == []  # the hold is closed
    # fixing the same results again finds nothing left to add
    again = fix_held(ctx, [held], store=action_store)
    assert again.modifiers_added == 0 and again.fixed == again.still_held == []


def test_what_needs_a_person_stays_queued_untouched(billing):
    ctx = billing.ctx
    charges.enter_charges(
        ctx,
        billing.encounter(patient=billing.hmo_pt, lines=[{"procedure": "70551", "pointers": "1"}]),
    )
    [claim] = claims.create_claims(ctx)
    results = scrub_claims(ctx)
    report = fix_held(ctx, results, store=action_store)
    assert report.fixed == [] and report.still_held == [claim.id]
    assert claims.get_claim(ctx, claim.id).record.status == "scrubbed_errors"


def _therapy_claim(billing, day: str) -> int:
    charges.enter_charges(
        billing.ctx,
        billing.encounter(
            patient=billing.medicare_pt,
            dos_from=day,
            lines=[{"procedure": "97110", "units": "2", "pointers": "1"}],
        ),
    )
    [claim] = claims.create_claims(billing.ctx)
    assert claim.id is not None
    return claim.id


def test_held_claims_are_fixed_together_and_a_bad_one_keeps_those_before_it(billing):
    ctx = billing.ctx
    first, second = _therapy_claim(billing, "2026-06-01"), _therapy_claim(billing, "2026-06-02")
    held = scrub_claims(ctx, [first, second])
    assert [r.claim.status for r in held] == ["scrubbed_errors", "scrubbed_errors"]
    missing = replace(held[1], claim=replace(held[1].claim, id=10**6))
    with pytest.raises(NotFound):
        fix_held(ctx, [held[0], missing, held[1]], store=action_store)
    with ctx.uow() as uow:  # the claim before the bad one was fixed, the one after was not
        lines = {
            c.id: uow.encounters.get(c.encounter_id).lines[0].modifiers
            for c in uow.claims.get_many([first, second])
        }
    assert lines == {first: ("GP",), second: ()}
    report = fix_held(ctx, held, store=action_store)  # the first has its modifier already
    assert report.fixed == [second] and report.still_held == [first]
    assert report.modifiers_added == 1
