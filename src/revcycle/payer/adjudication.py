"""Adjudication: one claim in, the payer's decision out, as the 835 will report it.

Pure functions over the configuration (:mod:`revcycle.payer.config`), the member's
accumulators and a :class:`Context` (ICN, receipt date, scenario, duplicate flag, background
denial). Nothing here reads or writes state; the simulator persists what comes back.

The arithmetic follows docs/simulator.md (and the shared remittance reference):

- a denied line puts its whole charge in one CAS (CO-27, CO-22, CO-18, CO-29, CO-197, CO-243,
  CO/PR-50, CO-151, CO-97, or a background denial);
- a paid line: allowed = min(charge, fee x units); CO-45 = charge - allowed; PR-1 deductible,
  PR-3 copay (once per service type per claim), PR-2 coinsurance, all capped by the
  out-of-pocket maximum; Medicare's sequestration (CO-253) takes 2% of what remains;
- a secondary claim reports the prior payers' impact as OA-23 (charge minus the patient
  responsibility they left), pays the part of that responsibility its plan covers up to its own
  allowed amount less what was paid before (CO-45 for the excess), and leaves the rest as PR.

Invariant (tested): every line balances (SVC02 - CAS = SVC03) and so does the claim
(CLP03 - CAS = CLP04); CLP05 is the sum of the PR adjustments. Amounts are ``Money``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from revcycle.domain.claim import Claim, ClaimAdjustment, ClaimKind, ServiceLine
from revcycle.domain.money import Money
from revcycle.domain.remittance import Adjustment, ClaimPayment, ServicePayment
from revcycle.payer.config import PayerConfig, Plan, Scenario, SimulatorConfig

ZERO = Money(0)
HUNDRED = Decimal(100)
Denial = tuple[str, str, tuple[str, ...]]  # (group, CARC, RARCs)


@dataclass(frozen=True, slots=True)
class Accumulators:
    """A member's plan-year totals: deductible met and out-of-pocket met."""

    deductible_met: Money
    oop_met: Money


@dataclass(frozen=True, slots=True)
class Context:
    icn: str
    received: date
    scenario: Scenario | None = None
    duplicate: bool = False
    background_denial: Denial | None = None
    crossover_payer_name: str = ""  # Medicare: the Medigap payer the claim crosses over to


@dataclass(frozen=True, slots=True)
class Outcome:
    """The decision: the 835 claim, what it adds to the accumulators, and interest owed."""

    payment: ClaimPayment
    deductible: Money = ZERO
    out_of_pocket: Money = ZERO
    interest: Money = ZERO


@dataclass(frozen=True, slots=True)
class PriorLine:
    """What the prior payers did with one line: paid in total, and the PR they left."""

    paid: Money
    patient_responsibility: tuple[tuple[str, Money], ...]  # (CARC, amount)


def percent(amount: Money, pct: Decimal) -> Money:
    """``pct`` percent of ``amount``, rounded half up to the cent (in ``Money``)."""
    return Money(amount.amount * pct / HUNDRED)


def fee(cfg: SimulatorConfig, payer: PayerConfig, line: ServiceLine) -> Money | None:
    """The payer's rate for the line's units: explicit amount, else % of the base schedule;
    ``None`` when the code is in neither (the caller then allows a % of charge)."""
    code = line.procedure_code
    unit = payer.fee_amounts.get(code)
    if unit is None:
        base = cfg.base_fees.get(code)
        if base is None:
            return None
        unit = percent(base, payer.fee_percent_of_base)
    return Money(unit.amount * line.units)


def allowed_amount(cfg: SimulatorConfig, payer: PayerConfig, line: ServiceLine) -> Money:
    rate = fee(cfg, payer, line)
    if rate is None:
        rate = percent(line.charge, cfg.unlisted_percent_of_charge)
    return min(line.charge, rate)


# -- denials -------------------------------------------------------------------------------


