"""Revenue-cycle reports: the KPIs, the A/R aging, denial analytics, the payer scorecard with
the payer mix, and the monthly series behind the dashboard's charts.

The queries aggregate in the database (``revcycle.db.report_repo``, bound per unit of work by a
store factory, ``report_store`` by default); the formulas are the pure ``revcycle.reports``.
Every function takes a date range (``None`` for an open end: all dates) and needs
``billing:read``. The aging by patient names patients, so reading it is audited.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Protocol

from revcycle.domain.errors import DomainValidationError
from revcycle.domain.money import Money
from revcycle.domain.user import READ_BILLING
from revcycle.reports.aging import AGING_DEFINITION, BUCKETS, AgingRow, aging_table
from revcycle.reports.kpis import DEFINITIONS, KpiFacts, compute_kpis, rate
from revcycle.services import underpayments
from revcycle.services.context import Context
from revcycle.services.ports import UnitOfWork

DEFAULT_STORE = "revcycle.db.report_repo:report_store"
TOP_PROCEDURES = 10


class ReportStore(Protocol):
    """The aggregate queries (see ``revcycle.db.report_repo.ReportRepository``)."""

    def first_activity(self) -> date | None: ...

    def ledger_totals(
        self, start: date | None, end: date | None
    ) -> dict[tuple[str, bool], Money]: ...

    def credit_balances(self, on: date | None) -> Money: ...

    def aging(self, on: date, by_patient: bool = True) -> list[tuple[str, str, int, Money]]: ...

    def payer_charges(
        self, start: date | None, end: date | None
    ) -> dict[str, tuple[int, Money]]: ...

    def monthly_ledger(
        self, start: date | None, end: date | None
    ) -> list[tuple[str, str, Money]]: ...

    def scrubbed(self, start: date | None, end: date | None) -> tuple[int, int]: ...

    def monthly_scrubbed(
        self, start: date | None, end: date | None
    ) -> list[tuple[str, int, int]]: ...

    def adjudicated(self, start: date | None, end: date | None) -> tuple[int, Money]: ...

    def denied_835(self, start: date | None, end: date | None) -> tuple[int, Money]: ...

    def denials_worked(self, start: date | None, end: date | None) -> tuple[int, int]: ...

    def charge_lag(self, start: date | None, end: date | None) -> tuple[int, int]: ...

    def payment_lag(self, start: date | None, end: date | None) -> tuple[int, int]: ...

    def patient_cash(self, start: date | None, end: date | None) -> tuple[Money, Money]: ...

    def patient_names(self, ids: Sequence[int]) -> dict[int, str]: ...

    def payer_directory(self) -> dict[str, tuple[int, str, str]]: ...

    def denial_groups(
        self, start: date | None, end: date | None
    ) -> list[tuple[str, int | None, str, str, int, Money]]: ...

    def top_procedures(
        self, start: date | None, end: date | None, limit: int
    ) -> tuple[list[tuple[str, int, Money]], list[tuple[str, int, Money]]]: ...


ReportStoreFactory = Callable[[UnitOfWork], ReportStore]


def _store(store: ReportStoreFactory | None) -> ReportStoreFactory:
    if store is not None:
        return store
    module, name = DEFAULT_STORE.split(":")
    factory: ReportStoreFactory = getattr(importlib.import_module(module), name)
    return factory


def _check_range(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise DomainValidationError.single("to", "before_from", "the range ends before it starts")


def _payer_key(party: str, directory: dict[str, tuple[int, str, str]]) -> tuple[str, str]:
    """(payer label, payer class) of a receivable's party."""
    if party == "patient" or not party.startswith("payer:"):
        return "patient", "self_pay"
    pid = party.split(":", 1)[1]
    _, _, cls = directory.get(pid, (0, pid, "other"))
    return pid, cls


# ---- KPIs -------------------------------------------------------------------------------------


