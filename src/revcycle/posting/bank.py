"""Bank deposits as plain data, and the bank CSV reader.

A :class:`BankDeposit` is one credit on the practice's bank account as the bank reports it: the
date, the amount, the bank's reference and free text (for an ACH CCD+ the text carries the
addenda ``TRN*1*<trace>*<payer>\\``, which :func:`trace_from_text` finds). Both readers (this
CSV reader and :mod:`revcycle.posting.bai2`) produce them; nothing here touches a database.

The CSV reader is tolerant of the header names banks use (``Posting Date``, ``Credit``,
``Reference Number`` ...), of ``$1,234.56`` and ``(12.00)`` amounts and of the common date
forms. It reads the whole file before answering: any bad row makes it raise
:class:`BankFileRejected` naming every bad line, so a caller never imports half a file. Rows
with a negative amount (debits) are not deposits: they are counted and left out.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from revcycle.domain.errors import DomainValidationError, FieldError
from revcycle.domain.money import Money

_TRN = re.compile(r"TRN\*1\*([^*\\~/,\s]+)(?:\*([^*\\~/,\s]*))?")


class BankFileRejected(DomainValidationError):
    """A bank file that cannot be imported; each error names its line or record."""

    code = "bank_file_rejected"


@dataclass(frozen=True, slots=True)
class BankDeposit:
    """One credit to the bank account. ``method`` is ``ACH``, ``WIRE``, ``CHK`` or ``OTHER``;
    ``trace_number`` / ``payer_identifier`` come from a ``TRN*1`` addenda when there is one."""

    deposit_date: date
    amount: Money
    reference: str
    description: str = ""
    type_code: str = ""
    method: str = "OTHER"
    account: str = ""
    trace_number: str = ""
    payer_identifier: str = ""
    location: str = field(default="", compare=False)  # "line 4", "record 7"

    @property
    def key(self) -> tuple[str, date, Money]:
        """What makes two deposits the same deposit: bank reference, date and amount."""
        return (self.reference, self.deposit_date, self.amount)


@dataclass(frozen=True, slots=True)
class BankFile:
    """The deposits of one file, and how many debit rows were left out."""

    deposits: tuple[BankDeposit, ...]
    debits_skipped: int = 0


def trace_from_text(*texts: str) -> tuple[str, str]:
    """(trace number, originating company) of the first ``TRN*1*trace*company`` found."""
    for text in texts:
        m = _TRN.search(text)
        if m:
            return m.group(1), m.group(2) or ""
    return "", ""


# ---- CSV ---------------------------------------------------------------------------------------

_DATE_NAMES = (
    "date",
    "deposit date",
    "posting date",
    "posted date",
    "post date",
    "transaction date",
    "value date",
    "effective date",
    "as of date",
)
_AMOUNT_NAMES = ("amount", "deposit amount", "credit amount", "credit", "deposit", "credits")
_REFERENCE_NAMES = (
    "reference",
    "bank reference",
    "reference number",
    "ref",
    "ref #",
    "ref no",
    "bank ref",
    "check number",
    "check #",
    "trace",
    "trace number",
)
_DESCRIPTION_NAMES = (
    "description",
    "memo",
    "details",
    "narrative",
    "text",
    "addenda",
    "transaction description",
    "payee",
)
_TYPE_NAMES = ("type", "transaction type", "type code", "code", "tran type")


def _norm(name: str) -> str:
    return " ".join(name.strip().lower().replace("_", " ").replace(".", "").split())


def _find(headers: Sequence[str], names: Sequence[str]) -> int | None:
    normalized = [_norm(h) for h in headers]
    for name in names:
        if name in normalized:
            return normalized.index(name)
    return None


def parse_amount(text: str) -> Money:
    """``$1,234.56`` / ``(12.00)`` / ``-12`` -> Money; raises ``ValueError`` when not a number."""
    t = text.strip().replace("$", "").replace(",", "").replace(" ", "")
    negative = t.startswith("(") and t.endswith(")")
    if negative:
        t = t[1:-1]
    if t.endswith("-"):  # some banks print trailing minus signs
        negative, t = True, t[:-1]
    try:
        value = Decimal(t)
    except InvalidOperation:
        raise ValueError(f"not an amount: {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"not an amount: {text!r}")
    return Money(-value if negative else value)


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y%m%d", "%m-%d-%Y", "%Y/%m/%d")


def parse_bank_date(text: str) -> date:
    t = text.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(t, fmt).replace(tzinfo=UTC).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r} (use YYYY-MM-DD or MM/DD/YYYY)")


_ACH_WORDS = ("ACH", "CCD", "EFT", "CTX", "PPD")


def _method(type_text: str, description: str) -> str:
    words = f"{type_text} {description}".upper()
    if any(w in words for w in _ACH_WORDS) or "TRN*1*" in words:
        return "ACH"
    if "WIRE" in words:
        return "WIRE"
    if "CHECK" in words or "CHK" in words or "LOCKBOX" in words or "DEPOSIT" in words:
        return "CHK"
    return "OTHER"


def read_bank_csv(text: str) -> BankFile:
    """The credits of a bank CSV export (header row first). Raises :class:`BankFileRejected`
    naming the missing column, or every line whose date or amount cannot be read."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    while rows and not any(c.strip() for c in rows[0]):
        rows.pop(0)
    if not rows:
        raise BankFileRejected([FieldError("file", "empty", "the file has no header row")])
    headers = rows[0]
    at_date = _find(headers, _DATE_NAMES)
    at_amount = _find(headers, _AMOUNT_NAMES)
    at_ref = _find(headers, _REFERENCE_NAMES)
    at_desc = _find(headers, _DESCRIPTION_NAMES)
    at_type = _find(headers, _TYPE_NAMES)
    missing: list[tuple[str, tuple[str, ...]]] = []
    if at_date is None:
        missing.append(("date", _DATE_NAMES))
    if at_amount is None:
        missing.append(("amount", _AMOUNT_NAMES))
    if at_ref is None and at_desc is None:
        missing.append(("reference", _REFERENCE_NAMES + _DESCRIPTION_NAMES))
    if missing:
        raise BankFileRejected(
            FieldError(
                f"header.{what}",
                "column_missing",
                f"no {what} column: found {', '.join(repr(h) for h in headers)}; "
                f"expected one of {', '.join(names)}",
            )
            for what, names in missing
        )
    assert at_date is not None and at_amount is not None
    deposits: list[BankDeposit] = []
    errors: list[FieldError] = []
    debits = 0
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue

        def cell(i: int | None, row: list[str] = row) -> str:
            return row[i].strip() if i is not None and i < len(row) else ""

        try:
            when = parse_bank_date(cell(at_date))
        except ValueError as exc:
            errors.append(FieldError(f"line {number}.date", "invalid_date", str(exc)))
            continue
        try:
            amount = parse_amount(cell(at_amount))
        except ValueError as exc:
            errors.append(FieldError(f"line {number}.amount", "invalid_amount", str(exc)))
            continue
        if amount.is_negative():
            debits += 1
            continue
        if not amount:
            continue
        description = cell(at_desc)
        reference = cell(at_ref) or description
        if not reference:
            errors.append(
                FieldError(f"line {number}.reference", "required", "no reference or description")
            )
            continue
        trace, company = trace_from_text(description, reference)
        type_text = cell(at_type)
        deposits.append(
            BankDeposit(
                deposit_date=when,
                amount=amount,
                reference=reference,
                description=description,
                type_code=type_text,
                method=_method(type_text, description),
                trace_number=trace,
                payer_identifier=company,
                location=f"line {number}",
            )
        )
    if errors:
        raise BankFileRejected(errors)
    return BankFile(tuple(deposits), debits)