def line_denials(
    cfg: SimulatorConfig, payer: PayerConfig, claim: Claim, ctx: Context
) -> list[Denial | None]:
    """Per line, the denial that applies (first rule wins), or ``None``. Rule order: coverage
    and COB, duplicates, background denial, timely filing, authorization, referral, medical
    necessity, MUE, NCCI bundling."""
    s = ctx.scenario
    kind = s.scenario if s else ""
    out: list[Denial | None] = []
    codes_by_day: dict[date, set[str]] = {}
    for ln in claim.lines:
        codes_by_day.setdefault(ln.service_date, set()).add(ln.procedure_code)
    pairs = {(e.column2, e.column1): e for e in cfg.ncci}
    emergency_pos = claim.place_of_service in ("23", "20")
    for i, ln in enumerate(claim.lines):
        d: Denial | None = None
        if (
            kind == "terminated_coverage"
            and s is not None
            and s.coverage_end
            and ln.service_date > s.coverage_end
        ):
            d = ("CO", "27", ())
        elif kind == "other_payer_primary" and not claim.is_secondary:
            d = ("CO", "22", s.remarks if s else ())
        elif kind == "duplicate_claim" or ctx.duplicate:
            d = ("CO", "18", ())
        elif ctx.background_denial is not None:
            d = ctx.background_denial
        elif (ctx.received - ln.service_date).days > payer.timely_filing_days:
            d = ("CO", "29", ())
        elif kind == "missing_authorization":
            d = ("CO", "197", s.remarks if s else ())
        elif ln.procedure_code in payer.authorization_codes and not claim.prior_authorization:
            d = ("CO", "197", ("M62",))
        elif (
            payer.requires_referral
            and not claim.referral_number
            and not (ln.emergency or emergency_pos)
        ):
            d = ("CO", "243", ())
        elif kind == "not_medically_necessary":
            group = "PR" if "GA" in ln.modifiers else "CO"
            d = (group, "50", s.remarks if s else ())
        elif ln.units > cfg.mue.get(ln.procedure_code, 10**6):
            d = ("CO", "151", ("N362",))
        elif kind == "bundled_service" and i > 0:
            d = ("CO", "97", s.remarks if s else ("M15",))
        else:
            for other in codes_by_day[ln.service_date]:
                edit = pairs.get((ln.procedure_code, other))
                if edit is None:
                    continue
                if edit.modifier_allowed and cfg.ncci_bypass_modifiers.intersection(ln.modifiers):
                    continue
                d = ("CO", "97", ("M15",))
                break
        out.append(d)
    return out


# -- building the 835 claim ----------------------------------------------------------------


def _service(ln: ServiceLine, paid: Money, adjs: list[Adjustment], **kw: object) -> ServicePayment:
    return ServicePayment(
        procedure=ln.procedure_code,
        charge=ln.charge,
        paid=paid,
        modifiers=ln.modifiers,
        qualifier=ln.qualifier,
        revenue_code=ln.revenue_code,
        units=ln.units,
        line_control_number=ln.line_control_number,
        service_date=ln.service_date,
        adjustments=tuple(adjs),
        **kw,  # type: ignore[arg-type]
    )


def _denied(ln: ServiceLine, d: Denial) -> ServicePayment:
    group, reason, remarks = d
    return _service(ln, ZERO, [Adjustment(group, reason, ln.charge)], remarks=remarks)


def claim_payment(
    claim: Claim,
    payer: PayerConfig,
    ctx: Context,
    status: str,
    lines: Sequence[ServicePayment],
    remarks: tuple[str, ...] = (),
    amounts: tuple[tuple[str, Money], ...] = (),
    member_id: str = "",
) -> ClaimPayment:
    """The CLP loop for ``claim``: totals derived from the lines, identifiers echoed."""
    person = claim.patient.person if claim.patient else claim.subscriber.person
    pr = Money.sum(a.amount for s in lines for a in s.adjustments if a.group == "PR")
    inst = claim.institutional if claim.kind is ClaimKind.INSTITUTIONAL else None
    return ClaimPayment(
        patient_control_number=claim.patient_control_number,
        status=status,
        charge=claim.total_charge,
        paid=Money.sum(s.paid for s in lines),
        patient_responsibility=pr,
        claim_filing_indicator=payer.claim_filing_indicator,
        payer_claim_control_number=ctx.icn,
        facility_type=inst.facility_type if inst else claim.place_of_service,
        frequency=claim.frequency.value,
        patient_name=f"{person.last_name} {person.first_name}".strip(),
        patient_member_id=member_id or claim.subscriber.member_id,
        rendering_provider_npi=claim.rendering_provider.npi if claim.rendering_provider else "",
        crossover_payer=ctx.crossover_payer_name,
        statement_from=inst.statement_from if inst else None,
        statement_to=inst.statement_to if inst else None,
        lines=tuple(lines),
        amounts=amounts,
        remarks=remarks,
    )


