"""The jobs interface on both databases: a job exists only if its transaction commits, a
poison job ends ``failed`` after N attempts with the error of each attempt kept, and
``revcycle jobs list|show|retry|cancel`` see and steer the queue (on PostgreSQL,
procrastinate's; on SQLite, the ``jobs`` table)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import typer
from typer.testing import CliRunner

from revcycle.cli.app import app
from revcycle.services import jobs
from tests.integration.test_submission import ctx_factory


def _queued(ctx) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        return [(j.kind, j.state) for j in uow.jobs.list()]


def test_a_rolled_back_change_leaves_no_job_and_a_committed_one_leaves_one(billing, engine):
    with billing.ctx.uow() as uow:
        jobs.enqueue(uow, "inbox.apply", {"inbound_file_id": 1})
        # not committed: leaving the block rolls the job back with everything else
    assert _queued(billing.ctx) == []
    with billing.ctx.uow() as uow:
        job = jobs.enqueue(uow, "inbox.apply", {"inbound_file_id": 1})
        with billing.ctx.uow() as other:  # another transaction does not see it yet
            assert other.jobs.list() == []
        uow.commit()
    assert job.id is not None
    assert _queued(billing.ctx) == [("inbox.apply", "pending")]
    if engine.dialect.name == "postgresql":  # it is procrastinate's job, in its table
        from sqlalchemy import text

        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT task_name, queue_name, lock, args FROM procrastinate_jobs")
            ).one()
        assert row.task_name == "inbox.apply" and row.queue_name == "inbox.apply"
        assert row.lock is None
        assert row.args == {
            "practice_id": billing.ctx.practice_id,
            "payload": {"inbound_file_id": 1},
        }


def test_a_poison_job_ends_failed_after_n_attempts_with_each_error_kept(billing, clock):
    factory = ctx_factory(billing.ctx)
    with billing.ctx.uow() as uow:
        job = jobs.enqueue(uow, "inbox.apply", {"inbound_file_id": 424242})  # no such file
        uow.commit()
    assert job.id is not None
    states = []
    for _ in range(4):
        outcomes = jobs.run_pending(factory, max_attempts=3)
        states += [o.state for o in outcomes]
        assert jobs.run_pending(factory, max_attempts=3) == []  # not due again before its time
        clock.advance(timedelta(hours=1))
    assert states == ["pending", "pending", "failed"]
    view = jobs.show_job(billing.ctx, job.id)
    assert (view.job.state, view.job.attempts) == ("failed", 3)
    assert view.job.error == "NotFound: inbound file 424242 not found"
    assert [a["attempt"] for a in view.attempts] == [1, 2, 3]
    assert all("not found" in a["error"] for a in view.attempts)
    assert view.attempts[-1]["retry_after"] is None  # the last one: no retry


def test_a_job_of_another_kind_is_refused():
    with pytest.raises(jobs.UnknownJobKind):
        jobs.enqueue(None, "no.such.kind", {})  # type: ignore[arg-type]


def _cli(database_url: str, *args: str, clock=None) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    env = {"REVCYCLE_CLOCK": clock.now().isoformat()} if clock is not None else {}
    result = CliRunner().invoke(app, ["--db", database_url, *args], env=env)
    if result.exception and not isinstance(result.exception, (SystemExit, typer.Exit)):
        raise result.exception
    return result.exit_code, result.stdout


def test_cli_lists_cancels_and_retries_jobs(billing, database_url, clock):
    with billing.ctx.uow() as uow:
        waiting = jobs.enqueue(uow, "inbox.apply", {"inbound_file_id": 777})
        poison = jobs.enqueue(uow, "era.post", {"inbound_file_id": 778})
        uow.commit()
    code, out = _cli(database_url, "jobs", "cancel", str(waiting.id), "--json")
    assert code == 0 and json.loads(out)["state"] == "cancelled"
    assert _cli(database_url, "jobs", "cancel", str(waiting.id))[0] == 2  # not waiting now
    for _ in range(3):
        jobs.run_pending(ctx_factory(billing.ctx), max_attempts=3)
        clock.advance(timedelta(hours=1))

    code, out = _cli(database_url, "jobs", "list", "--json")
    listed = {j["id"]: j for j in json.loads(out)}
    assert code == 0 and set(listed) == {waiting.id, poison.id}
    assert listed[waiting.id]["state"] == "cancelled"
    failed = listed[poison.id]
    assert (failed["state"], failed["attempts"], failed["kind"]) == ("failed", 3, "era.post")
    assert "not found" in failed["error"]
    assert failed["practice_id"] == billing.ctx.practice_id
    assert failed["payload"] == {"inbound_file_id": 778}

    code, out = _cli(database_url, "jobs", "list", "--status", "failed", "--json")
    assert [j["id"] for j in json.loads(out)] == [poison.id]
    code, out = _cli(database_url, "jobs", "list", "--kind", "inbox.apply", "--json")
    assert [j["id"] for j in json.loads(out)] == [waiting.id]
    assert _cli(database_url, "jobs", "list", "--status", "lost")[0] == 2

    code, out = _cli(database_url, "jobs", "show", str(poison.id), "--json")
    assert code == 0 and len(json.loads(out)["attempts_failed"]) == 3

    code, out = _cli(database_url, "jobs", "retry", str(poison.id), "--json", clock=clock)
    assert code == 0 and json.loads(out)["state"] == "pending"
    assert _cli(database_url, "jobs", "retry", str(poison.id))[0] == 2  # pending: nothing to do
    code, out = _cli(database_url, "jobs", "retry", str(waiting.id), "--json", clock=clock)
    assert code == 0 and json.loads(out)["state"] == "pending"  # a cancelled job comes back
    [outcome, again] = sorted(
        jobs.run_pending(ctx_factory(billing.ctx), max_attempts=3), key=lambda o: o.job_id
    )
    assert (outcome.job_id, outcome.state) == (waiting.id, "pending")  # retried: it fails again
    assert (again.job_id, again.state) == (poison.id, "failed")  # one more attempt, then failed
    assert _cli(database_url, "jobs", "show", "999999")[0] == 1
