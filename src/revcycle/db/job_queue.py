"""The job queue on PostgreSQL: procrastinate's tables, written in the caller's transaction.

``QueueJobs`` is the PostgreSQL side of ``JobRepository``: ``add`` defers the job with
procrastinate's own ``defer_jobs`` query (``JobManager.batch_defer_jobs``) on the connection of
the unit of work, so the job exists exactly when the change that needs it commits; a rolled
back transaction leaves no job. It also lists, retries and cancels jobs.

``ProcrastinateQueue`` runs jobs: a procrastinate ``App`` with one task per job kind, each
calling the kind's handler (``revcycle.services.jobs``). ``run`` either empties the queues in
this process (``wait=False``: what ``jobs.run_pending`` does on PostgreSQL) or works until
stopped (``wait=True``: ``revcycle worker``). Workers send heartbeats; a job whose worker has
stopped sending them (killed) is put back in the queue by any other worker, at start and then
every ``stalled_after / 2`` seconds, so it runs again (handlers are idempotent).

Queues and locks:

- a kind that needs the practice's clearinghouse mailbox (``MAILBOX_KINDS``) has a queue per
  practice, ``<kind>@<practice id>``, so a runner holding one practice's mailbox takes only
  that practice's jobs; the other kinds have one queue each, named by the kind;
- ``inbox.apply`` and ``era.post`` run holding their practice's PostgreSQL advisory lock, so
  two workers never change the same practice's claims at once (different practices run in
  parallel). Not procrastinate's ``lock``: that one also orders the jobs, and a job waiting for
  its retry would hold back every later job of the practice.

Failures: the error of every failed attempt is kept in ``job_attempts`` (procrastinate keeps
none), with the time, by the application's clock, after which it may run again: 30 s x 2^n
after the n-th attempt. After ``max_attempts`` attempts the job ends ``failed``. A failure that
is not an ``Exception`` (the tests' stand-in for a process dying) is retried like a job whose
worker vanished, and re-raised to the caller of ``run`` once the worker has stopped.

The application clock may be frozen (tests, demos) while PostgreSQL's ``now()`` is not: a retry
is scheduled in database time after the same delay, and a run in process first releases the
retries whose time has come by the application's clock.

States as revcycle names them: todo -> pending, doing -> running, succeeded -> done, failed,
cancelled (aborted too).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import socket
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Index,
    Integer,
    String,
    Table,
    insert,
    select,
    text,
)

from revcycle.db.tables import Id, metadata
from revcycle.domain.errors import Conflict, NotFound
from revcycle.services import jobs as jobs_service
from revcycle.services.jobs import (
    KINDS,
    MAILBOX_KINDS,
    Handler,
    JobEnv,
    JobOutcome,
)
from revcycle.services.ports import Clock, Job

if TYPE_CHECKING:
    from procrastinate import App, JobContext
    from procrastinate.worker import Worker

log = logging.getLogger(__name__)

job_attempts = Table(
    "job_attempts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("job_id", BigInteger, nullable=False),
    Column("practice_id", Id, nullable=True),
    Column("kind", String(40), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("error", String(1000), nullable=False),
    Column("failed_at", DateTime(timezone=True), nullable=False),
    Column("retry_after", DateTime(timezone=True), nullable=True),
    Index("ix_job_attempts_job", "job_id"),
)

LOCKED_KINDS = ("inbox.apply", "era.post")
STATE_OF = {
    "todo": "pending",
    "doing": "running",
    "succeeded": "done",
    "failed": "failed",
    "cancelled": "cancelled",
    "aborting": "running",
    "aborted": "cancelled",
}
STATUS_OF = {
    "pending": ("todo",),
    "running": ("doing", "aborting"),
    "done": ("succeeded",),
    "failed": ("failed",),
    "cancelled": ("cancelled", "aborted"),
}


def queue_for(kind: str, practice_id: int | None) -> str:
    return f"{kind}@{practice_id}" if kind in MAILBOX_KINDS else kind


PRACTICE_LOCK = 0x5243  # the first key of the practice's advisory lock ("RC")


@contextlib.contextmanager
def practice_lock(engine: Engine, kind: str, practice_id: int | None) -> Iterator[None]:
    """For the kinds that change a practice's claims, hold the practice's advisory lock (a
    session lock on a connection of its own, released when the job ends or its worker dies)."""
    if kind not in LOCKED_KINDS or practice_id is None:
        yield
        return
    with engine.connect() as conn:
        conn.execute(
            text("SELECT pg_advisory_lock(:k, :p)"), {"k": PRACTICE_LOCK, "p": practice_id}
        )
        conn.commit()
        try:
            yield
        finally:
            conn.execute(
                text("SELECT pg_advisory_unlock(:k, :p)"), {"k": PRACTICE_LOCK, "p": practice_id}
            )
            conn.commit()


def queues_for(
    kinds: Sequence[str] | None, practice_id: int | None, with_mailbox: bool
) -> list[str]:
    """The queues a runner takes jobs from: without a mailbox, the kinds that need none; with
    the mailbox of ``practice_id``, that practice's mailbox queues too."""
    out = []
    for kind in kinds or KINDS:
        if kind not in MAILBOX_KINDS:
            out.append(kind)
        elif with_mailbox:
            out.append(queue_for(kind, practice_id))
    return out