def kpis(
    ctx: Context,
    start: date | None = None,
    end: date | None = None,
    *,
    store: ReportStoreFactory | None = None,
) -> dict[str, dict[str, Any]]:
    """Every KPI of ``revcycle.reports.KPI_IDS`` over the range, each as ``{"value",
    "numerator", "denominator", "definition"}``. A/R is taken at the end of the range (today
    when open); the days of an open range start at the first ledger activity."""
    ctx.require(READ_BILLING)
    _check_range(start, end)
    factory = _store(store)
    on = end or ctx.clock.today()
    with ctx.uow() as uow:
        q = factory(uow)
        first = start or q.first_activity()
        totals = q.ledger_totals(start, end)
        aged = q.aging(on, by_patient=False)
        credit = q.credit_balances(on)
        scrubbed, clean = q.scrubbed(start, end)
        adjudicated, adjudicated_charges = q.adjudicated(start, end)
        denied, denied_dollars = q.denied_835(start, end)
        worked, overturned = q.denials_worked(start, end)
        encounters, charge_lag = q.charge_lag(start, end)
        paid_claims, payment_lag = q.payment_lag(start, end)
        pos, cash = q.patient_cash(start, end)

    def total(kind: str, patient: bool | None = None) -> Money:
        return Money.sum(
            m for (k, pat), m in totals.items() if k == kind and (patient is None or pat == patient)
        )

    facts = KpiFacts(
        period_days=0 if first is None else max((on - first).days + 1, 0),
        receivable=Money.sum(m for *_, m in aged),
        credit_balances=credit,
        ar_over_90=Money.sum(m for _, _, b, m in aged if b >= 3),
        gross_charges=-total("charges"),
        contractuals=total("contractual_adjustments"),
        payments=total("insurance_payments") + total("patient_payments"),
        refunds=-total("refunds"),
        bad_debt=total("write_offs", patient=True),
        claims_scrubbed=scrubbed,
        claims_clean=clean,
        claims_adjudicated=adjudicated,
        claims_first_pass=adjudicated - denied,
        claims_denied=denied,
        adjudicated_charges=adjudicated_charges,
        denied_dollars=denied_dollars,
        denials_worked=worked,
        denials_overturned=overturned,
        encounters=encounters,
        charge_lag_days=charge_lag,
        paid_claims=paid_claims,
        payment_lag_days=payment_lag,
        pos_collections=pos,
        patient_cash=cash,
    )
    return {k: v.to_json() for k, v in compute_kpis(facts).items()}


# ---- aging ------------------------------------------------------------------------------------


def aging(
    ctx: Context, on: date | None = None, *, store: ReportStoreFactory | None = None
) -> dict[str, Any]:
    """Open A/R at ``on`` (default today) in the buckets of ``revcycle.reports.BUCKETS``, by
    payer (X12 payer ID, ``patient`` for patient balances), payer class (``self_pay`` for
    patients) and patient (``"<id> <last>, <first>"``, every party's balance on the patient's
    claims), amounts as strings."""
    ctx.require(READ_BILLING)
    factory = _store(store)
    when = on or ctx.clock.today()
    with ctx.uow() as uow:
        q = factory(uow)
        raw = q.aging(when)
        directory = q.payer_directory()
        ids = sorted({int(pid) for _, pid, _, _ in raw if pid.isdigit()})
        names = q.patient_names(ids)
        ctx.audit(uow, "read", "report_aging", None)

    def patient_label(pid: str) -> str:
        return f"{pid} {names.get(int(pid), '')}".strip() if pid.isdigit() else pid

    return {
        "as_of": when.isoformat(),
        "buckets": list(BUCKETS),
        "definition": AGING_DEFINITION,
        "by_payer": aging_table(
            AgingRow(_payer_key(party, directory)[0], b, m) for party, _, b, m in raw
        ),
        "by_payer_class": aging_table(
            AgingRow(_payer_key(party, directory)[1], b, m) for party, _, b, m in raw
        ),
        "by_patient": aging_table(AgingRow(patient_label(pid), b, m) for _, pid, b, m in raw),
    }


# ---- denials ----------------------------------------------------------------------------------


def _counted(groups: dict[str, tuple[int, Money]]) -> dict[str, dict[str, Any]]:
    return {
        k: {"count": n, "amount": m.to_json()}
        for k, (n, m) in sorted(groups.items(), key=lambda kv: (-kv[1][0], kv[0]))
    }


def _add(groups: dict[str, tuple[int, Money]], key: str, n: int, m: Money) -> None:
    old_n, old_m = groups.get(key, (0, Money.zero()))
    groups[key] = (old_n + n, old_m + m)


def denials(
    ctx: Context,
    start: date | None = None,
    end: date | None = None,
    *,
    store: ReportStoreFactory | None = None,
) -> dict[str, Any]:
    """Denials of the range (by the date denied) by root-cause category (the ids of
    ``revcycle.codesets`` on the denial records), by payer and by CARC (a denial with two
    CARCs counts under each), the monthly trend by category, denials overturned and the top
    procedures by charges and by denials."""
    ctx.require(READ_BILLING)
    _check_range(start, end)
    factory = _store(store)
    with ctx.uow() as uow:
        q = factory(uow)
        groups = q.denial_groups(start, end)
        directory = q.payer_directory()
        worked, overturned = q.denials_worked(start, end)
        top_charges, top_denials = q.top_procedures(start, end, TOP_PROCEDURES)
    by_ref = {ref: pid for pid, (ref, _, _) in directory.items()}
    by_category: dict[str, tuple[int, Money]] = {}
    by_payer: dict[str, tuple[int, Money]] = {}
    by_carc: dict[str, tuple[int, Money]] = {}
    trend: dict[tuple[str, str], tuple[int, Money]] = {}
    for month, payer_ref, category, carcs, n, amount in groups:
        _add(by_category, category, n, amount)
        _add(by_payer, by_ref.get(payer_ref or 0, "unknown"), n, amount)
        for carc in _carcs(carcs):
            _add(by_carc, carc, n, amount)
        old_n, old_m = trend.get((month, category), (0, Money.zero()))
        trend[(month, category)] = (old_n + n, old_m + amount)
    total_n = sum(n for n, _ in by_category.values())
    return {
        "total": {
            "count": total_n,
            "amount": Money.sum(m for _, m in by_category.values()).to_json(),
        },
        "by_category": _counted(by_category),
        "by_payer": _counted(by_payer),
        "by_carc": _counted(by_carc),
        "trend": [
            {"month": m, "category": c, "count": n, "amount": a.to_json()}
            for (m, c), (n, a) in sorted(trend.items())
        ],
        "overturned": rate(
            overturned,
            worked,
            DEFINITIONS["denials_overturned_rate"],
        ).to_json(),
        "top_procedures_by_charges": [
            {"procedure": c, "lines": n, "charges": m.to_json()} for c, n, m in top_charges
        ],
        "top_procedures_by_denials": [
            {"procedure": c, "denials": n, "charges": m.to_json()} for c, n, m in top_denials
        ],
    }


