"""Eligibility and benefits (the 270 question and the 271 answer) as plain data.

``EligibilityRequest`` asks one payer (information source) on behalf of one provider
(information receiver) about one subscriber, or one dependent of a subscriber, for some
service types on a date of service. ``EligibilityResponse`` is the payer's answer about that
patient: the member as the payer knows it (ID, name, birth date, address, plan and
eligibility dates), the rejections (AAA) at any level and the list of ``Benefit`` (EB).

Reading the benefits (``coverage_status``, ``copay``, ``coinsurance``, ``deductible``,
``out_of_pocket``, ``summary``) follows one rule, stated once in ``_candidates``: a benefit
applies to a service type when it names that type; when none does, the plan-level benefits
(service type 30, "health benefit plan coverage", or no service type at all) answer for it.
Networks: EB12 ``Y`` is in network, ``N`` out of network, ``W`` (not applicable) and no value
hold for both; ``U`` (unknown) holds for neither. Amounts are ``Money`` and percentages
``Decimal`` fractions (0.2 is 20 %); nothing here is a float.

Entity identifier codes, qualifiers and the other X12 codes are kept as the X12 codes
themselves (``PR``, ``XX``, ``MI``, ...) so nothing is lost between reading and writing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from revcycle.domain.claim import Address
from revcycle.domain.money import Money

# EB01 codes
ACTIVE_CODES = frozenset({"1", "2", "3", "4", "5"})
INACTIVE_CODES = frozenset({"6", "7", "8"})
COINSURANCE = "A"
COPAY = "B"
DEDUCTIBLE = "C"
OUT_OF_POCKET = "G"
OTHER_PAYER = "R"
PLAN_LEVEL = "30"  # service type "Health Benefit Plan Coverage"
# EB06 time periods that say what an amount is: what is left, what has been met so far
REMAINING_PERIODS = frozenset({"29", "33"})  # remaining, lifetime remaining
MET_PERIODS = frozenset({"24"})  # year to date
PAYER_ENTITIES = frozenset({"PR", "PRP", "SEP", "TTP"})  # payer, primary, secondary, tertiary

__all__ = [
    "Accumulator",
    "Address",
    "Benefit",
    "Contact",
    "CostShare",
    "DatePeriod",
    "Delivery",
    "EligibilityRequest",
    "EligibilityResponse",
    "Entity",
    "Member",
    "Rejection",
    "ServiceSummary",
    "Trace",
]


@dataclass(frozen=True, slots=True)
class Contact:
    """A PER contact: a name and up to three (qualifier, number) pairs (TE phone, EM e-mail,
    FX fax, UR web address, EX extension, ...)."""

    name: str = ""
    numbers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Entity:
    """A payer, provider or other party named in an NM1 loop.

    ``entity_code`` is NM101 (``PR`` payer, ``1P`` provider, ``P3`` primary care provider,
    ``PRP`` primary payer, ...) and ``id_qualifier`` NM108 (``PI`` payer ID, ``XV`` CMS plan
    ID, ``XX`` NPI, ``FI`` tax ID, ``SV`` service provider number, ``46`` ETIN); empty ones are
    written as the usual code of their place. ``relationship`` is NM110 of a benefit related
    entity (01 parent, 02 child, 27 domestic partner, 41 spouse, 48 employee, 65 other,
    72 unknown).
    """

    name: str
    identifier: str = ""
    id_qualifier: str = ""
    first_name: str = ""
    entity_code: str = ""
    person: bool = False
    address: Address | None = None
    contacts: tuple[Contact, ...] = ()
    relationship: str = ""

    @property
    def npi(self) -> str:
        return self.identifier if self.id_qualifier == "XX" else ""

    @property
    def is_payer(self) -> bool:
        return self.entity_code in PAYER_ENTITIES


@dataclass(frozen=True, slots=True)
class DatePeriod:
    """A DTP date or range: ``qualifier`` is DTP01 (291 plan, 346 plan begin, 347 plan end,
    356 eligibility begin, 357 eligibility end, 307 eligibility, 472 service, ...); ``end``
    is set for a range (RD8), also when it equals ``start``."""

    qualifier: str
    start: date
    end: date | None = None


@dataclass(frozen=True, slots=True)
class Trace:
    """A TRN trace: the number, the 10-character ID of whoever assigned it ("1" + tax ID)
    and an optional additional ID. The 270 carries the provider's trace; the 271 echoes it."""

    number: str
    originator: str
    additional: str = ""


