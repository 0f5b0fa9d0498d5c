"""The simulator's 270 responder: every inquiry of a 270 interchange answered with a 271.

``respond_270(sim, text, at)`` is registered in ``Simulator``'s ``RESPONDERS`` for ST01 270; it
serves both the real-time endpoint and batch uploads (the reply is then delivered as a "271"
response file). One 271 transaction set answers each patient asked about, in request order,
echoing the request's trace (TRN*2) and adding the payer's (TRN*1).

What is answered comes from the simulator's data, never from the request alone:

- the payer (NM1*PR id) must be one of ``payers.json``, else AAA 79 (invalid participant
  identification) at 2100A;
- the member ID must have the payer's format (``member_id_pattern``), else AAA 72 (invalid
  member ID); ``scenarios.json`` member IDs give the documented answers (docs/simulator.md):
  unknown member AAA 75, terminated coverage EB*6 with the termination date (DTP*347),
  other payer primary EB*R with a 2120 loop naming the other payer, name / birth date
  mismatch AAA 73 / 71, and a member the payer knows with another ID, name and birth date;
- any other member is active for the plan year of the date of service (DTP*291) under the
  payer's default plan: per service type asked about (and 30, the plan level, always) the
  copay, coinsurance and deductible of the plan's benefit for that type, in network (EB12 Y)
  and, for commercial payers, out of network (EB12 N: twice the deductible and out-of-pocket
  limit, 20 more points of coinsurance, capped at 50 %); Medicare, Medicaid and Medigap have
  no network (EB12 W). Deductible and out-of-pocket remaining amounts (EB06 29) come from the
  member's accumulators in the simulator state, else the scenario's, else a mid-year member's
  (deductible met).

Every AAA carries follow-up C (correct and resubmit). Amounts are ``Money``; percentages are
fractions (0.20), never floats.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from revcycle.domain.eligibility import (
    PLAN_LEVEL,
    Benefit,
    DatePeriod,
    EligibilityRequest,
    EligibilityResponse,
    Entity,
    Member,
    Rejection,
    Trace,
)
from revcycle.domain.money import Money
from revcycle.payer.config import PayerConfig, Plan
from revcycle.x12.control import ControlNumberSource, Kind
from revcycle.x12.mapping.eligibility import FUNCTIONAL_ID_271, read_270, transaction_271
from revcycle.x12.reader import read_segments
from revcycle.x12.writer import Envelope, write_interchange

# service type (EQ01 / EB03) -> the plan benefit (payers.json) that answers it
SERVICE_BENEFITS: dict[str, str] = {
    "30": "default",
    "98": "office_visit",
    "A0": "office_visit",  # professional (physician) visit - outpatient
    "86": "emergency",
    "5": "lab",
    "4": "radiology",
    "BH": "preventive",  # pediatric
    "BJ": "preventive",  # skin
}
# claim filing indicator -> EB04 insurance type
INSURANCE_TYPES = {"12": "PR", "HM": "HM", "MB": "MB", "MC": "MC", "15": "SP"}
FOLLOW_UP = "C"  # correct and resubmit
OUT_OF_NETWORK_EXTRA = Decimal("0.20")
OUT_OF_NETWORK_CAP = Decimal("0.50")
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class EligibilityScenario:
    """A member's entry in ``scenarios.json`` ``eligibility.members``."""

    answer: str = ""  # name_mismatch, dob_mismatch, demographics_differ
    other_payer: tuple[str, str] | None = None  # (name, payer ID)
    last_name: str = ""
    first_name: str = ""
    birth_date: date | None = None
    member_id: str = ""


@cache
def eligibility_scenarios() -> dict[str, EligibilityScenario]:
    """The eligibility section of the shipped ``scenarios.json`` (read once)."""
    raw = json.loads(
        resources.files("revcycle.payer.data").joinpath("scenarios.json").read_text("utf-8")
    )
    members: dict[str, Any] = raw.get("eligibility", {}).get("members", {})
    out = {}
    for member_id, v in members.items():
        other = v.get("other_payer")
        dob = v.get("birth_date")
        out[member_id] = EligibilityScenario(
            answer=v.get("answer", ""),
            other_payer=(other["name"], other["id"]) if other else None,
            last_name=v.get("last_name", ""),
            first_name=v.get("first_name", ""),
            birth_date=date.fromisoformat(dob) if dob else None,
            member_id=v.get("member_id", ""),
        )
    return out


