"""Periodic work on both databases: a tick enqueues the kind for every practice that has none
waiting (ticks never pile up), the sweep and statement-run jobs do their work through the
queue, and on PostgreSQL the engine's periodic tasks are registered for the long-running
workers only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from revcycle.db.claim_status_repo import status_store
from revcycle.db.patient_billing_repo import billing_store
from revcycle.services import claim_status, jobs, statements
from tests.integration.test_claim_status import loop  # noqa: F401  (fixture)
from tests.integration.test_statements import balances  # noqa: F401  (fixture)
from tests.integration.test_submission import ctx_factory


def _waiting(ctx, kind: str) -> list[int | None]:  # type: ignore[no-untyped-def]
    with ctx.uow_factory(None) as uow:
        return [j.practice_id for j in uow.jobs.list() if j.kind == kind and j.state == "pending"]


def test_a_tick_enqueues_once_per_practice_and_never_piles_up(billing):
    factory = ctx_factory(billing.ctx)
    assert jobs.schedule(factory, "statements.run") == [billing.ctx.practice_id]
    assert jobs.schedule(factory, "statements.run") == []  # one is waiting already
    assert _waiting(billing.ctx, "statements.run") == [billing.ctx.practice_id]
    assert [p.kind for p in jobs.SCHEDULE] == ["inbox.poll", "status.sweep", "statements.run"]


def test_the_statement_run_job_sends_the_days_statements_once(billing, balances):  # noqa: F811
    billing.ctx.clock.advance(timedelta(days=60))
    factory = ctx_factory(billing.ctx)
    jobs.schedule(factory, "statements.run")
    [outcome] = jobs.run_pending(factory)
    assert (outcome.kind, outcome.state) == ("statements.run", "done")
    sent = statements.list_statements(billing.ctx, store=billing_store)
    assert {s.patient_id for s in sent} == {balances["ana"], balances["ivy"]}
    jobs.schedule(factory, "statements.run")  # the next tick the same day: nothing new
    jobs.run_pending(factory)
    assert len(statements.list_statements(billing.ctx, store=billing_store)) == len(sent)


def test_the_sweep_job_asks_about_quiet_claims_through_the_practices_mailbox(loop):  # noqa: F811
    loop.send_claims([("SIMPPO", "MEM400001")])
    loop.clock.advance(timedelta(days=31))
    factory = ctx_factory(loop.ctx)
    jobs.schedule(factory, "status.sweep")
    # a mailbox kind: a runner without the practice's mailbox leaves it waiting
    assert jobs.run_pending(factory) == []
    [outcome] = jobs.run_pending(
        factory, mailbox=loop.mailbox, practice_id=loop.ctx.practice_id, kinds=["status.sweep"]
    )
    assert outcome.state == "done", outcome.error
    [asked] = claim_status.list_inquiries(loop.ctx, store=status_store, state="pending")
    assert asked.mode == "batch"


def test_the_engine_schedules_the_ticks_for_long_running_workers_only(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("procrastinate is PostgreSQL's engine; the SQLite worker ticks by a timer")
    from procrastinate import testing

    from revcycle.db.job_queue import SCHEDULE_QUEUE, build_app

    in_process = build_app(testing.InMemoryConnector())
    assert not in_process.periodic_registry.periodic_tasks
    worker = build_app(testing.InMemoryConnector(), periodic=True)
    ticks = {
        (p.task.name, p.task.queue, p.cron)
        for p in worker.periodic_registry.periodic_tasks.values()
    }
    assert ticks == {
        ("schedule:inbox.poll", SCHEDULE_QUEUE, "*/15 * * * *"),
        ("schedule:status.sweep", SCHEDULE_QUEUE, "0 6 * * *"),
        ("schedule:statements.run", SCHEDULE_QUEUE, "0 5 * * *"),
    }
