"""The scrubber compares the claim with the latest 271 received for its coverage: another payer
named primary holds the claim (R39), a member ID the payer does not know as sent holds it
(R12), and a claim whose coverage the payer confirmed as sent goes out clean."""

from __future__ import annotations

from revcycle.services import charges, claims
from revcycle.services.scrubbing import scrub_claims
from tests.integration.test_eligibility import (  # noqa: F401  (fixtures)
    check,
    covered,
    endpoint,
    root,
    send,
    sim,
)


def scrubbed_codes(billing, patient_id: int) -> set[str]:
    enc = charges.enter_charges(billing.ctx, billing.encounter(patient_id, dos_from="2026-06-01"))
    [claim] = claims.create_claims(billing.ctx, [enc.id])
    [result] = scrub_claims(billing.ctx, [claim.id])
    return {f.code for f in result.findings if f.severity == "error"}


def test_a_claim_the_271_says_another_payer_pays_first_is_held(billing, send) -> None:  # noqa: F811
    patient = covered(billing, "O1", "1CP0A00AA03")
    assert "R39" not in scrubbed_codes(billing, patient)  # no 271 yet: nothing to compare
    check(billing.ctx, "O1", send)
    assert "R39" in scrubbed_codes(billing, patient)


def test_a_member_id_the_payer_answered_differently_is_held(billing, send) -> None:  # noqa: F811
    patient = covered(billing, "D1", "1DM0A00AA13")
    check(billing.ctx, "D1", send)
    assert "R12" in scrubbed_codes(billing, patient)


def test_a_claim_whose_coverage_the_payer_confirmed_goes_out_clean(billing, send) -> None:  # noqa: F811
    patient = covered(billing, "V1", "ABC123456")
    check(billing.ctx, "V1", send)
    assert scrubbed_codes(billing, patient) == set()
