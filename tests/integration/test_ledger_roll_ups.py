"""The reports' ledger roll-ups (``ledger_day_totals`` and ``receivable_day_totals``,
migration 0017) on both databases.

Whatever sequence of ``add_entries`` calls the ledger gets, each roll-up's ``SUM(amount)`` by
its key (account kind, party, effective date; claim, party, patient, effective date of the
receivables) equals the postings' own, with the same keys (a key that nets to zero included);
the migration's backfill gives the same sums from the postings a database already had, one row
per key.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, func, select

from revcycle.db import migrate
from revcycle.db.engine import make_engine
from revcycle.db.ledger_repo import LedgerRepository, day_totals, receivable_totals
from revcycle.db.ledger_tables import ledger_day_totals, postings, receivable_day_totals
from revcycle.domain.ledger import PATIENT, Account, AccountKind, EntryKind, JournalEntry, Posting
from revcycle.domain.ledger import Party as LedgerParty
from revcycle.domain.money import Money
from tests.conftest import TODAY

KINDS = (
    AccountKind.CHARGES,
    AccountKind.RECEIVABLE,
    AccountKind.INSURANCE_PAYMENTS,
    AccountKind.PATIENT_PAYMENTS,
    AccountKind.WRITE_OFFS,
    AccountKind.PATIENT_CREDIT,
)
PARTIES = (None, PATIENT, LedgerParty.payer("SIMPPO"), LedgerParty.payer("SIMMCR"))
DAYS = (None, date(2026, 3, 31), date(2026, 4, 1), date(2026, 6, 15))

Sums = dict[tuple[Any, ...], Decimal]
DAY_KEY = ("account_kind", "party", "effective_date")
RECEIVABLE_KEY = ("claim_id", "party", "patient_id", "effective_date")


def _sums(conn: Connection, table: Any, practice_id: int, key: Sequence[str] = DAY_KEY) -> Sums:
    """``SUM(amount)`` by ``key`` of ``table`` in SQL (of its receivables for the postings and
    the receivable key)."""
    cols = [table.c[k] for k in key]
    where = [table.c.practice_id == practice_id]
    if key == RECEIVABLE_KEY and "account_kind" in table.c:
        where.append(table.c.account_kind == "receivable")
    q = select(*cols, func.sum(table.c.amount)).where(*where).group_by(*cols)
    return {tuple(row[:-1]): Decimal(row[-1]) for row in conn.execute(q)}


def _both(conn: Connection, practice_id: int) -> tuple[Sums, Sums]:
    return _sums(conn, ledger_day_totals, practice_id), _sums(
        conn, receivable_day_totals, practice_id, RECEIVABLE_KEY
    )


def _expected(conn: Connection, practice_id: int) -> tuple[Sums, Sums]:
    return _sums(conn, postings, practice_id), _sums(conn, postings, practice_id, RECEIVABLE_KEY)


@st.composite
def entries(draw: st.DrawFn, practice_id: str) -> JournalEntry:
    """A balanced entry: legs in pairs (one amount debited to one account, credited to
    another) on one claim line, so it balances overall and on the line."""
    legs: list[Posting] = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        cents = draw(st.integers(min_value=-50_000_00, max_value=50_000_00))
        amount = Money(Decimal(cents) / 100)
        line = str(draw(st.integers(min_value=1, max_value=2)))
        claim, patient = draw(st.sampled_from((("C1", "7"), ("C2", "7"), ("C3", "8"))))
        for sign in (amount, -amount):
            kind = draw(st.sampled_from(KINDS))
            party = draw(
                st.sampled_from(PARTIES[1:] if kind is AccountKind.RECEIVABLE else PARTIES)
            )
            account = Account(kind, practice_id, patient, claim, line, party)
            legs.append(Posting(account, sign))
    return JournalEntry(
        kind=EntryKind.CHARGE, postings=tuple(legs), effective_date=draw(st.sampled_from(DAYS))
    )


def test_day_totals_sums_each_key_once_and_keeps_zero_sums() -> None:
    def row(kind: str, party: str, day: date, amount: str) -> dict[str, Any]:
        return {"practice_id": 1, "account_kind": kind, "party": party, "effective_date": day,
                "amount": Decimal(amount), "claim_id": "C1"}  # fmt: skip

    d1, d2 = date(2026, 4, 1), date(2026, 4, 2)
    rows = [
        row("receivable", "payer:X", d1, "100.10"),
        row("charges", "", d1, "-100.10"),
        row("receivable", "payer:X", d1, "0.20"),
        row("receivable", "payer:X", d2, "5.00"),
        row("charges", "", d1, "100.10"),  # the charge reversed in the same call: nets to zero
    ]
    assert day_totals(rows) == [
        {"practice_id": 1, "account_kind": "receivable", "party": "payer:X",
         "effective_date": d1, "amount": Decimal("100.30")},
        {"practice_id": 1, "account_kind": "charges", "party": "", "effective_date": d1,
         "amount": Decimal("0.00")},
        {"practice_id": 1, "account_kind": "receivable", "party": "payer:X",
         "effective_date": d2, "amount": Decimal("5.00")},
    ]  # fmt: skip
    assert day_totals([]) == []
    assert receivable_totals([{**r, "patient_id": "7"} for r in rows]) == [
        {"practice_id": 1, "claim_id": "C1", "party": "payer:X", "patient_id": "7",
         "effective_date": d1, "amount": Decimal("100.30")},
        {"practice_id": 1, "claim_id": "C1", "party": "payer:X", "patient_id": "7",
         "effective_date": d2, "amount": Decimal("5.00")},
    ]  # fmt: skip


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_roll_up_sums_equal_the_postings_after_any_add_entries_calls(
    engine: Any, practice_ctx: Any, data: st.DataObject
) -> None:
    pid = practice_ctx.practice_id
    calls: Sequence[list[JournalEntry]] = data.draw(
        st.lists(st.lists(entries(str(pid)), min_size=1, max_size=4), min_size=1, max_size=4)
    )
    with engine.connect() as conn:
        outer = conn.begin()  # each example starts from the same empty ledger
        try:
            repo = LedgerRepository(conn)
            for call in calls:
                repo.add_entries(pid, call, TODAY)
            expected = _expected(conn, pid)
            assert _both(conn, pid) == expected
            n_rows = conn.execute(select(func.count()).select_from(ledger_day_totals)).scalar_one()
            # one row per key per call, never more
            assert len(expected[0]) <= n_rows <= sum(
                len({(p.account.kind, str(p.account.party or ""), e.effective_date)
                     for e in call for p in e.postings})
                for call in calls
            )  # fmt: skip
        finally:
            outer.rollback()


def test_the_migration_backfills_the_roll_up_from_the_postings(
    database_url: str, practice_ctx: Any
) -> None:
    pid = practice_ctx.practice_id
    party = LedgerParty.payer("SIMPPO")

    def entry(amount: str, day: date | None, kind: AccountKind) -> JournalEntry:
        legs = (
            Posting(
                Account(AccountKind.RECEIVABLE, str(pid), "7", "C1", "1", party), Money(amount)
            ),
            Posting(Account(kind, str(pid), "7", "C1", "1", None), -Money(amount)),
        )
        return JournalEntry(kind=EntryKind.CHARGE, postings=legs, effective_date=day)

    eng = make_engine(database_url)
    try:
        with eng.begin() as conn:
            repo = LedgerRepository(conn)
            repo.add_entries(pid, [entry("120.00", date(2026, 4, 1), AccountKind.CHARGES)], TODAY)
            repo.add_entries(
                pid,
                [
                    entry("0.10", date(2026, 4, 1), AccountKind.CHARGES),
                    entry("0.20", date(2026, 4, 1), AccountKind.CHARGES),
                    entry("-75.55", date(2026, 5, 2), AccountKind.INSURANCE_PAYMENTS),
                    entry("3.00", None, AccountKind.WRITE_OFFS),
                ],
                TODAY,
            )
            repo.add_entries(pid, [entry("-120.30", date(2026, 4, 1), AccountKind.CHARGES)], TODAY)
            before = _both(conn, pid)
        migrate.downgrade(eng, "0016")
        migrate.upgrade(eng)
        with eng.connect() as conn:
            assert _expected(conn, pid) == before
            days, receivables = _both(conn, pid)
            n_days, n_receivables = (
                conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (ledger_day_totals, receivable_day_totals)
            )
        assert (days, receivables) == before
        assert days[("receivable", "payer:SIMPPO", date(2026, 4, 1))] == Decimal("0.00")
        assert days[("insurance_payments", "", date(2026, 5, 2))] == Decimal("75.55")
        assert receivables[("C1", "payer:SIMPPO", "7", date(2026, 5, 2))] == Decimal("-75.55")
        # one row per key, where add_entries wrote 10 and 5
        assert (n_days, n_receivables) == (len(days), len(receivables)) == (6, 3)
    finally:
        eng.dispose()
