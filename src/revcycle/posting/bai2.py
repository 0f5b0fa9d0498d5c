"""The BAI2 cash-management file: a pure reader, and the deposits it reports.

A BAI2 file is comma-separated records, each ending with ``/``::

    01 file header        sender, receiver, creation date (YYMMDD) and time, file id, ..., version 2
    02 group header       ultimate receiver, originator, status, as-of date and time, currency
    03 account identifier account number, currency, then summaries (type, amount, count, funds)
    16 transaction detail type code, amount, funds type, bank reference, customer reference, text
    88 continuation       more fields of the record before it (for a 16, more of its text)
    49 account trailer    control total (sum of the 03 and 16 amounts), records 03..49
    98 group trailer      control total (sum of the 49 totals), accounts, records 02..98
    99 file trailer       control total (sum of the 98 totals), groups, records 01..99

Amounts are whole cents without a decimal point (``150000`` is $1,500.00). A funds type ``S``
is followed by three amounts, ``V`` by a value date and time, ``D`` by a count and that many
(days, amount) pairs. Detail type codes 100-399 are credits (165 preauthorized ACH credit, 169
miscellaneous ACH credit, 195 incoming wire, 301 commercial deposit, ...), 400-699 debits.

:func:`parse_bai2` reads the whole file and checks its structure, record counts and control
totals; every problem is a :class:`Bai2Finding` naming the record number (the physical record,
counting from 1), and it keeps going. :func:`bai2_deposits` turns the credits of a clean file
into :class:`~revcycle.posting.bank.BankDeposit` values; the text of an ACH CCD+ credit carries
the ``TRN*1*<trace>*<payer>\\`` addenda that reconciliation matches to an 835.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from revcycle.domain.errors import FieldError
from revcycle.domain.money import Money
from revcycle.posting.bank import BankDeposit, BankFile, BankFileRejected, trace_from_text

ACH_CREDIT_CODES = frozenset({"142", "143", "145", "165", "166", "167", "168", "169", "177"})
WIRE_CREDIT_CODES = frozenset({"191", "195", "196", "206", "208"})
CHECK_CREDIT_CODES = frozenset({"115", "116", "118", "171", "172", "175", "301", "302", "303"})


def is_credit(type_code: str) -> bool:
    """Detail type codes 100-399 are credits to the account."""
    return type_code.isdigit() and 100 <= int(type_code) <= 399


def method_for(type_code: str) -> str:
    if type_code in ACH_CREDIT_CODES:
        return "ACH"
    if type_code in WIRE_CREDIT_CODES:
        return "WIRE"
    if type_code in CHECK_CREDIT_CODES:
        return "CHK"
    return "OTHER"


@dataclass(frozen=True, slots=True)
class Bai2Finding:
    code: str
    message: str
    record: int  # physical record number, from 1


@dataclass(frozen=True, slots=True)
class Bai2Summary:
    """One (type code, amount, item count, funds type) of a 03 record."""

    type_code: str
    amount: Money | None = None
    item_count: str = ""
    funds_type: str = ""
    funds_detail: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Bai2Transaction:
    type_code: str
    amount: Money
    funds_type: str = ""
    funds_detail: tuple[str, ...] = ()
    bank_reference: str = ""
    customer_reference: str = ""
    text: str = ""
    record: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Bai2Account:
    number: str
    currency: str = ""
    summaries: tuple[Bai2Summary, ...] = ()
    transactions: tuple[Bai2Transaction, ...] = ()


@dataclass(frozen=True, slots=True)
class Bai2Group:
    ultimate_receiver: str
    originator: str
    status: str
    as_of_date: date | None
    as_of_time: str = ""
    currency: str = ""
    as_of_modifier: str = ""
    accounts: tuple[Bai2Account, ...] = ()


@dataclass(frozen=True, slots=True)
class Bai2File:
    sender: str
    receiver: str
    creation_date: date | None
    creation_time: str = ""
    file_id: str = ""
    record_length: str = ""
    block_size: str = ""
    version: str = "2"
    groups: tuple[Bai2Group, ...] = ()


@dataclass(frozen=True, slots=True)
class Bai2Result:
    file: Bai2File | None
    findings: tuple[Bai2Finding, ...]

    @property
    def valid(self) -> bool:
        return self.file is not None and not self.findings


# ---- reading ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Record:
    number: int
    code: str
    body: str  # everything after "NN,", without the closing "/"
    continuations: list[str] = field(default_factory=list)

    @property
    def physical(self) -> int:
        return 1 + len(self.continuations)

    def fields(self) -> list[str]:
        out = self.body.split(",") if self.body else []
        for c in self.continuations:
            out += c.split(",")
        return out


def _records(text: str, findings: list[Bai2Finding]) -> list[_Record]:
    out: list[_Record] = []
    number = 0
    for raw in text.lstrip("\ufeff").splitlines():
        line = raw.rstrip()
        if not line:
            continue
        number += 1
        if line.endswith("/"):
            line = line[:-1]
        code, _, body = line.partition(",")
        code = code.strip()
        if code == "88":
            if not out:
                findings.append(Bai2Finding("bai2.structure", "88 continues nothing", number))
                continue
            out[-1].continuations.append(body)
            continue
        out.append(_Record(number, code, body))
    return out


def _cents(text: str, *, signed: bool = False) -> int:
    t = text.strip()
    sign = 1
    if signed and t[:1] in "+-" and t:
        sign, t = (-1 if t[0] == "-" else 1), t[1:]
    if not t.isdigit():
        raise ValueError(text)
    return sign * int(t)


def _money(cents: int) -> Money:
    return Money(Decimal(cents).scaleb(-2))


def _date(text: str) -> date:
    t = text.strip()
    if len(t) != 6 or not t.isdigit():
        raise ValueError(text)
    yy = int(t[:2])
    return date(2000 + yy if yy < 70 else 1900 + yy, int(t[2:4]), int(t[4:6]))


def _funds(fields: list[str], i: int) -> tuple[str, tuple[str, ...], int]:
    funds = fields[i].strip() if i < len(fields) else ""
    i += 1
    kind = funds.upper()
    n = 3 if kind == "S" else 2 if kind == "V" else 0
    if kind == "D" and i < len(fields) and fields[i].strip().isdigit():
        n = 1 + 2 * int(fields[i])
    detail = tuple(fields[i : i + n])
    return funds, detail, i + n


def _at(fields: list[str], i: int) -> str:
    return fields[i].strip() if i < len(fields) else ""


class _Reader:
    def __init__(self) -> None:
        self.findings: list[Bai2Finding] = []

    def error(self, code: str, message: str, record: int) -> None:
        self.findings.append(Bai2Finding(code, message, record))

    def amount(self, text: str, record: int, *, signed: bool = False) -> int:
        try:
            return _cents(text, signed=signed)
        except ValueError:
            self.error("bai2.amount", f"amount {text.strip()!r} is not whole cents", record)
            return 0

    def day(self, text: str, record: int) -> date | None:
        if not text.strip():
            return None
        try:
            return _date(text)
        except ValueError:
            self.error("bai2.date", f"date {text.strip()!r} is not YYMMDD", record)
            return None

    def check(self, code: str, what: str, stated: str, actual: int, rec: _Record) -> None:
        try:
            value = _cents(stated, signed=True)
        except ValueError:
            self.error(code, f"{what} {stated.strip()!r} is not a number", rec.number)
            return
        if value != actual:
            self.error(
                code,
                f"{rec.code} {what} is {value} but the records before it give {actual}",
                rec.number,
            )

    def account(self, rec: _Record) -> tuple[Bai2Account, int]:
        """The 03 record's account, and the sum of its summary amounts in cents."""
        f = rec.fields()
        summaries: list[Bai2Summary] = []
        total = 0
        i = 2
        while i < len(f) and f[i].strip():
            type_code = f[i].strip()
            amount_text = _at(f, i + 1)
            cents = self.amount(amount_text, rec.number, signed=True) if amount_text else None
            count = _at(f, i + 2)
            funds, detail, i = _funds(f, i + 3)
            summaries.append(
                Bai2Summary(
                    type_code, None if cents is None else _money(cents), count, funds, detail
                )
            )
            total += cents or 0
        return Bai2Account(_at(f, 0), _at(f, 1), tuple(summaries)), total

    def transaction(self, rec: _Record) -> Bai2Transaction:
        f = rec.body.split(",")
        type_code = _at(f, 0)
        cents = self.amount(_at(f, 1), rec.number)
        funds, detail, i = _funds(f, 2)
        text = ",".join(f[i + 2 :])
        if rec.continuations:
            text = " ".join([text, *rec.continuations]).strip()
        if not type_code.isdigit() or len(type_code) != 3:
            self.error("bai2.type_code", f"type code {type_code!r} is not 3 digits", rec.number)
        return Bai2Transaction(
            type_code,
            _money(cents),
            funds,
            detail,
            _at(f, i),
            _at(f, i + 1),
            text,
            rec.number,
        )

    def read(self, text: str) -> Bai2Result:
        records = _records(text, self.findings)
        if not records:
            self.error("bai2.structure", "the file has no records", 1)
            return Bai2Result(None, tuple(self.findings))
        first = records[0]
        if first.code != "01":
            self.error("bai2.structure", "the first record must be the 01 file header", 1)
            return Bai2Result(None, tuple(self.findings))
        h = first.fields()
        version = _at(h, 7)
        if version and version != "2":
            self.error("bai2.version", f"version {version!r}: only BAI2 is read", first.number)
        header = Bai2File(
            sender=_at(h, 0),
            receiver=_at(h, 1),
            creation_date=self.day(_at(h, 2), first.number),
            creation_time=_at(h, 3),
            file_id=_at(h, 4),
            record_length=_at(h, 5),
            block_size=_at(h, 6),
            version=version or "2",
        )
        groups: list[Bai2Group] = []
        file_count, file_total = first.physical, 0
        group: Bai2Group | None = None
        accounts: list[Bai2Account] = []
        group_count = group_total = 0
        account: Bai2Account | None = None
        txns: list[Bai2Transaction] = []
        account_count = account_total = 0
        closed = False
        for rec in records[1:]:
            if closed:
                self.error("bai2.structure", f"record {rec.code} after the 99 trailer", rec.number)
                break
            file_count += rec.physical
            if group is not None:
                group_count += rec.physical
            if account is not None:
                account_count += rec.physical
            f = rec.fields()
            if rec.code == "02":
                if group is not None:
                    self.error("bai2.structure", "02 before the group's 98 trailer", rec.number)
                group = Bai2Group(
                    ultimate_receiver=_at(f, 0),
                    originator=_at(f, 1),
                    status=_at(f, 2),
                    as_of_date=self.day(_at(f, 3), rec.number),
                    as_of_time=_at(f, 4),
                    currency=_at(f, 5),
                    as_of_modifier=_at(f, 6),
                )
                accounts, group_count, group_total = [], rec.physical, 0
            elif rec.code == "03":
                if group is None:
                    self.error("bai2.structure", "03 outside a group (no 02)", rec.number)
                if account is not None:
                    self.error("bai2.structure", "03 before the account's 49", rec.number)
                account, account_total = self.account(rec)
                txns, account_count = [], rec.physical
            elif rec.code == "16":
                if account is None:
                    self.error("bai2.structure", "16 outside an account (no 03)", rec.number)
                    continue
                t = self.transaction(rec)
                txns.append(t)
                account_total += int((t.amount.amount * 100).to_integral_value())
            elif rec.code == "49":
                if account is None:
                    self.error("bai2.structure", "49 without its 03", rec.number)
                    continue
                self.check("bai2.account_total", "account control total", _at(f, 0),
                           account_total, rec)  # fmt: skip
                self.check("bai2.account_records", "account record count", _at(f, 1),
                           account_count, rec)  # fmt: skip
                accounts.append(
                    Bai2Account(account.number, account.currency, account.summaries, tuple(txns))
                )
                group_total += account_total
                account = None
            elif rec.code == "98":
                if group is None:
                    self.error("bai2.structure", "98 without its 02", rec.number)
                    continue
                if account is not None:
                    self.error("bai2.structure", "98 before the account's 49", rec.number)
                    account = None
                self.check("bai2.group_total", "group control total", _at(f, 0),
                           group_total, rec)  # fmt: skip
                self.check("bai2.group_accounts", "number of accounts", _at(f, 1),
                           len(accounts), rec)  # fmt: skip
                self.check("bai2.group_records", "group record count", _at(f, 2),
                           group_count, rec)  # fmt: skip
                groups.append(replace(group, accounts=tuple(accounts)))
                file_total += group_total
                group = None
            elif rec.code == "99":
                if group is not None:
                    self.error("bai2.structure", "99 before the group's 98", rec.number)
                self.check("bai2.file_total", "file control total", _at(f, 0),
                           file_total, rec)  # fmt: skip
                self.check("bai2.file_groups", "number of groups", _at(f, 1),
                           len(groups), rec)  # fmt: skip
                self.check("bai2.file_records", "file record count", _at(f, 2),
                           file_count, rec)  # fmt: skip
                closed = True
            elif rec.code == "01":
                self.error("bai2.structure", "a second 01 file header", rec.number)
            else:
                self.error("bai2.record_code", f"unknown record code {rec.code!r}", rec.number)
        if not closed:
            self.error("bai2.structure", "no 99 file trailer", records[-1].number)
        return Bai2Result(replace(header, groups=tuple(groups)), tuple(self.findings))


