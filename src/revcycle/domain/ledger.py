"""The double-entry ledger: accounts, balanced journal entries, and balances derived from them.

Every financial event (charge, insurance or patient payment, contractual or other adjustment,
write-off, transfer of responsibility, refund, recoupment, interest, provider-level adjustment,
reversal) is one :class:`JournalEntry` of :class:`Posting` rows. Balances are never stored as
facts: they are sums of postings, so a database can keep postings as rows
(``kind, practice_id, patient_id, claim_id, line_id, party_kind, party_id, amount, reason``)
and answer every balance with ``SUM(amount) ... GROUP BY``.

Sign convention: a positive amount is a debit, a negative amount a credit. A charge debits the
line's receivable (owed by the responsible party) and credits the line's gross charges.

Invariants, enforced by :meth:`Ledger.post`:

- every entry sums to zero (:class:`UnbalancedEntry` otherwise);
- every entry sums to zero *per claim line* it touches (:class:`LineUnbalanced`), so for every
  line at all times ``charge = payments + adjustments + open balance split by party``
  (:meth:`LineBalance.holds`);
- an entry is reversed at most once, and only an entry that was posted can be reversed.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from revcycle.domain.errors import RevcycleError
from revcycle.domain.money import Money

ZERO = Decimal(0)


class LedgerError(RevcycleError):
    """Root of the ledger's errors."""

    code = "ledger_error"


class UnbalancedEntry(LedgerError):
    """A journal entry whose postings do not sum to zero."""

    code = "unbalanced_entry"

    def __init__(self, message: str, imbalance: Money) -> None:
        self.imbalance = imbalance
        super().__init__(message)


class LineUnbalanced(UnbalancedEntry):
    """An entry that sums to zero overall but not on one claim line it touches."""

    code = "line_unbalanced"


class InvalidAccount(LedgerError):
    """An account missing a dimension its kind needs (a receivable without a line or party)."""

    code = "invalid_account"


class ReversalError(LedgerError):
    """A reversal of an entry that was never posted, or that is already reversed."""

    code = "invalid_reversal"


class DuplicateEntry(LedgerError):
    """An entry id posted twice."""

    code = "duplicate_entry"


class AccountKind(StrEnum):
    """What an account holds. ``category`` says how it counts in the per-line invariant."""

    CHARGES = "charges"  # line: gross charges (credit)
    RECEIVABLE = "receivable"  # line + party: open balance owed by that party
    INSURANCE_PAYMENTS = "insurance_payments"  # line or payer level: money from payers
    PATIENT_PAYMENTS = "patient_payments"  # line or patient level: money from patients
    REFUNDS = "refunds"  # line or party level: money paid back (credit)
    RECOUPMENTS = "recoupments"  # line or payer level: money a payer took back (credit)
    CONTRACTUAL_ADJUSTMENTS = "contractual_adjustments"  # line: CO
    OTHER_ADJUSTMENTS = "other_adjustments"  # line: OA / PI when configured to adjust
    WRITE_OFFS = "write_offs"  # line: small balance, bad debt, administrative
    PATIENT_CREDIT = "patient_credit"  # patient level: unapplied patient money (liability)
    UNAPPLIED_INSURANCE = "unapplied_insurance"  # payer level: claim payments matching nothing
    INTEREST = "interest"  # payer level: PLB L6 (income)
    PROVIDER_ADJUSTMENTS = "provider_adjustments"  # payer level: PLB other than L6 / WO

    @property
    def category(self) -> Category:
        return _CATEGORY.get(self, "other")

    @property
    def needs_line(self) -> bool:
        return self in _LINE_ONLY


Category = Literal["charge", "payment", "adjustment", "open", "other"]

