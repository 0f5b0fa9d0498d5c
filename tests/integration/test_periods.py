"""Accounting periods and the journal export on the real databases: a closed month keeps its
entries, later entries dated inside it post in the next open month; reopening is the
manager's; the export balances and matches the ledger."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from revcycle.cli.accounting_cmds import journal, periods
from revcycle.cli.common import reset_state
from revcycle.db.accounting_repo import accounting_store
from revcycle.db.ledger_repo import LedgerRepository
from revcycle.db.ledger_tables import journal_entries, postings
from revcycle.domain.errors import Conflict, DomainValidationError, PermissionDenied
from revcycle.domain.ledger import LineRef, Party, charge
from revcycle.domain.money import Money
from revcycle.domain.user import User
from revcycle.services.audit import audit_entries
from revcycle.services.context import Context
from revcycle.services.journal import export_journal
from revcycle.services.periods import close_period, list_periods, reopen_period
from tests.conftest import TODAY
from tests.integration.test_era_post import ledger_of, pcn, post, remit_file
from tests.integration.test_inbox import denied, paid_in_full
from tests.integration.test_submission import ready_claims


def dates_by_source(engine) -> dict[str, list[tuple[date, str]]]:
    out: dict[str, list[tuple[date, str]]] = defaultdict(list)
    with engine.connect() as conn:
        for kind, day, memo in conn.execute(
            select(journal_entries.c.kind, journal_entries.c.effective_date, journal_entries.c.memo)
        ):
            out[kind].append((day, memo))
    return out


def as_user(ctx: Context, role: str) -> Context:
    return Context.for_user(User(ctx.practice_id, f"a-{role}", role), ctx.clock, ctx.uow_factory)


@pytest.fixture
def claims_(billing):
    ids = ready_claims(billing, [billing.self_pt, billing.child_pt])
    return ids, [pcn(billing.ctx, i) for i in ids]


def test_an_entry_dated_in_a_closed_month_posts_in_the_next_open_one(billing, engine, claims_):
    ctx, (ids, pcns) = billing.ctx, claims_
    assert post(ctx, remit_file([paid_in_full(pcns[0], "ICN1")]))["status"] == "posted"
    before = dates_by_source(engine)
    assert {d for d, _m in before["insurance_payment"]} == {TODAY.date()}
    close_period(ctx, "2026-06", store=accounting_store)
    # a late 835, paid 2026-06-15 (inside June), after June was closed
    late = remit_file([paid_in_full(pcns[1], "ICN2")], trace="EFT0002", start=800)
    assert post(ctx, late)["status"] == "posted"
    after = dates_by_source(engine)
    moved = [
        (d, m) for d, m in after["insurance_payment"] if (d, m) not in before["insurance_payment"]
    ]
    assert [d for d, _m in moved] == [date(2026, 7, 1)]
    assert "dated 2026-06-15" in moved[0][1] and "2026-06 is closed" in moved[0][1]
    # the claims' charges went on the ledger when the claims were created, before June closed
    assert sorted(after["charge"]) == sorted(before["charge"])
    assert set(before["insurance_payment"]) <= set(after["insurance_payment"])
    assert ledger_of(engine, ctx.practice_id, ids).check_line_invariants() == []


def test_consecutive_closed_months_move_an_entry_past_all_of_them(billing, engine):
    ctx = billing.ctx
    close_period(ctx, "2026-05", store=accounting_store)
    close_period(ctx, "2026-06", store=accounting_store)
    line = LineRef(str(ctx.practice_id), "1", "9001", "1")
    entry = charge(line, Party.payer("SIMPPO"), Money("10.00"), when=date(2026, 5, 20))
    open_day = charge(line, Party.payer("SIMPPO"), Money("5.00"), when=date(2026, 4, 30))
    with engine.begin() as conn:
        LedgerRepository(conn).add_entries(ctx.practice_id, [entry, open_day], TODAY)
    with engine.connect() as conn:
        days = sorted(conn.execute(select(journal_entries.c.effective_date)).scalars())
    assert days == [date(2026, 4, 30), date(2026, 7, 1)]


def test_a_month_cannot_be_closed_twice_or_before_it_starts(billing):
    ctx = billing.ctx
    close_period(ctx, "2026-05", store=accounting_store)
    with pytest.raises(Conflict):
        close_period(ctx, "2026-05", store=accounting_store)
    with pytest.raises(DomainValidationError):
        close_period(ctx, "2026-07", store=accounting_store)
    with pytest.raises(DomainValidationError):
        close_period(ctx, "2026-13", store=accounting_store)


def test_reopening_a_month_needs_the_manager_role_and_is_audited(billing, engine):
    ctx = billing.ctx
    close_period(ctx, "2026-05", store=accounting_store)
    with pytest.raises(PermissionDenied):
        reopen_period(as_user(ctx, "biller"), "2026-05", store=accounting_store)
    with pytest.raises(PermissionDenied):
        reopen_period(as_user(ctx, "admin"), "2026-05", store=accounting_store)
    reopened = reopen_period(as_user(ctx, "manager"), "2026-05", store=accounting_store)
    assert (reopened.status, reopened.reopened_by) == ("open", "user:a-manager")
    [listed] = list_periods(ctx, store=accounting_store)
    assert listed.status == "open" and listed.closed_by == "os:tester"
    actions = [(e.action, e.actor) for e in audit_entries(ctx, record_type="accounting_period")]
    assert ("period.reopen", "user:a-manager") in actions and (
        "period.close",
        "os:tester",
    ) in actions
    # an open month takes its own dates again
    line = LineRef(str(ctx.practice_id), "1", "9001", "1")
    with engine.begin() as conn:
        LedgerRepository(conn).add_entries(
            ctx.practice_id,
            [charge(line, Party.payer("SIMPPO"), Money("1.00"), when=date(2026, 5, 3))],
            TODAY,
        )
    with engine.connect() as conn:
        assert list(conn.execute(select(journal_entries.c.effective_date)).scalars()) == [
            date(2026, 5, 3)
        ]


def ledger_sums(engine, start: date, end: date) -> dict[tuple[str, str], Decimal]:
    p, j = postings, journal_entries
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    with engine.connect() as conn:
        for kind, party, amount in conn.execute(
            select(p.c.account_kind, p.c.party, p.c.amount)
            .select_from(p.join(j, j.c.entry_id == p.c.entry_id))
            .where(j.c.effective_date.between(start, end))
        ):
            sums[(kind, "patient" if party == "patient" else "payer")] += Decimal(amount)
    return sums


def test_the_journal_export_balances_and_matches_the_ledger(billing, engine, claims_):
    ctx, (_ids, pcns) = billing.ctx, claims_
    post(ctx, remit_file([paid_in_full(pcns[0], "ICN1"), denied(pcns[1], "ICN2")]))
    export = export_journal(ctx, "2026-06", store=accounting_store)
    assert export.total_debit == export.total_credit != Money.zero()
    by_number = {r.number: r for r in export.rows}
    sums = ledger_sums(engine, date(2026, 6, 1), date(2026, 6, 30))
    assert by_number["4000"].credit.amount == -sums[("charges", "payer")] == Decimal("240.00")
    assert by_number["1000"].debit.amount == sums[("insurance_payments", "payer")]
    assert by_number["4100"].debit.amount == sums[("contractual_adjustments", "payer")]
    assert by_number["1210"].debit.amount == sums[("receivable", "patient")] == Decimal("20.00")
    ar = by_number["1200"]
    assert ar.debit.amount - ar.credit.amount == sums[("receivable", "payer")]
    detail = list(csv.DictReader(io.StringIO(export.detail_csv())))
    *postings_rows, total = detail
    assert total["entry_id"] == "TOTAL" and total["debit"] == total["credit"]
    assert len(postings_rows) == sum(1 for _ in export.lines)
    assert export_journal(ctx, "2026-05", store=accounting_store).rows == ()


def test_periods_and_journal_from_the_command_line(billing, claims_, database_url, tmp_path,
                                                  monkeypatch):  # fmt: skip
    _ids, pcns = claims_
    post(billing.ctx, remit_file([paid_in_full(pcns[0], "ICN1")]))
    monkeypatch.setenv("REVCYCLE_CLOCK", "2026-07-02T12:00:00+00:00")
    app = typer.Typer()
    app.add_typer(periods, name="periods")
    app.add_typer(journal, name="journal")
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        reset_state(database_url, None)
        result = runner.invoke(app, [*args, "--db", database_url])
        assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
        return result.stdout

    run("periods", "close", "2026-06")
    assert "2026-06" in run("periods", "list") and "closed" in run("periods", "list")
    run("periods", "close", "2026-06", code=2)
    out = tmp_path / "june.csv"
    run("journal", "export", "--period", "2026-06", "--out", str(out))
    summary = list(csv.DictReader(io.StringIO(out.read_text())))
    total = summary[-1]
    # both claims' charges (2 x 120.00, posted when created) net of the first one's payment
    assert total["account"] == "TOTAL" and total["debit"] == total["credit"] == "240.00"
    assert {r["account"] for r in summary[:-1]} == {"1000", "1200", "1210", "4000", "4100"}
    detail = run("journal", "export", "--period", "2026-06", "--detail")
    assert detail.splitlines()[0].startswith("period,date,entry_id")
    run("periods", "reopen", "2026-06")
    reset_state(None, None)
