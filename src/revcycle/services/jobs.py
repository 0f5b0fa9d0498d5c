"""Background jobs: recorded with the change that causes them, run later by a runner.

``enqueue(uow, kind, payload)`` writes a job row inside the caller's unit of work, so the job
exists exactly when the change that needs it commits (a prepared 837 and the job to transmit
it; a stored response file and the job to apply it). ``run_pending(ctx_factory)`` runs due jobs
in this process, one transaction to lease each job and one to record its end: the default on
SQLite. A later engine may lease the same rows from other processes; callers do not change.

Invariants: a job is leased by one runner at a time (``UPDATE ... WHERE state`` guard); a lease
that expires (its runner died) makes the job due again, so handlers are idempotent; a failing
job is retried after a back-off and marked ``failed`` after ``max_attempts``.

Job kinds (``KINDS``): ``submission.batch`` (batch and send ready claims), ``submission.transmit``
(send one prepared submission and mark its claims), ``inbox.poll`` (fetch responses),
``inbox.apply`` (apply one stored response file), ``era.post`` (post a stored 835 to the
ledger). Kinds that talk to the clearinghouse need the
practice's mailbox and run only when the runner is given it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from revcycle.services.context import Context
from revcycle.services.ports import ClearinghouseMailbox, Job, UnitOfWork

ContextFactory = Callable[[int | None], Context]
FaultHook = Callable[[str], None]

KINDS = ("submission.batch", "submission.transmit", "inbox.poll", "inbox.apply", "era.post")
MAILBOX_KINDS = ("submission.batch", "submission.transmit", "inbox.poll")


class UnknownJobKind(ValueError):
    pass


@dataclass(frozen=True)
class JobEnv:
    """What a handler may use: contexts, the practice's mailbox (for mailbox kinds), and a
    fault hook tests use to stop the work at a named step."""

    ctx_factory: ContextFactory
    mailbox: ClearinghouseMailbox | None = None
    fault: FaultHook | None = None


@dataclass(frozen=True)
class JobOutcome:
    job_id: int
    kind: str
    state: str  # done, pending (retry later), failed
    error: str | None = None


Handler = Callable[[JobEnv, Job], None]


def enqueue(uow: UnitOfWork, kind: str, payload: Mapping[str, Any]) -> Job:
    """Record a job in ``uow``'s transaction, for ``uow``'s practice."""
    if kind not in KINDS:
        raise UnknownJobKind(kind)
    return uow.jobs.add(Job(kind, dict(payload), uow.practice_id))


def _handlers() -> dict[str, Handler]:
    from revcycle.services import era, inbox, submission

    return {
        "submission.batch": submission.run_batch_job,
        "submission.transmit": submission.run_transmit_job,
        "inbox.poll": inbox.run_poll_job,
        "inbox.apply": inbox.run_apply_job,
        "era.post": era.run_post_job,
    }


def run_pending(
    ctx_factory: ContextFactory,
    *,
    mailbox: ClearinghouseMailbox | None = None,
    practice_id: int | None = None,
    kinds: Sequence[str] | None = None,
    limit: int = 10_000,
    lease: timedelta = timedelta(minutes=10),
    max_attempts: int = 3,
    fault: FaultHook | None = None,
) -> list[JobOutcome]:
    """Run due jobs in this process, oldest first, until none is due (or ``limit`` ran).

    With a ``mailbox``, ``practice_id`` names whose it is and only that practice's jobs run;
    without one, jobs that need a mailbox are left for a runner that has it.
    """
    if mailbox is not None and practice_id is None:
        raise ValueError("a mailbox belongs to one practice: give practice_id")
    handlers = _handlers()
    env = JobEnv(ctx_factory, mailbox, fault)
    base = ctx_factory(None)
    outcomes: list[JobOutcome] = []
    while len(outcomes) < limit:
        now = base.clock.now()
        with base.uow() as uow:
            job = uow.jobs.take_next(
                now,
                now + lease,
                kinds,
                practice_id,
                exclude=MAILBOX_KINDS if mailbox is None else (),
            )
            uow.commit()
        if job is None:
            break
        assert job.id is not None
        try:
            handlers[job.kind](env, job)
        except Exception as exc:  # recorded on the job; the runner goes on with the next one
            error = f"{type(exc).__name__}: {exc}"
            final = job.attempts >= max_attempts
            state = "failed" if final else "pending"
            retry_at = None if final else now + timedelta(seconds=30 * 2**job.attempts)
            with base.uow() as uow:
                uow.jobs.finish(job.id, state, base.clock.now(), error, retry_at)
                uow.commit()
            outcomes.append(JobOutcome(job.id, job.kind, state, error))
            continue
        with base.uow() as uow:
            uow.jobs.finish(job.id, "done", base.clock.now())
            uow.commit()
        outcomes.append(JobOutcome(job.id, job.kind, "done"))
    return outcomes