def _status(lines: Sequence[ServicePayment], processed: str) -> str:
    denied = all(not s.paid and not s.allowed for s in lines)
    return "4" if denied else processed


def _medicare_remarks(payer: PayerConfig, crossover: bool) -> tuple[str, ...]:
    if not payer.medicare_remarks:
        return ()
    return ("MA01", "MA18") if crossover else ("MA01",)


def adjudicate_primary(
    cfg: SimulatorConfig,
    payer: PayerConfig,
    plan: Plan,
    claim: Claim,
    acc: Accumulators,
    ctx: Context,
) -> Outcome:
    """A claim for which this payer is primary: fee schedule, cost sharing, accumulators."""
    denials = line_denials(cfg, payer, claim, ctx)
    ded_left = max(ZERO, plan.deductible - acc.deductible_met)
    oop_left = max(ZERO, plan.out_of_pocket_max - acc.oop_met) if plan.out_of_pocket_max else None
    copaid: set[str] = set()
    lines: list[ServicePayment] = []
    ded_total = ZERO
    oop_total = ZERO
    for ln, d in zip(claim.lines, denials, strict=True):
        if d is not None:
            lines.append(_denied(ln, d))
            continue
        allowed = allowed_amount(cfg, payer, ln)
        stype = cfg.service_type(ln.procedure_code)
        benefit = plan.benefit(stype)
        ded = min(allowed, ded_left) if benefit.deductible else ZERO
        copay = ZERO
        if stype not in copaid and benefit.copay:
            copay = min(allowed - ded, benefit.copay)
            copaid.add(stype)
        coins = percent(allowed - ded - copay, benefit.coinsurance)
        if oop_left is not None:  # the out-of-pocket maximum stops patient responsibility
            over = ded + copay + coins - oop_left
            for which in ("coins", "copay", "ded"):
                if over <= ZERO:
                    break
                if which == "coins":
                    cut = min(over, coins)
                    coins -= cut
                elif which == "copay":
                    cut = min(over, copay)
                    copay -= cut
                else:
                    cut = min(over, ded)
                    ded -= cut
                over -= cut
            oop_left -= ded + copay + coins
        ded_left -= ded
        ded_total += ded
        oop_total += ded + copay + coins
        before = allowed - ded - copay - coins
        seq = percent(before, payer.sequestration_percent)
        adjs: list[Adjustment] = []
        if ln.charge > allowed:
            adjs.append(Adjustment("CO", "45", ln.charge - allowed))
        for group, reason, amount in (
            ("PR", "1", ded),
            ("PR", "2", coins),
            ("PR", "3", copay),
            ("CO", "253", seq),
        ):
            if amount:
                adjs.append(Adjustment(group, reason, amount))
        lines.append(_service(ln, before - seq, adjs, allowed=allowed))
    crossover = bool(ctx.crossover_payer_name)
    status = _status(lines, "19" if crossover else "1")
    if status == "4":
        crossover = False
        ctx = replace(ctx, crossover_payer_name="")
    interest = ZERO
    amounts: tuple[tuple[str, Money], ...] = ()
    s = ctx.scenario
    paid = Money.sum(x.paid for x in lines)
    if s is not None and s.scenario == "paid_with_interest" and paid > ZERO:
        rate = payer.interest_annual_percent or Decimal(6)
        interest = Money(paid.amount * rate / HUNDRED * s.days_late / 365)
        amounts = (("I", interest),)
    payment = claim_payment(
        claim, payer, ctx, status, lines, _medicare_remarks(payer, crossover), amounts
    )
    return Outcome(payment, ded_total, oop_total, interest)


def prior_lines_from_claim(claim: Claim) -> list[PriorLine]:
    """Per line, what the 837's COB loops (2320/2430) say the prior payers did. Without line
    adjudications, the claim-level paid amount and PR adjustments are split by line charge."""
    out: list[PriorLine] = []
    weights = [ln.charge.amount for ln in claim.lines]
    shares: dict[int, tuple[Money, list[tuple[str, Money]]]] = {}
    for o in claim.other_payers:
        if o.line_adjudications or not any(weights):
            continue
        paid_parts = (o.paid or ZERO).allocate(weights)
        pr_parts: list[list[tuple[str, Money]]] = [[] for _ in claim.lines]
        for adj in o.adjustments:
            if adj.group != "PR":
                continue
            for i, part in enumerate(adj.amount.allocate(weights)):
                if part:
                    pr_parts[i].append((adj.reason, part))
        for i in range(len(claim.lines)):
            before, before_prs = shares.get(i, (ZERO, []))
            shares[i] = (before + paid_parts[i], pr_parts[i] or before_prs)
    for i, _ln in enumerate(claim.lines, start=1):
        paid = ZERO
        prs: list[tuple[str, Money]] = []
        for o in claim.other_payers:
            for la in o.line_adjudications:
                if la.line_number == i:
                    paid += la.paid
                    prs = [(a.reason, a.amount) for a in la.adjustments if a.group == "PR"]
        if (i - 1) in shares:
            extra_paid, extra_prs = shares[i - 1]
            paid += extra_paid
            prs = prs or extra_prs
        out.append(PriorLine(paid, tuple(prs)))
    return out