def parse_bai2(text: str) -> Bai2Result:
    """Read a BAI2 file; the findings name every structural, count or total problem."""
    return _Reader().read(text)


def bai2_deposits(text: str) -> BankFile:
    """The credits (type codes 100-399) of a BAI2 file as deposits; raises
    :class:`BankFileRejected` with one error per finding (``record N``) when the file is bad."""
    result = parse_bai2(text)
    if result.findings or result.file is None:
        raise BankFileRejected(_errors(result.findings))
    deposits: list[BankDeposit] = []
    debits = 0
    for group in result.file.groups:
        for account in group.accounts:
            for t in account.transactions:
                if not is_credit(t.type_code):
                    debits += 1
                    continue
                if not t.amount or group.as_of_date is None:
                    continue
                trace, company = trace_from_text(t.text, t.customer_reference)
                deposits.append(
                    BankDeposit(
                        deposit_date=group.as_of_date,
                        amount=t.amount,
                        reference=t.bank_reference or t.customer_reference or t.text[:60],
                        description=" ".join(p for p in (t.customer_reference, t.text) if p),
                        type_code=t.type_code,
                        method=method_for(t.type_code),
                        account=account.number,
                        trace_number=trace,
                        payer_identifier=company,
                        location=f"record {t.record}",
                    )
                )
    return BankFile(tuple(deposits), debits)


def _errors(findings: Iterable[Bai2Finding]) -> list[FieldError]:
    return [FieldError(f"record {f.record}", f.code, f.message) for f in findings]
