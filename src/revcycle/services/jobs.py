"""Background jobs: recorded with the change that causes them, run later by a runner.

``enqueue(uow, kind, payload)`` writes a job inside the caller's unit of work, so the job
exists exactly when the change that needs it commits (a prepared 837 and the job to transmit
it; a stored response file and the job to apply it). Where it is written depends on the
database: on SQLite, a row of the ``jobs`` table; on PostgreSQL, a job of the procrastinate
queue (``revcycle.db.job_queue``), deferred on the same connection and transaction.

``run_pending(ctx_factory)`` runs due jobs in this process until none is due, and returns their
outcomes. On SQLite it leases rows of ``jobs`` one at a time (one transaction to lease each job
and one to record its end). On PostgreSQL it runs a procrastinate worker in this process until
the queues it serves are empty; ``revcycle worker`` processes on any number of machines serve
the same queues. Callers do not change.

Invariants: a job is run by one runner at a time (SQLite: ``UPDATE ... WHERE state`` guard and a
lease; PostgreSQL: procrastinate's ``FOR UPDATE SKIP LOCKED`` fetch); a runner that dies leaves
its job to run again (SQLite: the lease expires; PostgreSQL: its heartbeats stop and another
worker puts the job back), so handlers are idempotent; a failing job is retried after a
back-off (30 s x 2^attempts) and marked ``failed`` after ``max_attempts``, the error of each
attempt kept (``job_attempts``). Inside a job run by ``revcycle worker`` (``worker_scope``),
``run_pending`` runs nothing: the jobs a handler records are left to the workers.

Job kinds (``KINDS``): ``submission.batch`` (batch and send ready claims), ``submission.transmit``
(send one prepared submission and mark its claims), ``inbox.poll`` (fetch responses),
``inbox.apply`` (apply one stored response file), ``era.post`` (post a stored 835 to the
ledger), ``status.sweep`` (a batch 276 for the practice's quiet claims), ``statements.run`` (the
day's patient statement run). Kinds that talk to the clearinghouse need the practice's mailbox
and run only when the runner is given it (``revcycle worker`` builds each practice's mailbox
itself).

Periodic work (``SCHEDULE``): every practice's mailbox is polled every 15 minutes, its quiet
claims swept daily and its statements run daily. On PostgreSQL the engine schedules it
(procrastinate's periodic tasks: whichever worker is up defers each tick once); on SQLite the
``revcycle worker`` loop does. A tick enqueues the kind for each practice that has none waiting
already (``schedule``), so ticks never pile up behind a slow queue; the runs themselves are
idempotent (a poll takes what is there, a sweep asks only about claims due, a statement run
skips patients billed in the last 30 days).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol, runtime_checkable

from revcycle.domain.user import WRITE_SETUP
from revcycle.services.context import Context
from revcycle.services.ports import ClearinghouseMailbox, Job, UnitOfWork

ContextFactory = Callable[[int | None], Context]
FaultHook = Callable[[str], None]

KINDS = (
    "submission.batch",
    "submission.transmit",
    "inbox.poll",
    "inbox.apply",
    "era.post",
    "status.sweep",
    "statements.run",
)
MAILBOX_KINDS = ("submission.batch", "submission.transmit", "inbox.poll", "status.sweep")
STATES = ("pending", "running", "done", "failed", "cancelled")


class UnknownJobKind(ValueError):
    pass


@dataclass(frozen=True)
class Periodic:
    """Work scheduled for every practice: ``cron`` for the engine (UTC), ``every`` for the
    SQLite worker loop."""

    kind: str
    cron: str
    every: timedelta


SCHEDULE = (
    Periodic("inbox.poll", "*/15 * * * *", timedelta(minutes=15)),
    Periodic("status.sweep", "0 6 * * *", timedelta(days=1)),
    Periodic("statements.run", "0 5 * * *", timedelta(days=1)),
)


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
EnvFor = Callable[[int | None, str], AbstractContextManager[JobEnv]]
"""The environment of one job, from its practice and kind (a worker opens the practice's
mailbox for the mailbox kinds and closes it after the job)."""


class JobQueue(Protocol):
    """A queue engine outside the ``jobs`` table (procrastinate on PostgreSQL)."""

    def run(
        self,
        env_for: EnvFor,
        handlers: Mapping[str, Handler],
        *,
        queues: Sequence[str] | None,
        clock: Any,
        max_attempts: int = 3,
        limit: int = 10_000,
        fleet: bool = False,
    ) -> list[JobOutcome]: ...


@runtime_checkable
class SteerableJobs(Protocol):
    """What the jobs repository offers beyond recording jobs: finding, retrying, cancelling
    them, and the queue engine that runs them (None: the in-process runner of this module)."""

    def search(
        self,
        *,
        state: str | None = None,
        kind: str | None = None,
        practice_id: int | None = None,
        limit: int = 1000,
    ) -> Sequence[Job]: ...

    def get(self, id: int) -> Job: ...

    def retry(self, id: int) -> Job: ...

    def cancel(self, id: int) -> Job: ...

    def attempts(self, id: int) -> Sequence[Mapping[str, Any]]: ...

    def queue(self) -> JobQueue | None: ...

    def queue_names(
        self, kinds: Sequence[str] | None, practice_id: int | None, with_mailbox: bool
    ) -> Sequence[str]: ...


_IN_WORKER: ContextVar[bool] = ContextVar("revcycle_in_worker", default=False)


@contextmanager
def worker_scope() -> Iterator[None]:
    """Mark the code inside as a job of a long-running worker: ``run_pending`` then runs
    nothing, leaving the jobs a handler records to the workers (which share them out)."""
    token = _IN_WORKER.set(True)
    try:
        yield
    finally:
        _IN_WORKER.reset(token)


def enqueue(uow: UnitOfWork, kind: str, payload: Mapping[str, Any]) -> Job:
    """Record a job in ``uow``'s transaction, for ``uow``'s practice."""
    if kind not in KINDS:
        raise UnknownJobKind(kind)
    return uow.jobs.add(Job(kind, dict(payload), uow.practice_id))


def handlers() -> dict[str, Handler]:
    from revcycle.services import claim_status, era, inbox, statements, submission

    return {
        "submission.batch": submission.run_batch_job,
        "submission.transmit": submission.run_transmit_job,
        "inbox.poll": inbox.run_poll_job,
        "inbox.apply": inbox.run_apply_job,
        "era.post": era.run_post_job,
        "status.sweep": claim_status.run_sweep_job,
        "statements.run": statements.run_statements_job,
    }


def schedule(ctx_factory: ContextFactory, kind: str) -> list[int]:
    """A tick of periodic work: ``kind`` enqueued for every practice that has no such job
    waiting already; returns the practices it was enqueued for."""
    if kind not in KINDS:
        raise UnknownJobKind(kind)
    with ctx_factory(None).uow() as uow:
        practices = [p.id for p in uow.practices.list() if p.id is not None]
    out = []
    for pid in practices:
        with ctx_factory(pid).uow() as uow:
            if _steerable(uow).search(state="pending", kind=kind, practice_id=pid, limit=1):
                continue
            enqueue(uow, kind, {})
            uow.commit()
        out.append(pid)
    return out


def _steerable(uow: UnitOfWork) -> SteerableJobs:
    repo = uow.jobs
    if not isinstance(repo, SteerableJobs):
        raise TypeError("this unit of work's jobs cannot be steered")
    return repo


def queue_of(base: Context) -> JobQueue | None:
    """The queue engine behind ``base``'s database, or None for the in-process runner."""
    with base.uow() as uow:
        repo = uow.jobs
        return repo.queue() if isinstance(repo, SteerableJobs) else None


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
    without one, jobs that need a mailbox are left for a runner that has it. On PostgreSQL the
    practice filter applies to the mailbox kinds (their queues are per practice).
    """
    if mailbox is not None and practice_id is None:
        raise ValueError("a mailbox belongs to one practice: give practice_id")
    if _IN_WORKER.get():
        return []
    env = JobEnv(ctx_factory, mailbox, fault)
    base = ctx_factory(None)
    with base.uow() as uow:
        repo = uow.jobs
        queue = repo.queue() if isinstance(repo, SteerableJobs) else None
        if queue is not None:
            assert isinstance(repo, SteerableJobs)
            names = repo.queue_names(kinds, practice_id, mailbox is not None)
    if queue is not None:
        return queue.run(
            lambda _pid, _kind: nullcontext(env),
            handlers(),
            queues=names,
            clock=base.clock,
            max_attempts=max_attempts,
            limit=limit,
        )
    return _run_here(env, base, practice_id, kinds, limit, lease, max_attempts)


def _run_here(
    env: JobEnv,
    base: Context,
    practice_id: int | None,
    kinds: Sequence[str] | None,
    limit: int,
    lease: timedelta,
    max_attempts: int,
) -> list[JobOutcome]:
    """The in-process runner over the ``jobs`` table (SQLite)."""
    run = handlers()
    outcomes: list[JobOutcome] = []
    while len(outcomes) < limit:
        now = base.clock.now()
        with base.uow() as uow:
            job = uow.jobs.take_next(
                now,
                now + lease,
                kinds,
                practice_id,
                exclude=MAILBOX_KINDS if env.mailbox is None else (),
            )
            uow.commit()
        if job is None:
            break
        assert job.id is not None
        try:
            run[job.kind](env, job)
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


# ---- seeing and steering the queue (revcycle jobs) -------------------------------------------


@dataclass(frozen=True)
class JobView:
    job: Job
    attempts: tuple[Mapping[str, Any], ...] = ()  # each failed attempt: its error and when


def list_jobs(
    ctx: Context,
    *,
    state: str | None = None,
    kind: str | None = None,
    limit: int = 1000,
) -> list[Job]:
    """Jobs, oldest first (the newest ``limit``): the context's practice's, or every job when
    the context has no practice (the operator)."""
    ctx.require(WRITE_SETUP)
    if state is not None and state not in STATES:
        raise ValueError(f"unknown job state {state!r}; one of {', '.join(STATES)}")
    if kind is not None and kind not in KINDS:
        raise UnknownJobKind(kind)
    with ctx.uow_factory(None) as uow:
        return list(
            _steerable(uow).search(state=state, kind=kind, practice_id=ctx.practice_id, limit=limit)
        )


def show_job(ctx: Context, job_id: int) -> JobView:
    ctx.require(WRITE_SETUP)
    with ctx.uow_factory(None) as uow:
        repo = _steerable(uow)
        job = _visible(ctx, repo.get(job_id))
        return JobView(job, tuple(repo.attempts(job_id)))


def _visible(ctx: Context, job: Job) -> Job:
    from revcycle.domain.errors import NotFound

    if ctx.practice_id is not None and job.practice_id not in (None, ctx.practice_id):
        raise NotFound("job", job.id)
    return job


def retry_job(ctx: Context, job_id: int) -> Job:
    """Put a failed or cancelled job back in the queue, due now."""
    ctx.require(WRITE_SETUP)
    with ctx.uow_factory(None) as uow:
        repo = _steerable(uow)
        _visible(ctx, repo.get(job_id))
        job = repo.retry(job_id)
        ctx.audit(uow, "retry", "job", job_id)
        uow.commit()
    return job


def cancel_job(ctx: Context, job_id: int) -> Job:
    """Take a waiting job out of the queue."""
    ctx.require(WRITE_SETUP)
    with ctx.uow_factory(None) as uow:
        repo = _steerable(uow)
        _visible(ctx, repo.get(job_id))
        job = repo.cancel(job_id)
        ctx.audit(uow, "cancel", "job", job_id)
        uow.commit()
    return job
