"""A hypothesis state machine over random sequences of ledger events.

Charges, insurance and patient payments, adjustments (contractual, other, write-off),
transfers between payers and the patient, refunds, recoupments and reversals are posted in
any order. A plain model keeps what each line should show. After every step: every entry
balances (overall and per line), each line's charge = payments + adjustments + open balance
by party, the ledger agrees with the model, and recomputed balances equal running ones.
Unbalanced entries and double reversals are refused without changing anything.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    precondition,
    rule,
)

from revcycle.domain import ledger as lg
from revcycle.domain.ledger import (
    PATIENT,
    EntryKind,
    JournalEntry,
    Ledger,
    LineRef,
    Party,
    Posting,
)
from revcycle.domain.money import Money

PAYERS = (Party.payer("AETNA"), Party.payer("MEDIGAP"))
PARTIES = (*PAYERS, PATIENT)
amounts = st.integers(min_value=1, max_value=500_00).map(lambda c: Money(Decimal(c) / 100))


@dataclass
class LineModel:
    charge: Decimal = Decimal(0)
    payments: Decimal = Decimal(0)
    adjustments: Decimal = Decimal(0)
    open: dict[Party, Decimal] = field(default_factory=lambda: defaultdict(Decimal))


Delta = tuple[LineRef, str, Decimal, dict[Party, Decimal]]


class LedgerMachine(RuleBasedStateMachine):
    lines = Bundle("lines")
    posted = Bundle("posted")

    def __init__(self) -> None:
        super().__init__()
        self.ledger = Ledger()
        self.model: dict[LineRef, LineModel] = {}
        self.deltas: dict[str, Delta] = {}
        self.reversed_ids: list[str] = []
        self.n = 0

    def _post(self, entry: JournalEntry, delta: Delta) -> str:
        posted = self.ledger.post(entry)
        self._apply(delta, 1)
        self.deltas[posted.entry_id] = delta
        return posted.entry_id

    def _apply(self, delta: Delta, sign: int) -> None:
        line, category, amount, opens = delta
        mdl = self.model[line]
        if category == "charge":
            mdl.charge += sign * amount
        elif category == "payment":
            mdl.payments += sign * amount
        elif category == "adjustment":
            mdl.adjustments += sign * amount
        for party, v in opens.items():
            mdl.open[party] += sign * v

    @rule(target=lines, party=st.sampled_from(PARTIES), amount=amounts)
    def charge(self, party: Party, amount: Money) -> LineRef:
        self.n += 1
        line = LineRef("pr", f"pat{self.n % 3}", f"c{self.n % 4}", f"l{self.n}")
        self.model[line] = LineModel()
        self._post(
            lg.charge(line, party, amount),
            (line, "charge", amount.amount, {party: amount.amount}),
        )
        return line

    @rule(target=posted, line=lines, party=st.sampled_from(PARTIES), amount=amounts)
    def pay(self, line: LineRef, party: Party, amount: Money) -> str:
        entry = (
            lg.patient_payment(line, amount)
            if party.is_patient
            else lg.insurance_payment(line, party, amount)
        )
        return self._post(entry, (line, "payment", amount.amount, {party: -amount.amount}))

    @rule(
        target=posted,
        line=lines,
        party=st.sampled_from(PARTIES),
        amount=amounts,
        how=st.sampled_from(("contractual", "other", "write_off")),
    )
    def adjust(self, line: LineRef, party: Party, amount: Money, how: str) -> str:
        if how == "contractual":
            entry = lg.contractual_adjustment(line, party, amount)
        elif how == "other":
            entry = lg.other_adjustment(line, party, amount, "OA-94")
        else:
            entry = lg.write_off(line, party, amount, "small balance")
        return self._post(entry, (line, "adjustment", amount.amount, {party: -amount.amount}))

    @rule(
        target=posted,
        line=lines,
        parties=st.permutations(PARTIES).map(lambda p: (p[0], p[1])),
        amount=amounts,
    )
    def transfer(self, line: LineRef, parties: tuple[Party, Party], amount: Money) -> str:
        src, dst = parties
        entry = lg.transfer(line, src, dst, amount, "PR-2")
        return self._post(
            entry, (line, "none", Decimal(0), {src: -amount.amount, dst: amount.amount})
        )

    @rule(target=posted, line=lines, party=st.sampled_from(PARTIES), amount=amounts)
    def refund(self, line: LineRef, party: Party, amount: Money) -> str:
        return self._post(
            lg.refund(line, party, amount),
            (line, "payment", -amount.amount, {party: amount.amount}),
        )

    @rule(target=posted, line=lines, payer=st.sampled_from(PAYERS), amount=amounts)
    def recoup(self, line: LineRef, payer: Party, amount: Money) -> str:
        return self._post(
            lg.recoupment(line, payer, amount),
            (line, "payment", -amount.amount, {payer: amount.amount}),
        )

    @rule(entry_id=consumes(posted))
    def reverse(self, entry_id: str) -> None:
        original = self.ledger.entry(entry_id)
        reversal = self.ledger.post(original.reversal())
        assert reversal.kind is EntryKind.REVERSAL
        self._apply(self.deltas[entry_id], -1)
        self.reversed_ids.append(entry_id)

    @precondition(lambda self: bool(self.reversed_ids))
    @rule(data=st.data())
    def reverse_twice_is_refused(self, data: st.DataObject) -> None:
        entry_id = data.draw(st.sampled_from(self.reversed_ids))
        before = len(self.ledger.entries)
        with pytest.raises(lg.ReversalError):
            self.ledger.post(self.ledger.entry(entry_id).reversal())
        assert len(self.ledger.entries) == before

    @rule(line=lines, a=amounts, b=amounts)
    def unbalanced_is_refused(self, line: LineRef, a: Money, b: Money) -> None:
        before = len(self.ledger.entries)
        off = JournalEntry(
            EntryKind.ADJUSTMENT,
            (Posting(line.receivable(PATIENT), a), Posting(line.receivable(PAYERS[0]), -a - b)),
        )
        with pytest.raises(lg.UnbalancedEntry):
            self.ledger.post(off)
        assert len(self.ledger.entries) == before

    @invariant()
    def every_entry_balances(self) -> None:
        for e in self.ledger.entries:
            assert e.is_balanced()

    @invariant()
    def every_line_keeps_its_equation_and_matches_the_model(self) -> None:
        for line, mdl in self.model.items():
            b = self.ledger.line_balance(line.practice_id, line.claim_id, line.line_id)
            assert b.holds()
            assert b.charge.amount == mdl.charge
            assert b.payments.amount == mdl.payments
            assert b.adjustments.amount == mdl.adjustments
            for party in PARTIES:
                got = b.open_by_party.get(party, Money.zero()).amount
                assert got == mdl.open[party]
                acct = line.receivable(party)
                assert self.ledger.recompute_balance(acct) == self.ledger.balance(acct)

    @invariant()
    def claim_and_patient_balances_sum_the_lines(self) -> None:
        by_claim: dict[str, Decimal] = defaultdict(Decimal)
        by_patient: dict[str, Decimal] = defaultdict(Decimal)
        for line, mdl in self.model.items():
            total = sum(mdl.open.values(), Decimal(0))
            by_claim[line.claim_id] += total
            by_patient[line.patient_id] += total
        for claim_id, total in by_claim.items():
            assert self.ledger.claim_open_balance("pr", claim_id).amount == total
        for patient_id, total in by_patient.items():
            assert self.ledger.patient_open_balance("pr", patient_id).amount == total


LedgerMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLedgerStateMachine = LedgerMachine.TestCase
