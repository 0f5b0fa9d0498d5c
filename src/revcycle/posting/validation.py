"""The 835's arithmetic, checked before anything is posted.

Rules (../shared/reference/remittance.md, "835 balancing"); an ``error`` finding rejects the
file and nothing is posted:

- ``remit.line_unbalanced``: SVC02 - sum of the line's CAS = SVC03;
- ``remit.claim_unbalanced``: CLP03 - claim-level CAS - line-level CAS = CLP04;
- ``remit.transaction_unbalanced``: sum of CLP04 - sum of PLB = BPR02;
- ``remit.negative_payment``: BPR02 is never negative (a negative net is carried as PLB FB).

``remit.patient_responsibility_mismatch`` (CLP05 differs from the PR total) is only a warning:
CLP05 is informational and not part of the balance.
"""

from __future__ import annotations

from decimal import Decimal

from revcycle.codesets.findings import Finding
from revcycle.domain.money import Money
from revcycle.domain.remittance import Adjustment, Remittance

ZERO = Decimal(0)


def _cas_total(adjustments: tuple[Adjustment, ...]) -> Decimal:
    return sum((a.amount.amount for a in adjustments), ZERO)


def validate_remittance(remittance: Remittance) -> list[Finding]:
    """Every balancing problem of the 835, as findings (errors reject the file)."""
    findings: list[Finding] = []
    for ci, claim in enumerate(remittance.claims):
        where = f"claims[{ci}]"
        line_cas = ZERO
        for li, line in enumerate(claim.lines):
            cas = _cas_total(line.adjustments)
            line_cas += cas
            if line.charge.amount - cas != line.paid.amount:
                findings.append(
                    Finding(
                        "remit.line_unbalanced",
                        "error",
                        f"line charge {line.charge} - adjustments {Money(cas)} != paid {line.paid}",
                        f"{where}.lines[{li}]",
                    )
                )
        total_cas = _cas_total(claim.adjustments) + line_cas
        if claim.charge.amount - total_cas != claim.paid.amount:
            findings.append(
                Finding(
                    "remit.claim_unbalanced",
                    "error",
                    f"claim charge {claim.charge} - adjustments {Money(total_cas)} "
                    f"!= paid {claim.paid}",
                    where,
                )
            )
        pr = sum(
            (
                a.amount.amount
                for a in (*claim.adjustments, *(a for ln in claim.lines for a in ln.adjustments))
                if a.group == "PR"
            ),
            ZERO,
        )
        stated = claim.patient_responsibility
        if stated is not None and stated.amount != pr:
            findings.append(
                Finding(
                    "remit.patient_responsibility_mismatch",
                    "warning",
                    f"CLP05 {stated} differs from the PR adjustments {Money(pr)}",
                    where,
                )
            )
    net = remittance.claims_paid_total() - remittance.provider_adjustment_total()
    if net != remittance.payment.amount:
        findings.append(
            Finding(
                "remit.transaction_unbalanced",
                "error",
                f"claims paid {remittance.claims_paid_total()} - provider adjustments "
                f"{remittance.provider_adjustment_total()} != payment {remittance.payment.amount}",
                "payment",
            )
        )
    if remittance.payment.amount.is_negative():
        findings.append(
            Finding(
                "remit.negative_payment",
                "error",
                "BPR02 cannot be negative; a negative net is carried forward with PLB FB",
                "payment",
            )
        )
    return findings