def backoff(attempt: int) -> timedelta:
    """How long after its ``attempt``-th failure a job waits (the in-process runner's rule)."""
    return timedelta(seconds=30 * 2**attempt)


def record_attempt(
    conn: Connection,
    job_id: int,
    practice_id: int | None,
    kind: str,
    attempt: int,
    error: str,
    at: datetime,
    retry_after: datetime | None,
) -> None:
    conn.execute(
        insert(job_attempts).values(
            job_id=job_id,
            practice_id=practice_id,
            kind=kind,
            attempt=attempt,
            error=error[:1000],
            failed_at=at,
            retry_after=retry_after,
        )
    )


def attempts_of(conn: Connection, job_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """The failed attempts of these jobs, oldest first."""
    t = job_attempts
    out: dict[int, list[dict[str, Any]]] = {}
    if not job_ids:
        return out
    rows = conn.execute(
        select(t.c.job_id, t.c.attempt, t.c.error, t.c.failed_at, t.c.retry_after)
        .where(t.c.job_id.in_(list(job_ids)))
        .order_by(t.c.job_id, t.c.id)
    )
    for r in rows:
        out.setdefault(r.job_id, []).append(
            {
                "attempt": r.attempt,
                "error": r.error,
                "failed_at": r.failed_at,
                "retry_after": r.retry_after,
            }
        )
    return out


def _manager() -> Any:
    from procrastinate import manager
    from procrastinate.sync_psycopg_connector import SyncPsycopgConnector

    # Only its ``*_with_connection`` queries are used: it never opens a pool of its own.
    return manager.JobManager(connector=SyncPsycopgConnector())


class QueueJobs:
    """The jobs of procrastinate's tables, seen through the unit of work's connection."""

    def __init__(self, conn: Connection, clock: Clock) -> None:
        self.conn = conn
        self.clock = clock

    def add(self, job: Job, run_after: datetime | None = None) -> Job:
        from procrastinate import jobs as pjobs

        deferred = pjobs.Job(
            queue=queue_for(job.kind, job.practice_id),
            lock=None,
            queueing_lock=None,
            task_name=job.kind,
            task_kwargs={"practice_id": job.practice_id, "payload": cast(Any, dict(job.payload))},
            scheduled_at=run_after,
        )
        raw = self.conn.connection.driver_connection
        [done] = _manager().batch_defer_jobs([deferred], connection=raw)
        return replace(job, state="pending", attempts=0, id=done.id)

    def _select(self, where: str, params: Mapping[str, Any], limit: int = 1000) -> list[Job]:
        columns = "id, task_name, args, status::text AS status, attempts"
        query = f"SELECT {columns} FROM procrastinate_jobs WHERE {where}"  # noqa: S608 - ours
        rows = self.conn.execute(
            text(query + " ORDER BY id DESC LIMIT :limit"), {**params, "limit": limit}
        ).all()
        errors = attempts_of(self.conn, [r.id for r in rows])
        out = []
        for r in reversed(rows):
            args = r.args or {}
            last = errors.get(r.id, [])
            out.append(
                Job(
                    r.task_name,
                    args.get("payload") or {},
                    args.get("practice_id"),
                    STATE_OF.get(r.status, r.status),
                    r.attempts,
                    last[-1]["error"] if last else None,
                    r.id,
                )
            )
        return out

    def list(
        self,
        *,
        state: str | None = None,
        kind: str | None = None,
        practice_id: int | None = None,
        limit: int = 1000,
    ) -> Sequence[Job]:
        where, params = ["task_name = ANY(:kinds)"], {"kinds": list(KINDS)}
        if state is not None:
            where.append("status::text = ANY(:statuses)")
            params["statuses"] = list(STATUS_OF.get(state, (state,)))
        if kind is not None:
            where.append("task_name = :kind")
            params["kind"] = kind  # type: ignore[assignment]
        if practice_id is not None:
            where.append("(args->>'practice_id')::bigint = :practice")
            params["practice"] = practice_id  # type: ignore[assignment]
        return self._select(" AND ".join(where), params, limit)

    def get(self, id: int) -> Job:
        found = self._select("id = :id", {"id": id})
        if not found:
            raise NotFound("job", id)
        return found[0]

    def retry(self, id: int) -> Job:
        """A failed (or cancelled) job back in the queue, due now, with one more attempt."""
        job = self.get(id)
        if job.state not in ("failed", "cancelled"):
            raise Conflict(
                "state", f"job {id} is {job.state}: only a failed or cancelled job is retried"
            )
        self.conn.execute(
            text(
                "UPDATE procrastinate_jobs SET status = 'todo', scheduled_at = NULL, "
                "abort_requested = false WHERE id = :id AND status IN ('failed', 'cancelled', "
                "'aborted')"
            ),
            {"id": id},
        )
        return self.get(id)

    def cancel(self, id: int) -> Job:
        """A waiting job taken out of the queue (a running one finishes first: not cancelled)."""
        job = self.get(id)
        from procrastinate import sql

        raw = self.conn.connection.driver_connection
        assert raw is not None

        with raw.cursor() as cur:
            cur.execute(
                sql.queries["cancel_job"], {"job_id": id, "abort": False, "delete_job": False}
            )
            row = cur.fetchone()
        if row is None or row[0] is None:
            raise Conflict("state", f"job {id} is {job.state}: only a waiting job is cancelled")
        return self.get(id)

    def queue(self) -> ProcrastinateQueue:
        return ProcrastinateQueue(self.conn.engine)


# ---- running jobs ---------------------------------------------------------------------------


EnvFor = Callable[[int | None, str], AbstractContextManager[JobEnv]]


class AttemptFailed(Exception):
    """What a task raises to procrastinate when its handler failed: the delay before the next
    attempt (seconds), or None when the job is to end ``failed``."""

    def __init__(self, error: str, retry_in: int | None) -> None:
        super().__init__(error)
        self.retry_in = retry_in


@dataclass
class _Run:
    env_for: EnvFor
    handlers: Mapping[str, Handler]
    max_attempts: int
    clock: Clock
    engine: Engine
    limit: int
    fleet: bool
    outcomes: list[JobOutcome] = field(default_factory=list)
    crash: BaseException | None = None
    worker: Worker | None = None

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()  # type: ignore[no-untyped-call]


def _task(kind: str) -> Callable[..., None]:
    def run_job(
        context: JobContext,
        practice_id: int | None = None,
        payload: dict[str, Any] | None = None,
    ) -> None:
        run: _Run = context.additional_context["run"]
        assert context.job.id is not None
        attempt = context.job.attempts + 1
        job = Job(kind, payload or {}, practice_id, "running", attempt, None, context.job.id)
        scope = jobs_service.worker_scope() if run.fleet else nullcontext()
        try:
            with (
                run.env_for(practice_id, kind) as env,
                scope,
                practice_lock(run.engine, kind, practice_id),
            ):
                run.handlers[kind](env, job)
        except BaseException as exc:
            crashed = not isinstance(exc, Exception)
            final = not crashed and attempt >= run.max_attempts
            error = f"{type(exc).__name__}: {exc}"
            now = run.clock.now()
            delay = None if final else backoff(attempt)
            with run.engine.begin() as conn:
                record_attempt(
                    conn, job.id or 0, practice_id, kind, attempt, error, now,
                    now + delay if delay is not None else None,
                )  # fmt: skip
            run.outcomes.append(
                JobOutcome(job.id or 0, kind, "failed" if final else "pending", error)
            )
            if crashed:
                run.crash = exc
                run.stop()
            retry_in = int(delay.total_seconds()) if delay is not None else None
            raise AttemptFailed(error, retry_in) from exc
        run.outcomes.append(JobOutcome(job.id or 0, kind, "done"))
        if len(run.outcomes) >= run.limit:
            run.stop()

    run_job.__name__ = run_job.__qualname__ = "run_" + kind.replace(".", "_")
    return run_job


def _retry_strategy() -> Any:
    from procrastinate.retry import BaseRetryStrategy, RetryDecision

    class FromAttempt(BaseRetryStrategy):
        def get_retry_decision(self, *, exception: BaseException, job: Any) -> Any:
            if isinstance(exception, AttemptFailed) and exception.retry_in is not None:
                return RetryDecision(retry_in={"seconds": exception.retry_in})
            return None

    return FromAttempt()


SCHEDULE_QUEUE = "schedule"


def _tick(kind: str) -> Callable[..., None]:
    def tick(context: JobContext, timestamp: int) -> None:
        run: _Run = context.additional_context["run"]
        with run.env_for(None, SCHEDULE_QUEUE) as env:
            jobs_service.schedule(env.ctx_factory, kind)

    tick.__name__ = tick.__qualname__ = "schedule_" + kind.replace(".", "_")
    return tick


def build_app(connector: Any, *, periodic: bool = False) -> App:
    """The procrastinate App: one task per job kind, named by the kind; with ``periodic`` (the
    long-running workers), the ticks of ``jobs.SCHEDULE`` too: procrastinate's periodic
    deferrer in each worker defers each tick once (whichever worker gets there first), on
    the ``schedule`` queue, and the tick enqueues the work for every practice."""
    from procrastinate import App

    app = App(connector=connector)
    strategy = _retry_strategy()
    for kind in KINDS:
        app.task(name=kind, pass_context=True, retry=strategy)(_task(kind))
    if periodic:
        for item in jobs_service.SCHEDULE:
            task = app.task(name=f"schedule:{item.kind}", pass_context=True, queue=SCHEDULE_QUEUE)(
                _tick(item.kind)
            )
            app.periodic(cron=item.cron, periodic_id=item.kind)(task)
    return app


def conninfo(engine: Engine) -> str:
    """libpq's URI for the engine's database (procrastinate connects with psycopg itself)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass(frozen=True)
class WorkerOptions:
    concurrency: int = 1
    wait: bool = False  # False: stop when the queues are empty
    heartbeat: float = 10.0  # seconds between heartbeats
    stalled_after: float = 30.0  # a worker silent this long is gone: its jobs run again
    name: str = ""
    install_signal_handlers: bool = False
    poll_interval: float = 5.0


class ProcrastinateQueue:
    """Runs the jobs of procrastinate's queues with the engine's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def run(
        self,
        env_for: EnvFor,
        handlers: Mapping[str, Handler],
        *,
        queues: Sequence[str] | None,
        clock: Clock,
        max_attempts: int = 3,
        limit: int = 10_000,
        fleet: bool = False,
        options: WorkerOptions | None = None,
    ) -> list[JobOutcome]:
        """Run jobs of ``queues`` (None: every queue) until they are empty (``options.wait``
        False) or the worker is stopped; the outcomes of the jobs run, in order of ending."""
        opts = options or WorkerOptions()
        run = _Run(env_for, handlers, max_attempts, clock, self.engine, limit, fleet)
        if not opts.wait:
            self.release_due(clock.now())
        _run_coroutine(lambda: self._work(run, list(queues) if queues is not None else None, opts))
        if run.crash is not None:
            raise run.crash
        return run.outcomes

    def release_due(self, now: datetime) -> int:
        """Make due the retries whose time has come by the application's clock."""
        with self.engine.begin() as conn:
            return conn.execute(
                text(
                    "UPDATE procrastinate_jobs j SET scheduled_at = NULL "
                    "WHERE j.status = 'todo' AND j.scheduled_at > now() AND EXISTS ("
                    " SELECT 1 FROM job_attempts a WHERE a.job_id = j.id "
                    " AND a.attempt = j.attempts AND a.retry_after <= :now)"
                ),
                {"now": now},
            ).rowcount

    async def _work(self, run: _Run, queues: list[str] | None, opts: WorkerOptions) -> None:
        from procrastinate import PsycopgConnector
        from procrastinate.worker import Worker

        connector = PsycopgConnector(
            conninfo=conninfo(self.engine),
            min_size=1,
            max_size=opts.concurrency + 3,
            kwargs={"application_name": "revcycle-worker"},
        )
        app = build_app(connector, periodic=opts.wait)
        async with app.open_async():
            await self._rescue_stalled(app, run, opts.stalled_after)
            worker = Worker(
                app,
                queues=queues,
                name=opts.name or f"{socket.gethostname()}:{os.getpid()}",
                concurrency=opts.concurrency,
                wait=opts.wait,
                listen_notify=opts.wait,
                install_signal_handlers=opts.install_signal_handlers,
                additional_context={"run": run},
                update_heartbeat_interval=opts.heartbeat,
                stalled_worker_timeout=opts.stalled_after,
                fetch_job_polling_interval=opts.poll_interval,
            )
            run.worker = worker
            rescuer = (
                asyncio.create_task(self._keep_rescuing(app, run, opts.stalled_after))
                if opts.wait
                else None
            )
            try:
                await worker.run()  # type: ignore[no-untyped-call]
            finally:
                if rescuer is not None:
                    rescuer.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await rescuer

    async def _keep_rescuing(self, app: App, run: _Run, stalled_after: float) -> None:
        while True:
            await asyncio.sleep(max(stalled_after / 2, 0.5))
            try:
                await self._rescue_stalled(app, run, stalled_after)
            except Exception:  # the next round tries again; the worker keeps working
                log.exception("could not put the jobs of stalled workers back in the queue")

    async def _rescue_stalled(self, app: App, run: _Run, stalled_after: float) -> None:
        """Jobs whose worker stopped sending heartbeats: back in the queue (or ``failed`` when
        that was their last attempt), each with an attempt row saying why."""
        from procrastinate import exceptions, jobs

        stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after)
        for job in stalled:
            assert job.id is not None
            attempt = job.attempts + 1
            final = attempt >= run.max_attempts
            now = run.clock.now()
            error = f"WorkerLost: worker {job.worker_id} stopped sending heartbeats"
            try:
                if final:
                    await app.job_manager.finish_job(job, jobs.Status.FAILED, delete_job=False)
                else:
                    await app.job_manager.retry_job(job)
            except exceptions.ConnectorException:  # another worker took care of it first
                continue
            args = job.task_kwargs or {}
            practice = args.get("practice_id")
            with self.engine.begin() as conn:
                record_attempt(
                    conn, job.id, practice if isinstance(practice, int) else None,
                    job.task_name, attempt, error, now, None if final else now,
                )  # fmt: skip
            log.warning("job %s (%s) of a stalled worker: %s", job.id, job.task_name,
                        "failed" if final else "queued again")  # fmt: skip


def _run_coroutine(make: Callable[[], Any]) -> None:
    """``asyncio.run`` here, or in a thread of its own when this thread already runs a loop
    (an async caller): the in-process runner is a synchronous call either way."""
    try:
        asyncio.get_running_loop()
        in_a_loop = True
    except RuntimeError:
        in_a_loop = False
    if not in_a_loop:
        asyncio.run(make())
        return
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(make())).result()


def fixed_env(env: JobEnv) -> EnvFor:
    """The same environment for every job (the in-process runner's mailbox, if any)."""
    return lambda practice_id, kind: nullcontext(env)