def prior_lines_from_payment(payment: ClaimPayment) -> list[PriorLine]:
    """Per line, what a primary's own 835 claim says (Medicare -> Medigap crossover)."""
    return [
        PriorLine(
            s.paid,
            tuple((a.reason, a.amount) for a in s.adjustments if a.group == "PR"),
        )
        for s in payment.lines
    ]


def adjudicate_secondary(
    cfg: SimulatorConfig,
    payer: PayerConfig,
    plan: Plan,
    claim: Claim,
    prior: Sequence[PriorLine],
    ctx: Context,
    member_id: str = "",
) -> Outcome:
    """A claim after other payers: OA-23 for their impact, then this plan's share of the
    patient responsibility they left, capped by its own allowed amount less their payment."""
    denials = line_denials(cfg, payer, claim, ctx)
    lines: list[ServicePayment] = []
    for ln, d, p in zip(claim.lines, denials, prior, strict=True):
        if d is not None:
            lines.append(_denied(ln, d))
            continue
        pr_total = Money.sum(a for _, a in p.patient_responsibility)
        covered = Money.sum(a for r, a in p.patient_responsibility if r in plan.cob_covers)
        own_allowed = allowed_amount(cfg, payer, ln)
        pay = max(ZERO, min(covered, own_allowed - p.paid))
        adjs: list[Adjustment] = []
        impact = ln.charge - pr_total
        if impact:
            adjs.append(Adjustment("OA", "23", impact))
        if covered > pay:
            adjs.append(Adjustment("CO", "45", covered - pay))
        for reason, amount in p.patient_responsibility:
            if reason not in plan.cob_covers and amount:
                adjs.append(Adjustment("PR", reason, amount))
        lines.append(_service(ln, pay, adjs, allowed=own_allowed))
    status = _status(lines, "2")
    return Outcome(claim_payment(claim, payer, ctx, status, lines, member_id=member_id))


def reversal(payment: ClaimPayment) -> ClaimPayment:
    """The CLP02 = 22 claim that takes back ``payment``: every amount negated, same ICN."""

    def neg_adj(a: Adjustment) -> Adjustment:
        return replace(a, amount=-a.amount)

    return replace(
        payment,
        status="22",
        charge=-payment.charge,
        paid=-payment.paid,
        patient_responsibility=(
            -payment.patient_responsibility if payment.patient_responsibility else None
        ),
        crossover_payer="",
        adjustments=tuple(neg_adj(a) for a in payment.adjustments),
        lines=tuple(
            replace(
                s,
                charge=-s.charge,
                paid=-s.paid,
                allowed=-s.allowed if s.allowed is not None else None,
                adjustments=tuple(neg_adj(a) for a in s.adjustments),
            )
            for s in payment.lines
        ),
        amounts=(),
        remarks=tuple(r for r in payment.remarks if r != "MA18"),
    )


def balanced(payment: ClaimPayment) -> bool:
    """CLP03 - all CAS = CLP04, and each line's SVC02 - CAS = SVC03 (the 835 rules)."""
    line_cas = ZERO
    for s in payment.lines:
        cas = Money.sum(a.amount for a in s.adjustments)
        if s.charge - cas != s.paid:
            return False
        line_cas += cas
    claim_cas = Money.sum(a.amount for a in payment.adjustments)
    return payment.charge - claim_cas - line_cas == payment.paid


def cob_adjustments(payment: ClaimPayment) -> tuple[ClaimAdjustment, ...]:
    """The claim's adjustments in the 837 COB shape (for tests building secondary claims)."""
    return tuple(
        ClaimAdjustment(a.group, a.reason, a.amount, a.quantity)
        for s in payment.lines
        for a in s.adjustments
    )