_CATEGORY: dict[AccountKind, Category] = {
    AccountKind.CHARGES: "charge",
    AccountKind.RECEIVABLE: "open",
    AccountKind.INSURANCE_PAYMENTS: "payment",
    AccountKind.PATIENT_PAYMENTS: "payment",
    AccountKind.REFUNDS: "payment",
    AccountKind.RECOUPMENTS: "payment",
    AccountKind.CONTRACTUAL_ADJUSTMENTS: "adjustment",
    AccountKind.OTHER_ADJUSTMENTS: "adjustment",
    AccountKind.WRITE_OFFS: "adjustment",
}
_LINE_ONLY = frozenset(
    {
        AccountKind.CHARGES,
        AccountKind.RECEIVABLE,
        AccountKind.CONTRACTUAL_ADJUSTMENTS,
        AccountKind.OTHER_ADJUSTMENTS,
        AccountKind.WRITE_OFFS,
    }
)


@dataclass(frozen=True, slots=True, order=True)
class Party:
    """Who owes (or paid): a payer by its payer ID, or the patient of the account."""

    kind: Literal["payer", "patient"]
    identifier: str = ""

    @classmethod
    def payer(cls, payer_id: str) -> Party:
        return cls("payer", payer_id)

    @property
    def is_patient(self) -> bool:
        return self.kind == "patient"

    def __str__(self) -> str:
        return "patient" if self.kind == "patient" else f"payer:{self.identifier}"


PATIENT = Party("patient")


@dataclass(frozen=True, slots=True)
class Account:
    """An account key: its kind plus the dimensions balances are derived along.

    Line-level kinds need ``claim_id`` and ``line_id``; a receivable also needs ``party``.
    Provider-level accounts (interest, PLB) carry the payer as ``party`` and, when the PLB
    names one, the ``claim_id`` it concerns.
    """

    kind: AccountKind
    practice_id: str
    patient_id: str = ""
    claim_id: str = ""
    line_id: str = ""
    party: Party | None = None
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind in _LINE_ONLY and not (self.claim_id and self.line_id):
            raise InvalidAccount(f"a {self.kind} account needs a claim line")
        if self.kind is AccountKind.RECEIVABLE and self.party is None:
            raise InvalidAccount("a receivable needs a responsible party")
        if self.line_id and not self.claim_id:
            raise InvalidAccount("a line account needs its claim")
        # accounts are dictionary keys on every posting: hash once
        key = (self.kind, self.practice_id, self.patient_id, self.claim_id, self.line_id)
        object.__setattr__(self, "_hash", hash((key, self.party)))

    def __hash__(self) -> int:
        return self._hash

    @property
    def line_key(self) -> LineKey | None:
        if not self.line_id:
            return None
        return (self.practice_id, self.claim_id, self.line_id)


LineKey = tuple[str, str, str]  # practice_id, claim_id, line_id


@dataclass(frozen=True, slots=True)
class LineRef:
    """One claim line of one patient in one practice; makes the line's accounts."""

    practice_id: str
    patient_id: str
    claim_id: str
    line_id: str

    def account(self, kind: AccountKind, party: Party | None = None) -> Account:
        return Account(kind, self.practice_id, self.patient_id, self.claim_id, self.line_id, party)

    def receivable(self, party: Party) -> Account:
        return self.account(AccountKind.RECEIVABLE, party)


@dataclass(frozen=True, slots=True)
class Posting:
    """One row of an entry: an amount (debit positive) on an account, with an optional reason
    such as the CAS group and CARC (``CO-45``) or the PLB reason (``PLB-L6``)."""

    account: Account
    amount: Money
    reason: str = ""


