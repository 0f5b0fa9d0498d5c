"""The revenue-cycle KPIs (definitions of ``shared/reference/kpis.md``, HFMA MAP Keys where
they exist), computed from totals the report queries aggregated in the database.

Every KPI is a ``Kpi``: its value, numerator, denominator and a one-sentence definition.
Rates are decimal fractions with 4 places (``0.9500`` is 95 %), day counts have 2 places, and a
KPI whose denominator is 0 has the value ``None``. Amounts are ``Money`` (strings in JSON),
counts are integers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from revcycle.domain.money import Money

RATE = Decimal("0.0001")
DAYS = Decimal("0.01")

KPI_IDS: tuple[str, ...] = (
    "days_in_ar",
    "gross_days_in_ar",
    "ar_over_90_pct",
    "clean_claim_rate",
    "first_pass_resolution_rate",
    "initial_denial_rate",
    "denial_dollars_rate",
    "denials_overturned_rate",
    "net_collection_rate",
    "gross_collection_rate",
    "charge_lag_days",
    "payment_lag_days",
    "bad_debt_rate",
    "pos_collection_rate",
)

Quantity = Money | int | Decimal


def _dec(q: Quantity) -> Decimal:
    return q.amount if isinstance(q, Money) else Decimal(q)


def _json(q: Quantity) -> str | int:
    if isinstance(q, Money):
        return q.to_json()
    if isinstance(q, int):
        return q
    return str(q)


@dataclass(frozen=True, slots=True)
class Kpi:
    """One KPI: ``value`` is None when the denominator is 0."""

    value: Decimal | None
    numerator: Quantity
    denominator: Quantity
    definition: str

    def to_json(self) -> dict[str, Any]:
        return {
            "value": None if self.value is None else str(self.value),
            "numerator": _json(self.numerator),
            "denominator": _json(self.denominator),
            "definition": self.definition,
        }


def rate(numerator: Quantity, denominator: Quantity, definition: str) -> Kpi:
    """``numerator / denominator`` to 4 places (half up), None over 0."""
    den = _dec(denominator)
    value = None if not den else (_dec(numerator) / den).quantize(RATE, rounding=ROUND_HALF_UP)
    return Kpi(value, numerator, denominator, definition)


def days(numerator: Quantity, denominator: Quantity, definition: str) -> Kpi:
    """An average number of days, ``numerator / denominator`` to 2 places, None over 0."""
    den = _dec(denominator)
    value = None if not den else (_dec(numerator) / den).quantize(DAYS, rounding=ROUND_HALF_UP)
    return Kpi(value, numerator, denominator, definition)


def days_in_ar(ar: Money, revenue: Money, period_days: int, definition: str) -> Kpi:
    """A/R over the average daily revenue of the period: the denominator shown is the daily
    revenue to the cent, the value is computed unrounded (``ar * period_days / revenue``)."""
    if period_days <= 0 or not revenue.amount:
        daily = Money.zero() if period_days <= 0 else Money(revenue.amount / period_days)
        return Kpi(None, ar, daily, definition)
    value = (ar.amount * period_days / revenue.amount).quantize(DAYS, rounding=ROUND_HALF_UP)
    return Kpi(value, ar, Money(revenue.amount / period_days), definition)


@dataclass(frozen=True, slots=True)
class KpiFacts:
    """The totals behind the KPIs, for one practice and one date range (``period_days`` days).

    Ledger amounts are positive: ``receivable`` is what payers and patients owe at the end of
    the range, ``credit_balances`` what the practice holds for patients (unapplied money),
    ``ar_over_90`` the part of ``receivable`` whose first date of service is more than 90 days
    before the end of the range.
    """

    period_days: int
    receivable: Money
    credit_balances: Money
    ar_over_90: Money
    gross_charges: Money
    contractuals: Money
    payments: Money
    refunds: Money
    bad_debt: Money
    claims_scrubbed: int
    claims_clean: int
    claims_adjudicated: int
    claims_first_pass: int
    claims_denied: int
    adjudicated_charges: Money
    denied_dollars: Money
    denials_worked: int
    denials_overturned: int
    encounters: int
    charge_lag_days: int
    paid_claims: int
    payment_lag_days: int
    pos_collections: Money
    patient_cash: Money


DEFINITIONS: dict[str, str] = {
    "days_in_ar": "Net A/R at the end of the range (open receivables of payers and patients, "
    "net of contractual adjustments and write-offs, less patient credit balances) divided by "
    "the average daily net revenue of the range (charges less contractual adjustments, over "
    "the days of the range)",
    "gross_days_in_ar": "A/R less credit balances at the end of the range, divided by the "
    "average daily gross charges of the range",
    "ar_over_90_pct": "Open A/R whose first date of service is more than 90 days before the "
    "end of the range (aged from the date of service), over all open A/R",
    "clean_claim_rate": "Claims created in the range that passed every scrubber edit on their "
    "first scrub, over claims created in the range and scrubbed",
    "first_pass_resolution_rate": "Claims adjudicated in the range (an 835 claim payment or "
    "denial) with no 835 denial (paid or moved to patient responsibility on first "
    "submission), over claims adjudicated",
    "initial_denial_rate": "Claims adjudicated in the range with an 835 denial, over claims "
    "adjudicated",
    "denial_dollars_rate": "Dollars denied by 835s on claims adjudicated in the range, over "
    "the charges of the claims adjudicated",
    "denials_overturned_rate": "Denials of the range whose claim the payer paid after the "
    "denial, over denials worked (paid later, or moved out of open by an action)",
    "net_collection_rate": "Payments (payers and patients) less refunds posted in the range, "
    "over charges less contractual adjustments of the range",
    "gross_collection_rate": "Payments (payers and patients) posted in the range, over gross "
    "charges of the range",
    "charge_lag_days": "Sum over the encounters of the range of days from date of service to "
    "charge entry, over encounters",
    "payment_lag_days": "Sum over claims first paid in the range of days from first "
    "submission to first payer payment, over paid claims",
    "bad_debt_rate": "Write-offs of patient balances posted in the range, over gross charges "
    "of the range",
    "pos_collection_rate": "Patient payments taken at the point of service (copays and "
    "payments received on the date of service) in the range, over all patient payments",
}


def compute_kpis(f: KpiFacts) -> dict[str, Kpi]:
    """Every KPI of ``KPI_IDS`` from one set of totals."""
    d = DEFINITIONS
    ar = f.receivable - f.credit_balances
    net_revenue = f.gross_charges - f.contractuals
    out = {
        "days_in_ar": days_in_ar(ar, net_revenue, f.period_days, d["days_in_ar"]),
        "gross_days_in_ar": days_in_ar(ar, f.gross_charges, f.period_days, d["gross_days_in_ar"]),
        "ar_over_90_pct": rate(f.ar_over_90, f.receivable, d["ar_over_90_pct"]),
        "clean_claim_rate": rate(f.claims_clean, f.claims_scrubbed, d["clean_claim_rate"]),
        "first_pass_resolution_rate": rate(
            f.claims_first_pass, f.claims_adjudicated, d["first_pass_resolution_rate"]
        ),
        "initial_denial_rate": rate(
            f.claims_denied, f.claims_adjudicated, d["initial_denial_rate"]
        ),
        "denial_dollars_rate": rate(
            f.denied_dollars, f.adjudicated_charges, d["denial_dollars_rate"]
        ),
        "denials_overturned_rate": rate(
            f.denials_overturned, f.denials_worked, d["denials_overturned_rate"]
        ),
        "net_collection_rate": rate(f.payments - f.refunds, net_revenue, d["net_collection_rate"]),
        "gross_collection_rate": rate(f.payments, f.gross_charges, d["gross_collection_rate"]),
        "charge_lag_days": days(f.charge_lag_days, f.encounters, d["charge_lag_days"]),
        "payment_lag_days": days(f.payment_lag_days, f.paid_claims, d["payment_lag_days"]),
        "bad_debt_rate": rate(f.bad_debt, f.gross_charges, d["bad_debt_rate"]),
        "pos_collection_rate": rate(f.pos_collections, f.patient_cash, d["pos_collection_rate"]),
    }
    return {k: out[k] for k in KPI_IDS}