class _LocalSets:
    """Interchange and group numbers from the simulator's counters; set numbers counted within
    the interchange (ST02 is unique per group), so a batch of thousands costs two counters."""

    def __init__(self, source: ControlNumberSource) -> None:
        self.source = source
        self.sets = 0

    def next(self, partner: str, kind: Kind) -> int:
        if kind == "set":
            self.sets += 1
            return self.sets
        return self.source.next(partner, kind)


def respond_270(sim: Any, text: str, at: datetime) -> str | None:
    """The 271 interchange answering every patient of the 270s in ``text`` (None when there is
    none: the acknowledgment then answers)."""
    requests, _ = read_270(text)
    if not requests:
        return None
    isa = next((s for s in read_segments(text) if s and s[0] == "ISA"), [])
    asker = isa[6].strip() if len(isa) > 6 else ""
    sets = [transaction_271(answer(sim, r, at)) for r in requests]
    envelope = Envelope(sender_id=sim.config.receiver_id, receiver_id=asker or "UNKNOWN")
    return write_interchange(envelope, FUNCTIONAL_ID_271, sets, _LocalSets(sim.control), at)


def answer(sim: Any, request: EligibilityRequest, at: datetime) -> EligibilityResponse:
    """The payer's answer about ``request.patient`` (see the module docstring)."""
    payer_cfg: PayerConfig | None = sim.config.payers.get(request.payer.identifier)
    patient_loop = "2100D" if request.dependent is not None else "2100C"
    base = EligibilityResponse(
        payer=replace(request.payer, entity_code="PR", id_qualifier="PI"),
        provider=request.provider,
        created=at,
        subscriber=_echo(request.subscriber),
        dependent=_echo(request.dependent) if request.dependent is not None else None,
        trace=Trace(request.trace.number, request.trace.originator, request.trace.additional),
        reference=request.reference,
    )

    def reject(reason: str, loop: str) -> EligibilityResponse:
        return replace(base, rejections=(Rejection(reason, FOLLOW_UP, loop),))

    if payer_cfg is None:
        return reject("79", "2100A")  # invalid participant identification
    payer = replace(
        base.payer, name=payer_cfg.name, identifier=payer_cfg.payer_id, entity_code="PR"
    )
    base = replace(
        base,
        payer=payer,
        payer_trace=Trace(
            f"{sim.state.next_value('eligibility-trace'):010d}", "1" + payer_cfg.tax_id
        ),
    )
    member_id = request.subscriber.member_id
    if not member_id or not payer_cfg.member_id_valid(member_id):
        return reject("72", "2100C")  # invalid / missing member ID
    scenario = sim.config.scenarios.get(member_id)
    special = eligibility_scenarios().get(member_id, EligibilityScenario())
    if scenario is not None and scenario.scenario == "unknown_member":
        return reject("75", "2100C")  # subscriber / insured not found
    if special.answer == "name_mismatch":
        return reject("73", patient_loop)  # invalid / missing name
    if special.answer == "dob_mismatch":
        return reject("71", patient_loop)  # birth date does not match the payer's
    day = request.service_date or at.date()
    plan = payer_cfg.plan
    if scenario is not None and scenario.coverage_end is not None and day > scenario.coverage_end:
        end = scenario.coverage_end
        ended = (DatePeriod("346", date(end.year, 1, 1)), DatePeriod("347", end))
        inactive = Benefit(
            code="6",
            coverage_level="IND",
            service_types=(PLAN_LEVEL,),
            insurance_type=INSURANCE_TYPES.get(payer_cfg.claim_filing_indicator, "C1"),
            plan_description=plan.name,
            dates=(DatePeriod("347", end),),
        )
        return _with_member_dates(replace(base, benefits=(inactive,)), ended)
    if special.answer == "demographics_differ":
        base = _payer_demographics(base, special)
    year = day.year
    dates: tuple[DatePeriod, ...] = (DatePeriod("291", date(year, 1, 1), date(year, 12, 31)),)
    types = [PLAN_LEVEL, *(t for t in request.service_types if t != PLAN_LEVEL)]
    benefits = _benefits(sim, payer_cfg, plan, member_id, year, types)
    if special.other_payer is not None or (
        scenario is not None and scenario.scenario == "other_payer_primary"
    ):
        name, other_id = special.other_payer or ("OTHER PAYER", "")
        other = Entity(name=name, identifier=other_id, id_qualifier="PI", entity_code="PRP")
        benefits = [
            *benefits,
            Benefit(code="R", service_types=(PLAN_LEVEL,), entities=(other,)),
        ]
    refs = (("18", plan.name),)
    return _with_member_dates(replace(base, benefits=tuple(benefits)), dates, refs)


