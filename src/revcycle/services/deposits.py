"""Use cases: import bank deposits (a bank CSV or a BAI2 file) and list them.

Guarantees:

- all or nothing: the file is read and checked whole before anything is written (a bad row or
  record raises :class:`~revcycle.posting.bank.BankFileRejected` naming its line or record);
- idempotent: a file already imported (same content hash) imports nothing, and a deposit
  already stored (same bank reference, date and amount, from any file) is not stored again;
- only credits are deposits: debit rows (negative CSV amounts, BAI2 type codes 400-699) are
  counted and left out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from revcycle.domain.errors import DomainValidationError, FieldError
from revcycle.domain.money import Money
from revcycle.domain.user import READ_ACCOUNTING, WRITE_ACCOUNTING
from revcycle.posting.bai2 import bai2_deposits
from revcycle.posting.bank import BankDeposit, BankFile, BankFileRejected, read_bank_csv
from revcycle.services.accounting import AccountingStoreFactory, Deposit
from revcycle.services.context import Context

FORMATS = ("csv", "bai2")


@dataclass(frozen=True, slots=True)
class DepositImport:
    status: str  # imported, already_imported
    file_format: str
    imported: int
    duplicates: int
    debits_skipped: int
    total: Money

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "format": self.file_format,
            "deposits_imported": self.imported,
            "deposits_already_known": self.duplicates,
            "debits_skipped": self.debits_skipped,
            "total_imported": self.total.to_json(),
        }


def detect_format(content: bytes) -> str:
    """``bai2`` when the file opens with a 01 record, else ``csv``."""
    head = content.lstrip(b"\xef\xbb\xbf \r\n\t")[:3]
    return "bai2" if head == b"01," else "csv"


def read_bank_file(content: bytes, fmt: str | None = None) -> tuple[str, BankFile]:
    """(format, deposits) of a bank file; raises when the file cannot be imported whole."""
    fmt = (fmt or detect_format(content)).lower()
    if fmt not in FORMATS:
        raise DomainValidationError.single("format", "format_unknown", "csv or bai2")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BankFileRejected(
            [FieldError("file", "encoding", f"not UTF-8 text (byte {exc.start})")]
        ) from None
    return fmt, (read_bank_csv(text) if fmt == "csv" else bai2_deposits(text))


def import_deposits(
    ctx: Context,
    content: bytes,
    *,
    name: str = "",
    fmt: str | None = None,
    store: AccountingStoreFactory,
) -> DepositImport:
    """Import the deposits of one bank file into the practice's deposits, once."""
    ctx.require(WRITE_ACCOUNTING)
    fmt, bank = read_bank_file(content, fmt)
    sha = hashlib.sha256(content).hexdigest()
    with ctx.uow() as uow:
        s = store(uow)
        if s.deposit_file_seen(sha):
            return DepositImport("already_imported", fmt, 0, 0, 0, Money.zero())
        known = s.known_deposit_keys([_key(d) for d in bank.deposits])
        new: list[BankDeposit] = []
        duplicates = 0
        for d in bank.deposits:
            key = _key(d)
            if key in known:
                duplicates += 1
                continue
            known.add(key)
            new.append(d)
        total = Money.sum(d.amount for d in new)
        file_id = s.add_deposit_file(sha, name, fmt, len(new), total, ctx.clock.now(), ctx.actor)
        s.add_deposits(file_id, new)
        ctx.audit(uow, "deposits.import", "deposit_file", file_id)
        uow.commit()
    return DepositImport("imported", fmt, len(new), duplicates, bank.debits_skipped, total)


def _key(d: BankDeposit) -> tuple[str, date, Money]:
    return (d.reference[:120], d.deposit_date, d.amount)


def list_deposits(ctx: Context, *, store: AccountingStoreFactory) -> Sequence[Deposit]:
    ctx.require(READ_ACCOUNTING)
    with ctx.uow() as uow:
        return store(uow).deposits()


def deposit_json(d: Deposit) -> dict[str, Any]:
    return {
        "id": d.id,
        "date": d.deposit_date.isoformat(),
        "amount": d.amount.to_json(),
        "reference": d.reference,
        "description": d.description,
        "type_code": d.type_code,
        "method": d.method,
        "account": d.account,
        "trace_number": d.trace_number,
        "payer_identifier": d.payer_identifier,
    }
