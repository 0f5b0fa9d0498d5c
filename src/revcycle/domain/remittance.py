"""The remittance (835) as plain data: one payment from a payer, explained claim by claim.

Amounts keep the sign the payer sent (reversals with CLP02 = 22 are negative). ``status`` is
the CLP02 code as given ("1", "2", "4", "19", "22", ...). Nothing here decides what the
amounts mean for the ledger: that is posting's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from revcycle.domain.money import Money


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A CAS reason: group (CO, PR, OA, PI), CARC reason code, amount and optional units."""

    group: str
    reason: str
    amount: Money
    quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class RemitParty:
    name: str
    identifier: str = ""  # payer ID (N104 / REF*2U) or payee NPI / TIN
    id_qualifier: str = ""
    address_line: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    tax_id: str = ""


@dataclass(frozen=True, slots=True)
class Payment:
    """BPR and TRN: how much, how (ACH, CHK, NON, ...), when, and the trace number."""

    amount: Money
    method: str
    credit_debit: str = "C"
    handling: str = "I"
    date: date | None = None
    trace_number: str = ""
    payer_identifier: str = ""  # TRN03


@dataclass(frozen=True, slots=True)
class ServicePayment:
    procedure: str
    charge: Money
    paid: Money
    modifiers: tuple[str, ...] = ()
    qualifier: str = "HC"
    revenue_code: str = ""
    units: Decimal | None = None
    original_units: Decimal | None = None
    line_control_number: str = ""  # REF*6R, as sent in the 837
    service_date: date | None = None
    service_date_end: date | None = None
    adjustments: tuple[Adjustment, ...] = ()
    allowed: Money | None = None  # AMT*B6
    remarks: tuple[str, ...] = ()  # LQ*HE remark codes


@dataclass(frozen=True, slots=True)
class ClaimPayment:
    patient_control_number: str
    status: str
    charge: Money
    paid: Money
    patient_responsibility: Money | None = None
    claim_filing_indicator: str = ""
    payer_claim_control_number: str = ""
    facility_type: str = ""
    frequency: str = ""
    patient_name: str = ""
    patient_member_id: str = ""
    rendering_provider_npi: str = ""
    crossover_payer: str = ""
    statement_from: date | None = None
    statement_to: date | None = None
    received_date: date | None = None
    adjustments: tuple[Adjustment, ...] = ()
    lines: tuple[ServicePayment, ...] = ()
    amounts: tuple[tuple[str, Money], ...] = ()  # AMT qualifier -> amount (AU, DY, I, ...)
    remarks: tuple[str, ...] = ()  # MOA / MIA remark codes


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """PLB: a provider-level adjustment; a positive amount reduces the payment."""

    reason: str
    amount: Money
    reference: str = ""
    provider_id: str = ""
    fiscal_period_end: date | None = None


@dataclass(frozen=True, slots=True)
class Remittance:
    payment: Payment
    payer: RemitParty
    payee: RemitParty
    claims: tuple[ClaimPayment, ...] = ()
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()
    production_date: date | None = None

    def claims_paid_total(self) -> Money:
        return Money.sum(c.paid for c in self.claims)

    def provider_adjustment_total(self) -> Money:
        return Money.sum(a.amount for a in self.provider_adjustments)