@dataclass(frozen=True, slots=True)
class Rejection:
    """An AAA request validation: the request (or a part of it) could not be answered.

    ``reason`` is AAA03 (72 invalid member ID, 73 invalid name, 75 subscriber not found,
    58 invalid birth date, 42 unable to respond now, 50 provider ineligible for inquiries,
    ...), ``follow_up`` AAA04 (C correct and resubmit, N resubmission not allowed, R
    resubmission allowed, W wait 30 days, X wait 10 days, Y do not resubmit, ...), ``loop``
    where the payer put it (2000A, 2100A, 2100B, 2100C, 2100D, 2110C, 2110D).
    """

    reason: str
    follow_up: str
    loop: str
    valid_request: bool = False  # AAA01


@dataclass(frozen=True, slots=True)
class Delivery:
    """An HSD delivery pattern: e.g. 30 visits (``VS``) per calendar year (time period 22)."""

    quantity_qualifier: str = ""
    quantity: Decimal | None = None
    unit: str = ""
    sample_modulus: Decimal | None = None
    time_period: str = ""
    periods: int | None = None
    frequency: str = ""
    time: str = ""


@dataclass(frozen=True, slots=True)
class Benefit:
    """One EB segment with what follows it in its 2110 loop.

    ``code`` is EB01 (1-5 active coverage, 6-8 inactive, A co-insurance, B co-payment,
    C deductible, G out of pocket, R other or additional payer, L primary care provider,
    N services restricted to a provider, ...), ``coverage_level`` EB02 (IND, FAM, ...),
    ``service_types`` EB03, ``insurance_type`` EB04, ``plan_description`` EB05,
    ``time_period`` EB06 (23 calendar year, 29 remaining, 27 visit, ...), ``amount`` EB07,
    ``percent`` EB08 as a fraction, ``quantity`` EB10 qualified by EB09,
    ``authorization_required`` EB11 and ``in_network`` EB12 (Y, N, U, W; empty when not
    given). ``entities`` are the 2120 benefit related entities: another payer (NM1*PR, PRP,
    ...), the primary care provider (P3), a plan sponsor (P5).
    """

    code: str
    coverage_level: str = ""
    service_types: tuple[str, ...] = ()
    insurance_type: str = ""
    plan_description: str = ""
    time_period: str = ""
    amount: Money | None = None
    percent: Decimal | None = None
    quantity_qualifier: str = ""
    quantity: Decimal | None = None
    authorization_required: str = ""
    in_network: str = ""
    procedure_qualifier: str = ""
    procedure: str = ""
    deliveries: tuple[Delivery, ...] = ()
    references: tuple[tuple[str, str], ...] = ()  # REF (18 plan, 6P group, 9F referral, ...)
    dates: tuple[DatePeriod, ...] = ()
    rejections: tuple[Rejection, ...] = ()
    messages: tuple[str, ...] = ()  # MSG
    additional_info: tuple[tuple[str, str], ...] = ()  # III (ZZ place of service, ...)
    entities: tuple[Entity, ...] = ()

    def applies_to(self, service_type: str) -> bool:
        return service_type in self.service_types

    @property
    def plan_level(self) -> bool:
        return not self.service_types or PLAN_LEVEL in self.service_types

    @property
    def other_payers(self) -> tuple[Entity, ...]:
        """The payers this benefit names: entities coded as payers (PR, PRP, SEP, TTP) and
        every entity of an "other or additional payer" benefit (EB01 R)."""
        return tuple(e for e in self.entities if e.is_payer or self.code == OTHER_PAYER)

    def holds_in_network(self, in_network: bool) -> bool:
        if self.in_network in ("", "W"):
            return True
        return self.in_network == ("Y" if in_network else "N")