class EntryKind(StrEnum):
    CHARGE = "charge"
    INSURANCE_PAYMENT = "insurance_payment"  # one 835 claim payment: payment, CAS, transfers
    PATIENT_PAYMENT = "patient_payment"
    ADJUSTMENT = "adjustment"
    WRITE_OFF = "write_off"
    TRANSFER = "transfer"
    REFUND = "refund"
    RECOUPMENT = "recoupment"
    INTEREST = "interest"
    PROVIDER_ADJUSTMENT = "provider_adjustment"
    UNAPPLIED = "unapplied"  # 835 claim payment matching no claim
    CREDIT_APPLICATION = "credit_application"
    REVERSAL = "reversal"


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A balanced set of postings recording one financial event.

    ``source`` names where it came from (``835:<trace>``), ``reference`` the document inside it
    (the payer claim control number for an 835 claim payment), ``reverses`` the id of the entry
    this one undoes.
    """

    kind: EntryKind
    postings: tuple[Posting, ...]
    entry_id: str = ""
    effective_date: date | None = None
    claim_id: str = ""
    source: str = ""
    reference: str = ""
    memo: str = ""
    reverses: str = ""

    def total(self) -> Money:
        return Money(sum((p.amount.amount for p in self.postings), ZERO))

    def is_balanced(self) -> bool:
        return not self.total() and not self.line_imbalances()

    def line_imbalances(self) -> dict[LineKey, Money]:
        sums: dict[LineKey, Decimal] = defaultdict(Decimal)
        for p in self.postings:
            key = p.account.line_key
            if key is not None:
                sums[key] += p.amount.amount
        return {k: Money(v) for k, v in sums.items() if v}

    def amount_on(self, kind: AccountKind) -> Money:
        return Money(sum((p.amount.amount for p in self.postings if p.account.kind is kind), ZERO))

    def reversal(
        self, entry_id: str = "", effective_date: date | None = None, source: str = ""
    ) -> JournalEntry:
        """The entry that undoes this one exactly: the same postings with opposite signs."""
        if not self.entry_id:
            raise ReversalError("only a posted entry (with an id) can be reversed")
        return JournalEntry(
            kind=EntryKind.REVERSAL,
            postings=tuple(replace(p, amount=-p.amount) for p in self.postings),
            entry_id=entry_id,
            effective_date=effective_date,
            claim_id=self.claim_id,
            source=source or self.source,
            reference=self.reference,
            memo=f"reversal of {self.entry_id}",
            reverses=self.entry_id,
        )


@dataclass(slots=True)
class EntryBuilder:
    """Collects postings for one entry; ``move`` records the two sides of one amount."""

    kind: EntryKind
    effective_date: date | None = None
    claim_id: str = ""
    source: str = ""
    reference: str = ""
    memo: str = ""
    postings: list[Posting] = field(default_factory=list)

    def add(self, account: Account, amount: Money, reason: str = "") -> EntryBuilder:
        if amount:
            self.postings.append(Posting(account, amount, reason))
        return self

    def move(
        self, debit: Account, credit: Account, amount: Money, reason: str = ""
    ) -> EntryBuilder:
        """Debit ``debit`` and credit ``credit`` by ``amount`` (negative amounts swap sides)."""
        if amount:
            self.postings.append(Posting(debit, amount, reason))
            self.postings.append(Posting(credit, -amount, reason))
        return self

    def build(self, entry_id: str = "") -> JournalEntry:
        return JournalEntry(
            kind=self.kind,
            postings=tuple(self.postings),
            entry_id=entry_id,
            effective_date=self.effective_date,
            claim_id=self.claim_id,
            source=self.source,
            reference=self.reference,
            memo=self.memo,
        )


# --- the events, as entry constructors -------------------------------------------------------


def _line_entry(kind: EntryKind, line: LineRef, when: date | None, memo: str) -> EntryBuilder:
    return EntryBuilder(kind, effective_date=when, claim_id=line.claim_id, memo=memo)


def charge(line: LineRef, party: Party, amount: Money, when: date | None = None) -> JournalEntry:
    """A line's charge, owed by ``party`` (the primary payer, or the patient when self-pay)."""
    b = _line_entry(EntryKind.CHARGE, line, when, "charge")
    return b.move(line.receivable(party), line.account(AccountKind.CHARGES), amount).build()


