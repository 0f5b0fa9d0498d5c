"""The simulator's configuration, read from the JSON data files shipped in ``payer/data``.

Everything payer-specific lives in data (habit 5): plans and benefits per service type, fee
schedules (explicit amounts or a percentage of the simulator's Medicare-like base), the
authorization list, referral and timely filing rules, Medicare's sequestration and its refusal
of replacement claims, the small NCCI PTP / MUE table, and the scenario member IDs.

Invariants: amounts and percentages are ``Decimal`` (JSON carries them as strings, a float in
the data is refused); every payer names a default plan it defines; every scenario is one of
:data:`SCENARIOS`. :func:`load_config` builds a fresh :class:`SimulatorConfig` per call, nothing
is loaded at import time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from revcycle.domain.errors import RevcycleError
from revcycle.domain.money import Money

SCENARIOS = frozenset(
    {
        "terminated_coverage",
        "unknown_member",
        "other_payer_primary",
        "duplicate_claim",
        "not_medically_necessary",
        "missing_authorization",
        "bundled_service",
        "paid_with_deductible",
        "paid_with_interest",
        "recoupment",
        "crossover",
    }
)


class SimulatorConfigError(RevcycleError):
    """The simulator's data files are inconsistent or malformed."""

    code = "simulator_config_error"


def _dec(value: Any, what: str) -> Decimal:
    if isinstance(value, bool | float):
        raise SimulatorConfigError(f"{what}: write numbers as strings, not {value!r}")
    try:
        return Decimal(str(value))
    except Exception as exc:
        raise SimulatorConfigError(f"{what}: not a decimal: {value!r}") from exc


def _money(value: Any, what: str) -> Money:
    return Money(_dec(value, what))


@dataclass(frozen=True, slots=True)
class Benefit:
    """Cost sharing for one service type: copay per visit, coinsurance %, deductible applies."""

    copay: Money
    coinsurance: Decimal  # percent, e.g. Decimal("20")
    deductible: bool


@dataclass(frozen=True, slots=True)
class Plan:
    name: str
    deductible: Money
    out_of_pocket_max: Money | None  # None: no maximum (Medicare Part B)
    benefits: dict[str, Benefit]
    cob_covers: frozenset[str]  # prior payer PR reasons this plan pays as secondary

    def benefit(self, service_type: str) -> Benefit:
        return self.benefits.get(service_type) or self.benefits["default"]


@dataclass(frozen=True, slots=True)
class PayerConfig:
    payer_id: str
    name: str
    kind: str  # commercial, medicare, medigap, medicaid
    tax_id: str
    address: tuple[str, str, str, str]
    claim_filing_indicator: str
    icn_prefix: str
    member_id_pattern: re.Pattern[str]
    timely_filing_days: int
    adjudication_delay_days: int
    payment_weekdays: frozenset[int]
    fee_percent_of_base: Decimal
    fee_amounts: dict[str, Money]
    rejected_frequencies: frozenset[str]
    authorization_codes: frozenset[str]
    requires_referral: bool
    sequestration_percent: Decimal
    medicare_remarks: bool
    interest_annual_percent: Decimal
    plans: dict[str, Plan]
    default_plan: str

    @property
    def plan(self) -> Plan:
        return self.plans[self.default_plan]

    def member_id_valid(self, member_id: str) -> bool:
        return self.member_id_pattern.fullmatch(member_id) is not None


@dataclass(frozen=True, slots=True)
class Scenario:
    member_id: str
    scenario: str
    remarks: tuple[str, ...] = ()
    coverage_end: date | None = None
    deductible_remaining: Money | None = None
    days_late: int = 0
    overpayment: Money | None = None
    overpaid_icn: str = ""
    medigap_payer: str = ""
    medigap_member_id: str = ""


@dataclass(frozen=True, slots=True)
class NcciEdit:
    column1: str
    column2: str
    modifier_allowed: bool


@dataclass(frozen=True, slots=True)
class SimulatorConfig:
    receiver_id: str
    name: str
    require_sender_matches_mailbox: bool
    background_denial_rate: Decimal  # a fraction, 0..1
    background_denials: tuple[tuple[str, str, tuple[str, ...]], ...]
    service_types: tuple[tuple[str, str, str], ...]  # (type, from, to), first match wins
    base_fees: dict[str, Money]
    unlisted_percent_of_charge: Decimal
    ncci: tuple[NcciEdit, ...]
    ncci_bypass_modifiers: frozenset[str]
    mue: dict[str, int]
    payers: dict[str, PayerConfig]
    scenarios: dict[str, Scenario] = field(default_factory=dict)

    def with_delays(self, days: int) -> SimulatorConfig:
        """The same configuration with every payer's adjudication delay set to ``days`` and
        every weekday a payment day (tests and demos that want 835s right away)."""
        payers = {
            k: replace(p, adjudication_delay_days=days, payment_weekdays=frozenset(range(7)))
            for k, p in self.payers.items()
        }
        return replace(self, payers=payers)

    def service_type(self, code: str) -> str:
        for kind, lo, hi in self.service_types:
            if len(code) == len(lo) and lo <= code <= hi:
                return kind
        return "default"