@dataclass(frozen=True, slots=True)
class Member:
    """A subscriber or dependent as the 270 names it or the 271 returns it.

    ``member_id`` is NM109 (qualified by ``id_qualifier``, MI member ID or II unique health
    identifier); in 5010 a dependent has no ID of its own (it is the subscriber's).
    ``relationship`` is INS02 (18 self for the subscriber; 01 spouse, 19 child, ... for a
    dependent), ``references`` the REF identifiers (6P group number, 18 plan, SY SSN, ...).
    """

    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    suffix: str = ""
    member_id: str = ""
    id_qualifier: str = "MI"
    birth_date: date | None = None
    sex: str = ""  # DMG03: F, M, U
    address: Address | None = None
    relationship: str = ""
    references: tuple[tuple[str, str], ...] = ()
    dates: tuple[DatePeriod, ...] = ()

    def date_of(self, qualifier: str) -> DatePeriod | None:
        for d in self.dates:
            if d.qualifier == qualifier:
                return d
        return None

    @property
    def plan_begin(self) -> date | None:
        """Plan begin (DTP*346), else the start of the plan period (DTP*291)."""
        d = self.date_of("346") or self.date_of("291")
        return d.start if d else None

    @property
    def plan_end(self) -> date | None:
        """Plan end (DTP*347), else the end of the plan period (DTP*291 as a range)."""
        d = self.date_of("347")
        if d is not None:
            return d.start
        d = self.date_of("291")
        return d.end if d else None

    @property
    def eligibility_begin(self) -> date | None:
        d = self.date_of("356") or self.date_of("307")
        return d.start if d else None

    @property
    def eligibility_end(self) -> date | None:
        d = self.date_of("357")
        if d is not None:
            return d.start
        d = self.date_of("307")
        return d.end if d else None


@dataclass(frozen=True, slots=True)
class EligibilityRequest:
    """A 270 inquiry about one patient: the subscriber, or ``dependent`` of the subscriber.

    ``service_types`` are EQ01 codes (30 health benefit plan coverage, 98 professional
    physician visit - office, 33 chiropractic, 88 pharmacy, ...), one EQ each;
    ``service_date`` (and ``service_date_end`` for a range) is DTP*291; ``trace`` the TRN the
    payer echoes in its 271; ``reference`` BHT03 and ``created`` BHT04/BHT05.
    """

    payer: Entity
    provider: Entity
    subscriber: Member
    trace: Trace
    created: datetime
    dependent: Member | None = None
    service_types: tuple[str, ...] = (PLAN_LEVEL,)
    service_date: date | None = None
    service_date_end: date | None = None
    reference: str = ""

    @property
    def patient(self) -> Member:
        return self.dependent or self.subscriber


@dataclass(frozen=True, slots=True)
class Accumulator:
    """A deductible or out-of-pocket limit: the total for its period, what is left and what
    has been met so far (each ``None`` when the payer did not say)."""

    total: Money | None = None
    remaining: Money | None = None
    met: Money | None = None
    time_period: str = ""  # EB06 of the total (23 calendar year, 32 lifetime, ...)


@dataclass(frozen=True, slots=True)
class CostShare:
    """What the patient pays for a service type in (or out of) network."""

    copay: Money | None = None
    coinsurance: Decimal | None = None
    deductible: Accumulator = Accumulator()
    out_of_pocket: Accumulator = Accumulator()