def _echo(m: Member | None) -> Member | None:
    if m is None:
        return None
    return replace(m, address=None, dates=(), references=m.references)


def _with_member_dates(
    r: EligibilityResponse,
    dates: tuple[DatePeriod, ...],
    refs: tuple[tuple[str, str], ...] = (),
) -> EligibilityResponse:
    """Plan dates (and references) on the patient's level."""
    if r.dependent is not None:
        dep = replace(r.dependent, dates=dates, references=r.dependent.references + refs)
        return replace(r, dependent=dep)
    assert r.subscriber is not None
    sub = replace(r.subscriber, dates=dates, references=r.subscriber.references + refs)
    return replace(r, subscriber=sub)


def _payer_demographics(r: EligibilityResponse, s: EligibilityScenario) -> EligibilityResponse:
    """The member as the payer has it on file: another ID, name or birth date."""
    assert r.subscriber is not None
    sub = replace(r.subscriber, member_id=s.member_id or r.subscriber.member_id)
    if r.dependent is None:
        sub = replace(
            sub,
            last_name=s.last_name or sub.last_name,
            first_name=s.first_name or sub.first_name,
            birth_date=s.birth_date or sub.birth_date,
        )
        return replace(r, subscriber=sub)
    dep = replace(
        r.dependent,
        last_name=s.last_name or r.dependent.last_name,
        first_name=s.first_name or r.dependent.first_name,
        birth_date=s.birth_date or r.dependent.birth_date,
    )
    return replace(r, subscriber=sub, dependent=dep)


def _fraction(percent: Decimal) -> Decimal:
    return (percent / 100).quantize(CENT)


def _benefits(
    sim: Any, payer: PayerConfig, plan: Plan, member_id: str, year: int, types: list[str]
) -> list[Benefit]:
    scenario = sim.config.scenarios.get(member_id)
    acc = sim._accumulators(payer, member_id, year, scenario)
    zero = Money(0)
    deductible_left = max(zero, plan.deductible - acc.deductible_met)
    oop_left = (
        max(zero, plan.out_of_pocket_max - acc.oop_met)
        if plan.out_of_pocket_max is not None
        else None
    )
    networked = payer.kind == "commercial"
    inside = "Y" if networked else "W"
    insurance = INSURANCE_TYPES.get(payer.claim_filing_indicator, "C1")
    messages: tuple[str, ...] = ()
    if payer.authorization_codes:
        messages = ("PRIOR AUTHORIZATION REQUIRED FOR ADVANCED IMAGING AND SLEEP STUDIES",)
    out: list[Benefit] = [
        Benefit(
            code="1",
            coverage_level="IND",
            service_types=tuple(types),
            insurance_type=insurance,
            plan_description=plan.name,
            messages=messages,
        )
    ]

    def money_row(code: str, st: str, period: str, amount: Money, net: str) -> Benefit:
        return Benefit(
            code=code,
            coverage_level="IND",
            service_types=(st,),
            time_period=period,
            amount=amount,
            in_network=net,
        )

    for st in types:
        b = plan.benefit(SERVICE_BENEFITS.get(st, "default"))
        coins = _fraction(b.coinsurance)
        visit_msgs: tuple[str, ...] = ()
        if payer.requires_referral and st in ("98", "A0"):
            visit_msgs = ("REFERRAL REQUIRED FOR SPECIALIST VISITS",)
        networks = [(inside, False)] + ([("N", True)] if networked else [])
        for net, outside in networks:
            factor = 2 if outside else 1
            copay = replace(money_row("B", st, "27", b.copay, net), messages=visit_msgs)
            out.append(copay)
            pct = min(coins + OUT_OF_NETWORK_EXTRA, OUT_OF_NETWORK_CAP) if outside else coins
            out.append(
                Benefit(
                    code="A", coverage_level="IND", service_types=(st,), percent=pct,
                    in_network=net,
                )
            )  # fmt: skip
            if st == PLAN_LEVEL:
                total = plan.deductible * factor
                left = total if outside else deductible_left
                out.append(money_row("C", st, "23", total, net))
                out.append(money_row("C", st, "29", left, net))
                if plan.out_of_pocket_max is not None and oop_left is not None:
                    limit = plan.out_of_pocket_max * factor
                    out.append(money_row("G", st, "23", limit, net))
                    out.append(money_row("G", st, "29", limit if outside else oop_left, net))
            elif not b.deductible:  # the plan deductible does not apply to this service
                out.append(money_row("C", st, "23", zero, net))
    return out


__all__ = ["SERVICE_BENEFITS", "answer", "eligibility_scenarios", "respond_270"]