def _plan(name: str, raw: dict[str, Any], where: str) -> Plan:
    benefits = {
        k: Benefit(
            _money(v.get("copay", "0"), f"{where}.{k}.copay"),
            _dec(v.get("coinsurance", "0"), f"{where}.{k}.coinsurance"),
            bool(v.get("deductible", False)),
        )
        for k, v in raw["benefits"].items()
    }
    if "default" not in benefits:
        raise SimulatorConfigError(f"{where}: a plan needs a 'default' benefit")
    oop = raw.get("out_of_pocket_max") or ""
    return Plan(
        name,
        _money(raw["deductible"], f"{where}.deductible"),
        _money(oop, f"{where}.out_of_pocket_max") if oop else None,
        benefits,
        frozenset(raw.get("cob_covers", [])),
    )


def _payer(payer_id: str, raw: dict[str, Any]) -> PayerConfig:
    where = f"payers.{payer_id}"
    plans = {k: _plan(k, v, f"{where}.plans.{k}") for k, v in raw["plans"].items()}
    if raw["default_plan"] not in plans:
        raise SimulatorConfigError(f"{where}: default plan {raw['default_plan']!r} is not defined")
    a = raw["address"]
    return PayerConfig(
        payer_id=payer_id,
        name=raw["name"],
        kind=raw["kind"],
        tax_id=raw["tax_id"],
        address=(a[0], a[1], a[2], a[3]),
        claim_filing_indicator=raw["claim_filing_indicator"],
        icn_prefix=raw["icn_prefix"],
        member_id_pattern=re.compile(raw["member_id_pattern"]),
        timely_filing_days=int(raw["timely_filing_days"]),
        adjudication_delay_days=int(raw["adjudication_delay_days"]),
        payment_weekdays=frozenset(int(d) for d in raw["payment_weekdays"]),
        fee_percent_of_base=_dec(raw["fee_percent_of_base"], f"{where}.fee_percent_of_base"),
        fee_amounts={k: _money(v, f"{where}.fee_amounts") for k, v in raw["fee_amounts"].items()},
        rejected_frequencies=frozenset(raw["rejected_frequencies"]),
        authorization_codes=frozenset(raw["authorization_codes"]),
        requires_referral=bool(raw["requires_referral"]),
        sequestration_percent=_dec(raw["sequestration_percent"], f"{where}.sequestration"),
        medicare_remarks=bool(raw["medicare_remarks"]),
        interest_annual_percent=_dec(raw["interest_annual_percent"], f"{where}.interest"),
        plans=plans,
        default_plan=raw["default_plan"],
    )


def _scenario(member_id: str, raw: dict[str, Any]) -> Scenario:
    kind = raw["scenario"]
    if kind not in SCENARIOS:
        raise SimulatorConfigError(f"scenario {member_id}: unknown scenario {kind!r}")
    end = raw.get("coverage_end")
    remaining = raw.get("deductible_remaining")
    overpayment = raw.get("overpayment")
    return Scenario(
        member_id=member_id,
        scenario=kind,
        remarks=tuple(raw.get("remarks", ())),
        coverage_end=date.fromisoformat(end) if end else None,
        deductible_remaining=_money(remaining, member_id) if remaining is not None else None,
        days_late=int(raw.get("days_late", 0)),
        overpayment=_money(overpayment, member_id) if overpayment is not None else None,
        overpaid_icn=raw.get("overpaid_icn", ""),
        medigap_payer=raw.get("medigap_payer", ""),
        medigap_member_id=raw.get("medigap_member_id", ""),
    )


def _read(data_dir: Path | None, name: str) -> Any:
    if data_dir is not None:
        return json.loads((data_dir / name).read_text("utf-8"))
    return json.loads(resources.files("revcycle.payer.data").joinpath(name).read_text("utf-8"))


def load_config(data_dir: Path | None = None) -> SimulatorConfig:
    """The configuration from ``data_dir`` (default: the data shipped with revcycle)."""
    ch = _read(data_dir, "clearinghouse.json")
    payers_raw = _read(data_dir, "payers.json")
    scen = _read(data_dir, "scenarios.json")
    base = ch["base_fee_schedule"]
    rate = _dec(ch.get("background_denial_rate", "0"), "background_denial_rate")
    if not Decimal(0) <= rate <= Decimal(1):
        raise SimulatorConfigError("background_denial_rate is a fraction between 0 and 1")
    payers = {k: _payer(k, v) for k, v in payers_raw.items()}
    scenarios = {k: _scenario(k, v) for k, v in scen["members"].items()}
    for s in scenarios.values():
        if s.scenario == "crossover" and s.medigap_payer not in payers:
            raise SimulatorConfigError(f"scenario {s.member_id}: unknown Medigap payer")
    return SimulatorConfig(
        receiver_id=ch["receiver_id"],
        name=ch["name"],
        require_sender_matches_mailbox=bool(ch.get("require_sender_matches_mailbox", True)),
        background_denial_rate=rate,
        background_denials=tuple(
            (d["group"], d["reason"], tuple(d.get("remarks", ()))) for d in ch["background_denials"]
        ),
        service_types=tuple((s["type"], s["from"], s["to"]) for s in ch["service_types"]),
        base_fees={k: _money(v, "base_fee_schedule") for k, v in base["amounts"].items()},
        unlisted_percent_of_charge=_dec(base["unlisted_percent_of_charge"], "unlisted_percent"),
        ncci=tuple(
            NcciEdit(e["column1"], e["column2"], bool(e["modifier_allowed"]))
            for e in ch["ncci_ptp"]
        ),
        ncci_bypass_modifiers=frozenset(ch["ncci_bypass_modifiers"]),
        mue={k: int(v) for k, v in ch["mue"].items()},
        payers=payers,
        scenarios=scenarios,
    )
