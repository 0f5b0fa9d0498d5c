"""Journal export: the ledger of one month as general-ledger accounts, debit and credit.

Each posting's account kind maps to a GL account (number and name) through a table that is
data, :data:`DEFAULT_GL_ACCOUNTS`, which a practice can override with a JSON file
(:func:`gl_accounts_from_json`). A receivable maps by who owes it (``receivable:payer``,
``receivable:patient``); a kind the table does not name goes to ``9999 Unmapped: <kind>`` so
nothing is dropped.

The summary has one row per GL account with the month's net amount in the debit or credit
column; the detail has one row per posting. Because every entry balances, the debits equal the
credits in both, and each account's net equals ``SUM(amount)`` of its postings in the month.
An entry belongs to the month of its effective date (entries without one, to the month they
were written).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from revcycle.domain.errors import DomainValidationError
from revcycle.domain.money import Money
from revcycle.domain.user import READ_ACCOUNTING
from revcycle.services.accounting import AccountingStoreFactory, JournalLine, parse_period
from revcycle.services.context import Context

GlAccount = tuple[str, str]  # number, name

DEFAULT_GL_ACCOUNTS: Mapping[str, GlAccount] = {
    "insurance_payments": ("1000", "Cash - insurance deposits"),
    "recoupments": ("1000", "Cash - insurance deposits"),
    "patient_payments": ("1010", "Cash - patient payments"),
    "receivable:payer": ("1200", "Accounts receivable - insurance"),
    "receivable:patient": ("1210", "Accounts receivable - patient"),
    "refunds": ("2100", "Refunds payable"),
    "patient_credit": ("2200", "Patient credit balances"),
    "unapplied_insurance": ("2300", "Unapplied insurance payments"),
    "charges": ("4000", "Gross charges"),
    "contractual_adjustments": ("4100", "Contractual adjustments"),
    "other_adjustments": ("4110", "Other adjustments"),
    "write_offs": ("4200", "Write-offs"),
    "provider_adjustments": ("4300", "Provider-level adjustments"),
    "interest": ("4900", "Interest income"),
}


def gl_accounts_from_json(text: str) -> dict[str, GlAccount]:
    """The default table with the overrides of ``{"kind": {"number": .., "name": ..}}``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DomainValidationError.single("accounts", "invalid_json", str(exc)) from None
    if not isinstance(data, dict):
        raise DomainValidationError.single("accounts", "invalid_json", "an object by kind")
    table = dict(DEFAULT_GL_ACCOUNTS)
    for kind, value in data.items():
        if not (isinstance(value, dict) and value.get("number") and value.get("name")):
            raise DomainValidationError.single(
                f"accounts.{kind}", "invalid_account", "needs a number and a name"
            )
        table[str(kind)] = (str(value["number"]), str(value["name"]))
    return table


def gl_account(line: JournalLine, table: Mapping[str, GlAccount]) -> GlAccount:
    kind = line.account_kind
    if kind == "receivable":
        kind = "receivable:patient" if line.party == "patient" else "receivable:payer"
    return table.get(kind) or table.get(line.account_kind) or ("9999", f"Unmapped: {kind}")


@dataclass(frozen=True, slots=True)
class GlRow:
    number: str
    name: str
    debit: Money
    credit: Money


@dataclass(frozen=True, slots=True)
class JournalExport:
    period: str
    rows: tuple[GlRow, ...]
    lines: tuple[tuple[GlAccount, JournalLine], ...]

    @property
    def total_debit(self) -> Money:
        return Money.sum(r.debit for r in self.rows)

    @property
    def total_credit(self) -> Money:
        return Money.sum(r.credit for r in self.rows)

    def summary_csv(self) -> str:
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["period", "account", "account_name", "debit", "credit"])
        for r in self.rows:
            w.writerow([self.period, r.number, r.name, r.debit.to_json(), r.credit.to_json()])
        w.writerow(
            [self.period, "TOTAL", "", self.total_debit.to_json(), self.total_credit.to_json()]
        )
        return out.getvalue()

    def detail_csv(self) -> str:
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(
            [
                "period",
                "date",
                "entry_id",
                "entry_kind",
                "account",
                "account_name",
                "account_kind",
                "party",
                "patient_id",
                "claim_id",
                "line_id",
                "reason",
                "debit",
                "credit",
                "memo",
            ]
        )
        debit = credit = Decimal(0)
        for (number, name), ln in self.lines:
            amount = ln.amount.amount
            debit += max(amount, Decimal(0))
            credit += max(-amount, Decimal(0))
            w.writerow(
                [
                    self.period,
                    ln.effective_date.isoformat() if ln.effective_date else "",
                    ln.entry_id,
                    ln.entry_kind,
                    number,
                    name,
                    ln.account_kind,
                    ln.party,
                    ln.patient_id,
                    ln.claim_id,
                    ln.line_id,
                    ln.reason,
                    Money(max(amount, Decimal(0))).to_json(),
                    Money(max(-amount, Decimal(0))).to_json(),
                    ln.memo,
                ]
            )
        totals = [Money(debit).to_json(), Money(credit).to_json()]
        w.writerow([self.period, "", "TOTAL", *([""] * 9), *totals, ""])
        return out.getvalue()


def export_journal(
    ctx: Context,
    period: str,
    *,
    store: AccountingStoreFactory,
    accounts: Mapping[str, GlAccount] = DEFAULT_GL_ACCOUNTS,
) -> JournalExport:
    """The month's postings by GL account (summary rows) and one by one (``lines``)."""
    ctx.require(READ_ACCOUNTING)
    start, end = parse_period(period)
    name = f"{start.year:04d}-{start.month:02d}"
    with ctx.uow() as uow:
        lines = store(uow).journal_lines(start, end)
        ctx.audit(uow, "journal.export", "accounting_period", name)
        uow.commit()
    mapped = tuple((gl_account(ln, accounts), ln) for ln in lines)
    net: dict[GlAccount, Decimal] = defaultdict(Decimal)
    for account, ln in mapped:
        net[account] += ln.amount.amount
    rows = tuple(
        GlRow(number, acct_name, Money(max(v, Decimal(0))), Money(max(-v, Decimal(0))))
        for (number, acct_name), v in sorted(net.items())
    )
    return JournalExport(name, rows, mapped)