def insurance_payment(
    line: LineRef, payer: Party, amount: Money, when: date | None = None
) -> JournalEntry:
    b = _line_entry(EntryKind.INSURANCE_PAYMENT, line, when, "insurance payment")
    cash = line.account(AccountKind.INSURANCE_PAYMENTS, payer)
    return b.move(cash, line.receivable(payer), amount).build()


def patient_payment(line: LineRef, amount: Money, when: date | None = None) -> JournalEntry:
    b = _line_entry(EntryKind.PATIENT_PAYMENT, line, when, "patient payment")
    cash = line.account(AccountKind.PATIENT_PAYMENTS, PATIENT)
    return b.move(cash, line.receivable(PATIENT), amount).build()


def contractual_adjustment(
    line: LineRef, payer: Party, amount: Money, reason: str = "CO-45", when: date | None = None
) -> JournalEntry:
    b = _line_entry(EntryKind.ADJUSTMENT, line, when, "contractual adjustment")
    adj = line.account(AccountKind.CONTRACTUAL_ADJUSTMENTS, payer)
    return b.move(adj, line.receivable(payer), amount, reason).build()


def other_adjustment(
    line: LineRef, party: Party, amount: Money, reason: str, when: date | None = None
) -> JournalEntry:
    b = _line_entry(EntryKind.ADJUSTMENT, line, when, "other adjustment")
    adj = line.account(AccountKind.OTHER_ADJUSTMENTS, party)
    return b.move(adj, line.receivable(party), amount, reason).build()


def write_off(
    line: LineRef, party: Party, amount: Money, reason: str = "", when: date | None = None
) -> JournalEntry:
    b = _line_entry(EntryKind.WRITE_OFF, line, when, "write-off")
    adj = line.account(AccountKind.WRITE_OFFS, party)
    return b.move(adj, line.receivable(party), amount, reason).build()


def transfer(
    line: LineRef,
    from_party: Party,
    to_party: Party,
    amount: Money,
    reason: str = "",
    when: date | None = None,
) -> JournalEntry:
    """Move responsibility for ``amount`` of the line from one party to another."""
    b = _line_entry(EntryKind.TRANSFER, line, when, f"transfer {from_party} -> {to_party}")
    return b.move(line.receivable(to_party), line.receivable(from_party), amount, reason).build()


def refund(line: LineRef, party: Party, amount: Money, when: date | None = None) -> JournalEntry:
    """Pay back ``amount`` of a credit balance the party has on the line."""
    b = _line_entry(EntryKind.REFUND, line, when, "refund")
    return b.move(line.receivable(party), line.account(AccountKind.REFUNDS, party), amount).build()


def recoupment(
    line: LineRef, payer: Party, amount: Money, when: date | None = None
) -> JournalEntry:
    """A payer takes back ``amount`` it paid on the line: the line's balance is owed again."""
    b = _line_entry(EntryKind.RECOUPMENT, line, when, "recoupment")
    taken = line.account(AccountKind.RECOUPMENTS, payer)
    return b.move(line.receivable(payer), taken, amount).build()


def interest(
    practice_id: str, payer: Party, amount: Money, claim_id: str = "", when: date | None = None
) -> JournalEntry:
    """Interest a payer adds to a payment (PLB L6 with a negative amount)."""
    b = EntryBuilder(EntryKind.INTEREST, effective_date=when, claim_id=claim_id, memo="interest")
    cash = Account(AccountKind.INSURANCE_PAYMENTS, practice_id, party=payer)
    income = Account(AccountKind.INTEREST, practice_id, claim_id=claim_id, party=payer)
    return b.move(cash, income, amount, "PLB-L6").build()


