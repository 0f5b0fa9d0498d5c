"""A cost estimate made after an eligibility check uses that 271's benefits (the office-visit
copay), through the same lookup the CLI and the API use; before any check it says so."""

from __future__ import annotations

from revcycle.db.eligibility_repo import latest_271
from revcycle.db.estimate_repo import estimate_store
from revcycle.domain.money import Money
from revcycle.services.estimates import estimate
from tests.integration.test_eligibility import (  # noqa: F401  (fixtures)
    DOS,
    check,
    covered,
    endpoint,
    root,
    send,
    sim,
)


def test_an_estimate_after_a_check_uses_the_271s_benefits(billing, send) -> None:  # noqa: F811
    covered(billing, "V1", "ABC123456")
    before = estimate(
        billing.ctx, "V1", ["99213"], store=estimate_store, dos=DOS, lookup=latest_271
    )
    assert before.flagged  # no 271 yet: the patient is shown the whole allowed amount
    assert before.patient_share == before.allowed
    check(billing.ctx, "V1", send, service_types=["98"])
    after = estimate(billing.ctx, "V1", ["99213"], store=estimate_store, dos=DOS, lookup=latest_271)
    assert not after.flagged
    assert after.patient_share == Money("25.00")  # the plan's office-visit copay