def _carcs(text: str) -> list[str]:
    """The CARC codes of a denial's ``carcs`` JSON (strings, or objects with a ``code``)."""
    try:
        found = json.loads(text)
    except ValueError:
        return [text]
    out = []
    for c in found if isinstance(found, list) else [found]:
        if isinstance(c, dict):
            out.append(str(c.get("code") or c.get("carc") or ""))
        else:
            out.append(str(c))
    return [c for c in out if c] or ["none"]


# ---- payers -----------------------------------------------------------------------------------


def payers(
    ctx: Context,
    start: date | None = None,
    end: date | None = None,
    *,
    store: ReportStoreFactory | None = None,
) -> list[dict[str, Any]]:
    """Per payer (and ``patient`` for self-pay charges): the payer mix of the range (claims and
    charges billed, share of all charges) joined to the payer scorecard of
    ``services.underpayments.scorecard`` (claims by first submission, payments by date)."""
    ctx.require(READ_BILLING)
    _check_range(start, end)
    factory = _store(store)
    with ctx.uow() as uow:
        q = factory(uow)
        mix = q.payer_charges(start, end)
        directory = q.payer_directory()
    scores = {
        s.payer_id: s.to_json()
        for s in underpayments.scorecard(
            ctx, store=underpayments.default_store(), date_from=start, date_to=end
        )
    }
    total = Money.sum(m for _, m in mix.values())
    out: dict[str, dict[str, Any]] = {}
    for party, (n, charges) in mix.items():
        key, cls = _payer_key(party, directory)
        _, name, _ = directory.get(key, (0, "Patient (self-pay)" if key == "patient" else key, ""))
        share = rate(charges, total, "Charges billed to the payer over all charges").value
        out[key] = {
            "payer_id": key,
            "payer_name": name,
            "payer_class": cls,
            "claims": n,
            "charges": charges.to_json(),
            "charge_share": None if share is None else str(share),
            "scorecard": scores.pop(key, None),
        }
    for key, score in scores.items():
        _, name, cls = directory.get(key, (0, key, "other"))
        out[key] = {
            "payer_id": key,
            "payer_name": name,
            "payer_class": cls,
            "claims": 0,
            "charges": "0.00",
            "charge_share": None,
            "scorecard": score,
        }
    return [out[k] for k in sorted(out)]


# ---- monthly series ---------------------------------------------------------------------------


def monthly(
    ctx: Context,
    start: date | None = None,
    end: date | None = None,
    *,
    store: ReportStoreFactory | None = None,
) -> list[dict[str, Any]]:
    """One row per month (``YYYY-MM``) of the range: charges and collections (payer and
    patient payments) by effective date, claims scrubbed and the clean claim rate by date of
    service, denials by category by the date denied."""
    ctx.require(READ_BILLING)
    _check_range(start, end)
    factory = _store(store)
    with ctx.uow() as uow:
        q = factory(uow)
        ledger = q.monthly_ledger(start, end)
        scrub = q.monthly_scrubbed(start, end)
        groups = q.denial_groups(start, end)
    months: dict[str, dict[str, Any]] = {}

    def row(m: str) -> dict[str, Any]:
        return months.setdefault(
            m,
            {
                "month": m,
                "charges": Money.zero(),
                "collections": Money.zero(),
                "claims_scrubbed": 0,
                "clean_claim_rate": None,
                "denials_by_category": {},
            },
        )

    for m, kind, amount in ledger:
        r = row(m)
        if kind == "charges":
            r["charges"] -= amount
        else:
            r["collections"] += amount
    for m, n, clean in scrub:
        r = row(m)
        r["claims_scrubbed"] = n
        value = rate(clean, n, "").value
        r["clean_claim_rate"] = None if value is None else str(value)
    for m, _, category, _, n, _ in groups:
        cats = row(m)["denials_by_category"]
        cats[category] = cats.get(category, 0) + n
    out = []
    for m in sorted(months):
        r = months[m]
        r["charges"] = r["charges"].to_json()
        r["collections"] = r["collections"].to_json()
        r["denials_by_category"] = dict(sorted(r["denials_by_category"].items()))
        out.append(r)
    return out