@dataclass(frozen=True, slots=True)
class ServiceSummary:
    """The answer for one service type: coverage status and cost share by network."""

    service_type: str
    status: str  # "active", "inactive" or "unknown"
    in_network: CostShare
    out_of_network: CostShare
    authorization_required: bool | None = None

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True, slots=True)
class EligibilityResponse:
    """A 271 answer about one patient (or, when the payer rejected the request before reaching
    a patient, about none: ``subscriber`` is then ``None`` and ``rejections`` say why).

    ``benefits`` are the patient's: those of 2110D when ``dependent`` is set, else of 2110C;
    ``subscriber_benefits`` are 2110C benefits sent beside a dependent's (rare). ``trace`` is
    the echoed TRN of the request (TRN01 2), ``payer_trace`` one the payer assigned (TRN01 1).
    """

    payer: Entity
    provider: Entity
    created: datetime
    subscriber: Member | None = None
    dependent: Member | None = None
    trace: Trace | None = None
    payer_trace: Trace | None = None
    benefits: tuple[Benefit, ...] = ()
    subscriber_benefits: tuple[Benefit, ...] = ()
    rejections: tuple[Rejection, ...] = ()
    reference: str = ""

    @property
    def patient(self) -> Member | None:
        return self.dependent or self.subscriber

    @property
    def all_rejections(self) -> tuple[Rejection, ...]:
        """The rejections of every level, those of single benefits included."""
        return self.rejections + tuple(r for b in self.benefits for r in b.rejections)

    @property
    def rejected(self) -> bool:
        """Whether the payer could not answer about the patient (any AAA above the benefits)."""
        return bool(self.rejections)

    @property
    def other_payers(self) -> tuple[Entity, ...]:
        """Other payers the benefits name (2120 NM1*PR / PRP / SEP / TTP, or any entity of an
        EB01 R benefit)."""
        return tuple(e for b in self.benefits for e in b.other_payers)

    # -- answers per service type ---------------------------------------------------------

    def coverage_status(self, service_type: str = PLAN_LEVEL) -> str:
        """``active`` or ``inactive`` from the EB01 1-8 benefits for ``service_type`` (plan
        level when none names it); ``unknown`` when the payer did not say or rejected the
        request."""
        statuses = [b for b in self.benefits if b.code in ACTIVE_CODES | INACTIVE_CODES]
        chosen = _candidates(statuses, service_type)
        if not chosen:
            return "unknown"
        return "active" if chosen[0].code in ACTIVE_CODES else "inactive"

    def is_active(self, service_type: str = PLAN_LEVEL) -> bool:
        return self.coverage_status(service_type) == "active"

    def copay(
        self, service_type: str = PLAN_LEVEL, in_network: bool = True, coverage_level: str = ""
    ) -> Money | None:
        for b in self._find(COPAY, service_type, in_network, coverage_level):
            if b.amount is not None:
                return b.amount
        return None

    def coinsurance(
        self, service_type: str = PLAN_LEVEL, in_network: bool = True, coverage_level: str = ""
    ) -> Decimal | None:
        for b in self._find(COINSURANCE, service_type, in_network, coverage_level):
            if b.percent is not None:
                return b.percent
        return None

    def deductible(
        self, service_type: str = PLAN_LEVEL, in_network: bool = True, coverage_level: str = ""
    ) -> Accumulator:
        return _accumulate(self._find(DEDUCTIBLE, service_type, in_network, coverage_level))

    def out_of_pocket(
        self, service_type: str = PLAN_LEVEL, in_network: bool = True, coverage_level: str = ""
    ) -> Accumulator:
        return _accumulate(self._find(OUT_OF_POCKET, service_type, in_network, coverage_level))

    def summary(self, service_type: str = PLAN_LEVEL, coverage_level: str = "") -> ServiceSummary:
        def share(network: bool) -> CostShare:
            return CostShare(
                copay=self.copay(service_type, network, coverage_level),
                coinsurance=self.coinsurance(service_type, network, coverage_level),
                deductible=self.deductible(service_type, network, coverage_level),
                out_of_pocket=self.out_of_pocket(service_type, network, coverage_level),
            )

        auth = [
            b.authorization_required
            for b in _candidates(self.benefits, service_type)
            if b.authorization_required in ("Y", "N")
        ]
        return ServiceSummary(
            service_type=service_type,
            status=self.coverage_status(service_type),
            in_network=share(True),
            out_of_network=share(False),
            authorization_required=(auth[0] == "Y") if auth else None,
        )

    def _find(
        self, code: str, service_type: str, in_network: bool, coverage_level: str
    ) -> list[Benefit]:
        found = [
            b
            for b in self.benefits
            if b.code == code
            and b.holds_in_network(in_network)
            and (not coverage_level or b.coverage_level == coverage_level)
        ]
        chosen = _candidates(found, service_type)
        # the network named beats "applies to both"; individual beats family when unasked
        chosen.sort(key=lambda b: (b.in_network in ("", "W"), b.coverage_level not in ("", "IND")))
        return chosen


def _candidates(benefits: Iterable[Benefit], service_type: str) -> list[Benefit]:
    """The benefits that answer for ``service_type``: those naming it, else the plan-level
    ones (service type 30 or none), in the payer's order."""
    benefits = list(benefits)
    named = [b for b in benefits if b.applies_to(service_type)]
    return named or [b for b in benefits if b.plan_level]


def _accumulate(benefits: list[Benefit]) -> Accumulator:
    total: Money | None = None
    remaining: Money | None = None
    met: Money | None = None
    period = ""
    for b in benefits:
        if b.amount is None:
            continue
        if b.time_period in REMAINING_PERIODS:
            remaining = remaining if remaining is not None else b.amount
        elif b.time_period in MET_PERIODS:
            met = met if met is not None else b.amount
        elif total is None:
            total, period = b.amount, b.time_period
    return Accumulator(total=total, remaining=remaining, met=met, time_period=period)