# --- the ledger -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineBalance:
    """A line's picture: charge, payments (net of refunds and recoupments), adjustments, and
    what each party still owes. ``holds()`` is the per-line invariant."""

    charge: Money
    payments: Money
    adjustments: Money
    open_by_party: Mapping[Party, Money]

    @property
    def open_total(self) -> Money:
        return Money.sum(self.open_by_party.values())

    def holds(self) -> bool:
        return self.charge == self.payments + self.adjustments + self.open_total


class Ledger:
    """An in-memory ledger: posts balanced entries and derives balances from them.

    Running sums per account make :meth:`balance` O(1); :meth:`recompute_balance` sums the
    account's postings again, as a database would.
    """

    def __init__(self) -> None:
        self._entries: list[JournalEntry] = []
        self._by_id: dict[str, JournalEntry] = {}
        self._reversed: dict[str, str] = {}
        self._balances: dict[Account, Decimal] = defaultdict(Decimal)
        self._postings: dict[Account, list[Decimal]] = defaultdict(list)
        self._line_accounts: dict[LineKey, set[Account]] = defaultdict(set)
        self._claim_accounts: dict[tuple[str, str], set[Account]] = defaultdict(set)
        self._patient_accounts: dict[tuple[str, str], set[Account]] = defaultdict(set)
        self._claim_entries: dict[str, list[JournalEntry]] = defaultdict(list)
        self._open_by_party: dict[tuple[str, Party], Decimal] = defaultdict(Decimal)
        self._ids = itertools.count(1)

    # posting

    def check(self, entry: JournalEntry) -> None:
        """Raise if ``entry`` cannot be posted (unbalanced, bad reversal, duplicate id)."""
        total = entry.total()
        if total:
            raise UnbalancedEntry(f"{entry.kind} entry does not balance: off by {total}", total)
        imbalances = entry.line_imbalances()
        if imbalances:
            (_practice, claim, line), off = next(iter(imbalances.items()))
            raise LineUnbalanced(
                f"{entry.kind} entry does not balance on line {claim}/{line}: off by {off}", off
            )
        if entry.entry_id and entry.entry_id in self._by_id:
            raise DuplicateEntry(f"entry {entry.entry_id} is already posted")
        if entry.reverses:
            if entry.reverses not in self._by_id:
                raise ReversalError(f"entry {entry.reverses} was never posted")
            if entry.reverses in self._reversed:
                raise ReversalError(f"entry {entry.reverses} is already reversed")

    def post(self, entry: JournalEntry) -> JournalEntry:
        """Post ``entry`` (giving it an id when it has none) and return it as posted."""
        self.check(entry)
        return self._apply(entry)

    def post_all(self, entries: Iterable[JournalEntry]) -> list[JournalEntry]:
        """Post every entry or none: all are checked before the first is applied."""
        batch = list(entries)
        ids: set[str] = set()
        reversed_here: set[str] = set()
        for e in batch:
            if e.entry_id in ids:
                raise DuplicateEntry(f"entry {e.entry_id} appears twice in the batch")
            if e.reverses and e.reverses in ids:
                # reversing an entry of the same batch: check against the batch, not the ledger
                if e.reverses in reversed_here:
                    raise ReversalError(f"entry {e.reverses} is reversed twice")
                self.check(replace(e, reverses=""))
            else:
                if e.reverses in reversed_here:
                    raise ReversalError(f"entry {e.reverses} is reversed twice")
                self.check(e)
            if e.entry_id:
                ids.add(e.entry_id)
            if e.reverses:
                reversed_here.add(e.reverses)
        return [self._apply(e) for e in batch]

    def _apply(self, entry: JournalEntry) -> JournalEntry:
        if not entry.entry_id:
            entry = replace(entry, entry_id=f"E{next(self._ids)}")
        self._entries.append(entry)
        self._by_id[entry.entry_id] = entry
        if entry.reverses:
            self._reversed[entry.reverses] = entry.entry_id
        if entry.claim_id:
            self._claim_entries[entry.claim_id].append(entry)
        for p in entry.postings:
            a = p.account
            amount = p.amount.amount
            if a not in self._balances:
                self._index(a)
            self._balances[a] += amount
            self._postings[a].append(amount)
            if a.kind is AccountKind.RECEIVABLE and a.party is not None:
                self._open_by_party[(a.practice_id, a.party)] += amount
        return entry

    def _index(self, a: Account) -> None:
        if a.line_id:
            self._line_accounts[(a.practice_id, a.claim_id, a.line_id)].add(a)
        if a.claim_id:
            self._claim_accounts[(a.practice_id, a.claim_id)].add(a)
        if a.patient_id:
            self._patient_accounts[(a.practice_id, a.patient_id)].add(a)

    # queries

    @property
    def entries(self) -> Sequence[JournalEntry]:
        return tuple(self._entries)

    def entry(self, entry_id: str) -> JournalEntry:
        return self._by_id[entry_id]

    def entries_for_claim(self, claim_id: str) -> Sequence[JournalEntry]:
        return tuple(self._claim_entries.get(claim_id, ()))

    def is_reversed(self, entry_id: str) -> bool:
        return entry_id in self._reversed

    def accounts(self) -> Iterator[Account]:
        return iter(self._balances)

    def balance(self, account: Account) -> Money:
        return Money(self._balances.get(account, ZERO))

    def recompute_balance(self, account: Account) -> Money:
        """The account's balance summed from its postings, not from the running total."""
        return Money(sum(self._postings.get(account, ()), ZERO))

    def line_balance(self, practice_id: str, claim_id: str, line_id: str) -> LineBalance:
        return _line_balance(
            (a, self._balances[a])
            for a in self._line_accounts.get((practice_id, claim_id, line_id), ())
        )

    def lines(self) -> Iterator[LineKey]:
        return iter(self._line_accounts)

    def claim_open_balance(
        self, practice_id: str, claim_id: str, party: Party | None = None
    ) -> Money:
        return self._open(self._claim_accounts.get((practice_id, claim_id), ()), party)

    def patient_open_balance(
        self, practice_id: str, patient_id: str, party: Party | None = None
    ) -> Money:
        """What is open on the patient's account; ``party=PATIENT`` for what the patient owes."""
        return self._open(self._patient_accounts.get((practice_id, patient_id), ()), party)

    def party_open_balance(self, practice_id: str, party: Party) -> Money:
        """What ``party`` owes across the practice (a payer's A/R, or all patients' A/R)."""
        return Money(self._open_by_party.get((practice_id, party), ZERO))

    def patient_credit(self, practice_id: str, patient_id: str) -> Money:
        """Unapplied patient money (a credit, shown positive)."""
        return -self.balance(
            Account(AccountKind.PATIENT_CREDIT, practice_id, patient_id, party=PATIENT)
        )

    def _open(self, accounts: Iterable[Account], party: Party | None) -> Money:
        total = ZERO
        for a in accounts:
            if a.kind is AccountKind.RECEIVABLE and (party is None or a.party == party):
                total += self._balances[a]
        return Money(total)

    def check_line_invariants(self) -> list[LineKey]:
        """The lines where ``charge = payments + adjustments + open`` does not hold (none)."""
        return [k for k in self._line_accounts if not self.line_balance(*k).holds()]


def _line_balance(items: Iterable[tuple[Account, Decimal]]) -> LineBalance:
    charge = payments = adjustments = ZERO
    open_by: dict[Party, Decimal] = defaultdict(Decimal)
    for a, amount in items:
        cat = a.kind.category
        if cat == "charge":
            charge -= amount
        elif cat == "payment":
            payments += amount
        elif cat == "adjustment":
            adjustments += amount
        elif cat == "open" and a.party is not None:
            open_by[a.party] += amount
    return LineBalance(
        Money(charge),
        Money(payments),
        Money(adjustments),
        {p: Money(v) for p, v in sorted(open_by.items())},
    )
