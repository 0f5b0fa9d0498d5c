"""The report queries: every KPI total, the A/R aging and the denial breakdowns of one
practice, aggregated in the database (``GROUP BY``, ``SUM``, ``COUNT``) so that a million
claim lines come back as a few dozen rows.

``report_store(uow)`` binds them to the connection of an open ``SqlUnitOfWork``. Dates:
ledger amounts by their journal entry's effective date (the date of service for charges, the
payment date for payments), claims and encounters by their first date of service, denials by
the date they were denied. Day differences and months are the two things SQLite and
PostgreSQL spell differently (``julianday`` / date subtraction, ``strftime`` / ``to_char``).

Speed (issue 10: the KPIs over 1,000,000 claim lines in < 2 s on PostgreSQL). Each posting
carries its entry's effective date (migration 0015), so the ledger queries read postings
alone instead of joining millions of legs to their entries by text id, and the covering indexes
of 0015 answer them from the index: by (account, date) for totals over a range, by (account,
claim) for balances and payments per claim. Per-claim figures are aggregated before they are
joined (the open balances before their charge dates, the first payments before the
submissions), and the first payment "in the range" is found from the payments of the range.

The sums that need no single posting come from the ledger's roll-ups (migration 0017, written
by ``LedgerRepository.add_entries`` with the postings, append-only): the ledger totals, the
monthly trend and patient credit sum ``ledger_day_totals`` (one row per account kind, party
and day per posting call: 1,523 rows backfilled for 4.55M postings) and the aging sums
``receivable_day_totals`` (one row per claim, party, patient and day per call: 462,588 rows
where the postings have 1.78M receivable legs). Measured back to back on the 1,000,017 claim
lines of ``python -m bench reports`` with another heavy job running, best of 3: all dates
2.48 s -> 1.37 s, one month 1.41 s -> 0.96 s; ledger totals 0.7 s -> 1 ms, aging
0.7 s -> 0.3 s. What is left is the per-claim queries: payment lag (0.44-0.50 s; the
positive payer payments, which a sum cannot stand for, grouped per claim and joined to the
submission dates), adjudicated (0.24-0.36 s), charge lag (0.23 s), denials worked (0.12 s).
Tried and not kept, no measurable gain: the charge dates looked up per open claim
(``LATERAL`` over the charge index) instead of grouped for all claims, and a covering
``claim_history`` index (practice, status, claim, time) for the submission dates. The
PostgreSQL session setting ``jit = off`` changes nothing here: ``report_store`` already turns
JIT off for its transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Integer,
    String,
    and_,
    case,
    cast,
    distinct,
    func,
    literal,
    select,
)

from revcycle.db.denial_tables import denials
from revcycle.db.ledger_tables import (
    journal_entries,
    ledger_day_totals,
    postings,
    receivable_day_totals,
)
from revcycle.db.patient_billing_tables import patient_receipts
from revcycle.db.tables import (
    claim_history,
    claim_lines,
    claims,
    encounter_lines,
    encounters,
    patients,
    payers,
)
from revcycle.db.uow import bound
from revcycle.domain.money import Money
from revcycle.reports.aging import bucket_starts
from revcycle.services.ports import UnitOfWork

je = journal_entries
p = postings
d = ledger_day_totals
r = receivable_day_totals


def _money(value: Any) -> Money:
    return Money(Decimal(value or 0))


def _between(col: Any, start: date | None, end: date | None) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if start is not None:
        out.append(col >= start)
    if end is not None:
        out.append(col <= end)
    return out


class ReportRepository:
    """The report queries of one practice, on one connection."""

    def __init__(self, conn: Connection, practice_id: int) -> None:
        self.conn = conn
        self.practice_id = practice_id
        self.sqlite = conn.dialect.name == "sqlite"

    # -- dialect helpers ----------------------------------------------------------------------

    def _day(self, col: Any) -> Any:
        """A timestamp's date."""
        return func.date(col) if self.sqlite else cast(col, Date)

    def _days_between(self, later: Any, earlier: Any) -> Any:
        """Whole days from ``earlier`` to ``later`` (both dates)."""
        if self.sqlite:
            return cast(func.julianday(later) - func.julianday(earlier), Integer)
        return later - earlier

    def _month(self, col: Any) -> Any:
        return func.strftime("%Y-%m", col) if self.sqlite else func.to_char(col, "YYYY-MM")

    def _entries(self) -> Any:
        return p.join(je, and_(je.c.practice_id == p.c.practice_id, je.c.entry_id == p.c.entry_id))

    # -- ledger -------------------------------------------------------------------------------

    def first_activity(self) -> date | None:
        """The earliest effective date on the ledger (the start of an open range)."""
        found = self.conn.execute(
            select(func.min(je.c.effective_date)).where(je.c.practice_id == self.practice_id)
        ).scalar_one()
        return found if found is None or isinstance(found, date) else date.fromisoformat(found)

    def ledger_totals(self, start: date | None, end: date | None) -> dict[tuple[str, bool], Money]:
        """``SUM(amount)`` by (account kind, patient party) of the entries effective in the
        range (debits positive), from the daily roll-up."""
        is_patient = d.c.party == "patient"
        q = (
            select(d.c.account_kind, is_patient.label("pat"), func.sum(d.c.amount))
            .where(
                d.c.practice_id == self.practice_id,
                d.c.account_kind.in_(
                    [
                        "charges",
                        "contractual_adjustments",
                        "insurance_payments",
                        "patient_payments",
                        "refunds",
                        "write_offs",
                    ]
                ),
                *_between(d.c.effective_date, start, end),
            )
            .group_by(d.c.account_kind, is_patient)
        )
        return {(k, bool(pat)): _money(s) for k, pat, s in self.conn.execute(q)}

    def credit_balances(self, on: date | None) -> Money:
        """Patient credit (unapplied money held for patients) at ``on``, positive."""
        q = select(func.sum(d.c.amount)).where(
            d.c.practice_id == self.practice_id,
            d.c.account_kind == "patient_credit",
            *_between(d.c.effective_date, None, on),
        )
        return -_money(self.conn.execute(q).scalar_one())

    def aging(self, on: date, by_patient: bool = True) -> list[tuple[str, str, int, Money]]:
        """Open receivables at ``on`` grouped by (party, patient id, bucket index): each
        claim is aged from its charge entry's effective date (its first date of service).

        Balances are summed per claim first and only the claims still open are aged (a
        zero balance adds nothing to any bucket), so the charge dates are joined to the open
        claims, not to every receivable posting. The balances come from the receivable
        roll-up (about two rows a claim), not from the postings (one a line and entry)."""
        patient = [r.c.patient_id] if by_patient else []
        balance = func.sum(r.c.amount)
        open_ = (
            select(r.c.claim_id, r.c.party, *patient, balance.label("amount"))
            .where(
                r.c.practice_id == self.practice_id,
                *_between(r.c.effective_date, None, on),
            )
            .group_by(r.c.claim_id, r.c.party, *patient)
            .having(balance != 0)
            .subquery()
        )
        dos = (
            select(je.c.claim_id, func.min(je.c.effective_date).label("dos"))
            .where(je.c.practice_id == self.practice_id, je.c.kind == "charge")
            .group_by(je.c.claim_id)
            .subquery()
        )
        s30, s60, s90, s120 = bucket_starts(on)
        bucket = case(
            (dos.c.dos >= s30, 0),
            (dos.c.dos >= s60, 1),
            (dos.c.dos >= s90, 2),
            (dos.c.dos >= s120, 3),
            else_=4,
        ).label("bucket")
        pid = open_.c.patient_id if by_patient else literal("")
        q = (
            select(open_.c.party, pid, bucket, func.sum(open_.c.amount))
            .select_from(open_.join(dos, dos.c.claim_id == open_.c.claim_id))
            .group_by(open_.c.party, pid, bucket)
        )
        return [(party, str(pid), int(b), _money(s)) for party, pid, b, s in self.conn.execute(q)]

    def payer_charges(self, start: date | None, end: date | None) -> dict[str, tuple[int, Money]]:
        """Payer mix: charges billed to each party (``payer:<id>``, ``patient``) by the charge
        entries of the range, with the number of claims."""
        q = (
            select(p.c.party, func.count(distinct(p.c.claim_id)), func.sum(p.c.amount))
            .select_from(self._entries())
            .where(
                p.c.practice_id == self.practice_id,
                je.c.kind == "charge",
                p.c.account_kind == "receivable",
                *_between(je.c.effective_date, start, end),
            )
            .group_by(p.c.party)
        )
        return {party: (int(n), _money(s)) for party, n, s in self.conn.execute(q)}

    def monthly_ledger(self, start: date | None, end: date | None) -> list[tuple[str, str, Money]]:
        """(month, account kind, SUM(amount)) of charges and payments, from the daily roll-up."""
        month = self._month(d.c.effective_date)
        q = (
            select(month, d.c.account_kind, func.sum(d.c.amount))
            .where(
                d.c.practice_id == self.practice_id,
                d.c.account_kind.in_(["charges", "insurance_payments", "patient_payments"]),
                d.c.effective_date.is_not(None),
                *_between(d.c.effective_date, start, end),
            )
            .group_by(month, d.c.account_kind)
        )
        return [(m, k, _money(s)) for m, k, s in self.conn.execute(q)]

    # -- claims -------------------------------------------------------------------------------

    def _claims_in_range(self, start: date | None, end: date | None) -> Any:
        return claims.join(encounters, encounters.c.id == claims.c.encounter_id), [
            claims.c.practice_id == self.practice_id,
            *_between(encounters.c.dos_from, start, end),
        ]

    def scrubbed(self, start: date | None, end: date | None) -> tuple[int, int]:
        """(claims scrubbed, clean on their first scrub) for services in the range."""
        frm, where = self._claims_in_range(start, end)
        if start is None and end is None:  # every claim has its one encounter (a foreign key)
            frm, where = claims, [claims.c.practice_id == self.practice_id]
        clean = func.sum(case((claims.c.first_pass_clean.is_(True), 1), else_=0))
        q = (
            select(func.count(), clean)
            .select_from(frm)
            .where(*where, claims.c.first_pass_clean.is_not(None))
        )
        n, c = self.conn.execute(q).one()
        return int(n), int(c or 0)

    def monthly_scrubbed(self, start: date | None, end: date | None) -> list[tuple[str, int, int]]:
        frm, where = self._claims_in_range(start, end)
        month = self._month(encounters.c.dos_from)
        clean = func.sum(case((claims.c.first_pass_clean.is_(True), 1), else_=0))
        q = (
            select(month, func.count(), clean)
            .select_from(frm)
            .where(*where, claims.c.first_pass_clean.is_not(None))
            .group_by(month)
        )
        return [(m, int(n), int(c or 0)) for m, n, c in self.conn.execute(q)]

    def adjudicated(self, start: date | None, end: date | None) -> tuple[int, Money]:
        """(claims adjudicated in the range, their charges): claims with an 835 claim payment
        or an 835 denial in the range."""
        paid = select(je.c.claim_id).where(
            je.c.practice_id == self.practice_id,
            je.c.kind == "insurance_payment",
            je.c.claim_id != "",
            *_between(je.c.effective_date, start, end),
        )
        denied = select(denials.c.claim_id).where(
            denials.c.practice_id == self.practice_id,
            denials.c.source == "835",
            *_between(denials.c.denied_on, start, end),
        )
        q = select(func.count(), func.sum(claims.c.total_charge)).where(
            claims.c.practice_id == self.practice_id,
            cast(claims.c.id, String).in_(paid) | claims.c.id.in_(denied),
        )
        n, total = self.conn.execute(q).one()
        return int(n), _money(total)

    def denied_835(self, start: date | None, end: date | None) -> tuple[int, Money]:
        """(claims with an 835 denial in the range, dollars denied)."""
        q = select(func.count(distinct(denials.c.claim_id)), func.sum(denials.c.amount)).where(
            denials.c.practice_id == self.practice_id,
            denials.c.source == "835",
            *_between(denials.c.denied_on, start, end),
        )
        n, total = self.conn.execute(q).one()
        return int(n), _money(total)

    def denials_worked(self, start: date | None, end: date | None) -> tuple[int, int]:
        """(denials of the range worked, of them overturned): a denial is overturned when its
        claim got a payer payment after the day it was denied, worked when overturned or
        moved out of ``open``."""
        later = (
            select(p.c.id)
            .where(
                p.c.practice_id == self.practice_id,
                p.c.account_kind == "insurance_payments",
                p.c.claim_id == cast(denials.c.claim_id, String),
                p.c.effective_date > denials.c.denied_on,
                p.c.amount > 0,
            )
            .exists()
        )
        # Grouped by the two facts so that the correlated lookup runs once per denial.
        paid_later = case((later, 1), else_=0).label("paid_later")
        moved = case((denials.c.status != "open", 1), else_=0).label("moved")
        q = (
            select(paid_later, moved, func.count())
            .where(
                denials.c.practice_id == self.practice_id,
                *_between(denials.c.denied_on, start, end),
            )
            .group_by(paid_later, moved)
        )
        worked = overturned = 0
        for was_paid, was_moved, n in self.conn.execute(q):
            worked += n if was_paid or was_moved else 0
            overturned += n if was_paid else 0
        return worked, overturned

    def charge_lag(self, start: date | None, end: date | None) -> tuple[int, int]:
        """(encounters with a date of service in the range, sum of days from the date of
        service to the first charge line's entry)."""
        first = (
            select(
                encounters.c.id,
                encounters.c.dos_from.label("dos"),
                func.min(encounter_lines.c.entered_at).label("entered"),
            )
            .select_from(
                encounters.join(encounter_lines, encounter_lines.c.encounter_id == encounters.c.id)
            )
            .where(
                encounters.c.practice_id == self.practice_id,
                *_between(encounters.c.dos_from, start, end),
            )
            .group_by(encounters.c.id, encounters.c.dos_from)
            .subquery()
        )
        lag = self._days_between(self._day(first.c.entered), first.c.dos)
        n, total = self.conn.execute(select(func.count(), func.sum(lag))).one()
        return int(n), int(total or 0)

    def _payer_paid(self, postings_: Any) -> list[ColumnElement[bool]]:
        """A positive payer payment posted to a claim."""
        return [
            postings_.c.practice_id == self.practice_id,
            postings_.c.account_kind == "insurance_payments",
            postings_.c.claim_id != "",
            postings_.c.amount > 0,
        ]

    def payment_lag(self, start: date | None, end: date | None) -> tuple[int, int]:
        """(claims first paid by a payer in the range, sum of days from first submission to
        that payment); claims never submitted are left out.

        A claim is first paid in the range when it has a payment in the range and none
        before it, so only the payments of the range are grouped (not every claim's)."""
        where = [*self._payer_paid(p), *_between(p.c.effective_date, start, end)]
        if start is not None:
            before = postings.alias("before")
            where.append(
                ~select(before.c.id)
                .where(
                    *self._payer_paid(before),
                    before.c.claim_id == p.c.claim_id,
                    before.c.effective_date < start,
                )
                .exists()
            )
        paid = (
            select(p.c.claim_id.label("cid"), func.min(p.c.effective_date).label("paid_on"))
            .where(*where)
            .group_by(p.c.claim_id)
            .subquery()
        )
        sub = (
            select(
                cast(claim_history.c.claim_id, String).label("cid"),
                func.min(claim_history.c.at).label("at"),
            )
            .where(
                claim_history.c.practice_id == self.practice_id,
                claim_history.c.to_status == "submitted",
            )
            .group_by(claim_history.c.claim_id)
            .subquery()
        )
        lag = self._days_between(paid.c.paid_on, self._day(sub.c.at))
        q = select(func.count(), func.sum(lag)).select_from(paid.join(sub, sub.c.cid == paid.c.cid))
        n, total = self.conn.execute(q).one()
        return int(n), int(total or 0)

    # -- patients -----------------------------------------------------------------------------

    def patient_cash(self, start: date | None, end: date | None) -> tuple[Money, Money]:
        """(payments at the point of service: copays and payments received on the date of
        service, all patient payments) received in the range."""
        pos = func.sum(
            case(
                (patient_receipts.c.kind == "copay", patient_receipts.c.amount),
                (
                    patient_receipts.c.received_on == patient_receipts.c.service_date,
                    patient_receipts.c.amount,
                ),
                else_=0,
            )
        )
        q = select(pos, func.sum(patient_receipts.c.amount)).where(
            patient_receipts.c.practice_id == self.practice_id,
            patient_receipts.c.kind.in_(["payment", "copay"]),
            *_between(patient_receipts.c.received_on, start, end),
        )
        a, b = self.conn.execute(q).one()
        return _money(a), _money(b)

    def patient_names(self, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        q = select(patients.c.id, patients.c.last_name, patients.c.first_name).where(
            patients.c.practice_id == self.practice_id, patients.c.id.in_(list(ids))
        )
        return {i: f"{last}, {first}" for i, last, first in self.conn.execute(q)}

    def payer_directory(self) -> dict[str, tuple[int, str, str]]:
        """X12 payer ID -> (payer ref, name, payer class)."""
        q = select(payers.c.payer_id, payers.c.id, payers.c.name, payers.c.payer_class).where(
            payers.c.practice_id == self.practice_id
        )
        return {pid: (ref, name, cls) for pid, ref, name, cls in self.conn.execute(q)}

    # -- denials ------------------------------------------------------------------------------

    def denial_groups(
        self, start: date | None, end: date | None
    ) -> list[tuple[str, int | None, str, str, int, Money]]:
        """(month, payer ref, category, CARCs as JSON text, count, amount) of the denials of
        the range."""
        month = self._month(denials.c.denied_on)
        carcs = cast(denials.c.carcs, String)
        q = (
            select(
                month,
                denials.c.payer_id,
                denials.c.category,
                carcs,
                func.count(),
                func.sum(denials.c.amount),
            )
            .where(
                denials.c.practice_id == self.practice_id,
                *_between(denials.c.denied_on, start, end),
            )
            .group_by(month, denials.c.payer_id, denials.c.category, carcs)
        )
        return [
            (m, ref, cat, str(c), int(n), _money(s))
            for m, ref, cat, c, n, s in self.conn.execute(q)
        ]

    def top_procedures(
        self, start: date | None, end: date | None, limit: int
    ) -> tuple[list[tuple[str, int, Money]], list[tuple[str, int, Money]]]:
        """The procedures with the most charges (lines, charges) and with the most denials
        (denials, denied line charges) in the range; a claim-level denial counts on each of
        its lines."""
        by_charges = (
            select(
                encounter_lines.c.procedure,
                func.count(),
                func.sum(claim_lines.c.charge).label("total"),
            )
            .select_from(
                claim_lines.join(
                    encounter_lines, encounter_lines.c.id == claim_lines.c.encounter_line_id
                )
            )
            .where(
                claim_lines.c.practice_id == self.practice_id,
                *_between(encounter_lines.c.dos_from, start, end),
            )
            .group_by(encounter_lines.c.procedure)
            .order_by(func.sum(claim_lines.c.charge).desc(), encounter_lines.c.procedure)
            .limit(limit)
        )
        on_line = and_(
            claim_lines.c.claim_id == denials.c.claim_id,
            (denials.c.line_id.is_(None)) | (claim_lines.c.id == denials.c.line_id),
        )
        by_denials = (
            select(encounter_lines.c.procedure, func.count(), func.sum(claim_lines.c.charge))
            .select_from(
                denials.join(claim_lines, on_line).join(
                    encounter_lines, encounter_lines.c.id == claim_lines.c.encounter_line_id
                )
            )
            .where(
                denials.c.practice_id == self.practice_id,
                *_between(denials.c.denied_on, start, end),
            )
            .group_by(encounter_lines.c.procedure)
            .order_by(func.count().desc(), encounter_lines.c.procedure)
            .limit(limit)
        )
        return (
            [(code, int(n), _money(s)) for code, n, s in self.conn.execute(by_charges)],
            [(code, int(n), _money(s)) for code, n, s in self.conn.execute(by_denials)],
        )


def report_store(uow: UnitOfWork) -> ReportRepository:
    """The report queries on ``uow``'s connection (inside its transaction)."""
    b = bound(uow, "report_store")
    if b.conn.dialect.name == "postgresql":
        # The report queries aggregate a few million index entries in well under a second,
        # but their joins on text claim ids are estimated high enough to make PostgreSQL
        # compile, inline and optimize them with JIT first: about 0.1 s a query, a tenth of
        # the whole KPI report on 1,000,000 claim lines. Off for this transaction only.
        b.conn.exec_driver_sql("SET LOCAL jit = off")
    return ReportRepository(b.conn, b.practice_id)
