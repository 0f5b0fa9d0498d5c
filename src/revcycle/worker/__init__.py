"""``revcycle worker``: a long-running process that runs background jobs.

On PostgreSQL it is a procrastinate worker (``revcycle.db.job_queue``) serving every queue (or
the ``queues`` given); run as many as needed, on as many machines: procrastinate hands each job
to one worker, a killed worker's jobs run again on another once its heartbeats stop, and
SIGTERM (or Ctrl-C) stops it gracefully (the jobs it is running finish first).

On SQLite it loops over the in-process runner (``jobs.run_pending``) until stopped: one worker
per database file (SQLite has one writer). The periodic work of ``jobs.SCHEDULE`` (polls,
status sweeps, statement runs) is procrastinate's periodic tasks on PostgreSQL (deferred once
per tick by whichever worker is up; a worker given ``--queue`` filters serves the ticks only
if ``schedule`` is among them) and this loop's own timer on SQLite (first tick at start).

A job that talks to the clearinghouse needs its practice's mailbox: the worker builds it from
the practice's stored configuration, the way ``revcycle submit`` does: the practice's submitter
ID (``RC`` + TIN) names its folder under the mailbox root, or fills ``{submitter}`` (and
``{practice_id}``) in a mailbox URL template such as ``sftp://{submitter}@host:22/``. The
mailbox is opened for the job and closed after it.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType

from sqlalchemy import Engine

from revcycle.db.job_queue import ProcrastinateQueue, WorkerOptions
from revcycle.db.uow import SqlUnitOfWorkFactory
from revcycle.domain.practice import Practice
from revcycle.services import jobs
from revcycle.services.context import Context
from revcycle.services.ports import Clock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MailboxConfig:
    """Where each practice's clearinghouse mailbox is: a URL template, else the filesystem
    mailbox under ``root`` (``./clearinghouse``) named by the practice's submitter ID."""

    root: Path | None = None
    url_template: str | None = None

    def url_for(self, practice: Practice) -> str:
        from revcycle.services.submission import default_mailbox_url
        from revcycle.services.x12_out import submitter_for

        if self.url_template:
            submitter = submitter_for(practice)[1].sender_id
            return self.url_template.format(submitter=submitter, practice_id=practice.id)
        return default_mailbox_url(practice, self.root)


@dataclass(frozen=True)
class WorkerConfig:
    concurrency: int = 1
    queues: tuple[str, ...] = ()  # kinds or queue names; empty: every queue
    max_attempts: int = 3
    heartbeat: float = 10.0
    stalled_after: float = 30.0
    poll_interval: float = 5.0
    mailbox: MailboxConfig = MailboxConfig()


def context_factory(engine: Engine, clock: Clock, actor: str) -> jobs.ContextFactory:
    base = Context.operator(actor, clock, SqlUnitOfWorkFactory(engine, clock))
    return lambda pid: replace(base, practice_id=pid)


def env_for(ctx_factory: jobs.ContextFactory, mailboxes: MailboxConfig) -> jobs.EnvFor:
    """Each job's environment: for the mailbox kinds, the practice's mailbox, opened for the
    job (mailboxes are not shared between the worker's threads) and closed after it."""

    @contextmanager
    def env(practice_id: int | None, kind: str) -> Iterator[jobs.JobEnv]:
        if kind not in jobs.MAILBOX_KINDS or practice_id is None:
            yield jobs.JobEnv(ctx_factory)
            return
        from revcycle.transport import open_mailbox

        with ctx_factory(None).uow() as uow:
            practice = uow.practices.get(practice_id)
        with open_mailbox(mailboxes.url_for(practice)) as box:
            yield jobs.JobEnv(ctx_factory, box)

    return env


def _queues(factory: jobs.ContextFactory, wanted: Sequence[str]) -> list[str] | None:
    """Queue names for ``wanted`` (kinds or queue names): a mailbox kind stands for its queue
    of every practice known now."""
    if not wanted:
        return None
    from revcycle.db.job_queue import queue_for

    with factory(None).uow() as uow:
        practices = [p.id for p in uow.practices.list()]
    out: list[str] = []
    for name in wanted:
        if name in jobs.MAILBOX_KINDS:
            out += [queue_for(name, pid) for pid in practices]
        else:
            out.append(name)
    return out


def run_worker(
    engine: Engine,
    clock: Clock,
    config: WorkerConfig,
    *,
    actor: str = "worker",
    on_start: Callable[[str], None] | None = None,
) -> None:
    """Work until SIGTERM or SIGINT (then finish the running jobs and return)."""
    factory = context_factory(engine, clock, actor)
    mailbox_env = env_for(factory, config.mailbox)
    if engine.dialect.name == "postgresql":
        queues = _queues(factory, config.queues)
        if on_start:
            on_start(f"worker on {', '.join(queues) if queues else 'every queue'}")
        ProcrastinateQueue(engine).run(
            mailbox_env,
            jobs.handlers(),
            queues=queues,
            clock=clock,
            max_attempts=config.max_attempts,
            limit=2**62,
            fleet=True,
            options=WorkerOptions(
                concurrency=config.concurrency,
                wait=True,
                heartbeat=config.heartbeat,
                stalled_after=config.stalled_after,
                install_signal_handlers=True,
                poll_interval=config.poll_interval,
            ),
        )
        return
    if on_start:
        on_start("worker on the jobs table (SQLite: in process, one at a time)")
    _loop_here(factory, config, mailbox_env)


def _loop_here(
    factory: jobs.ContextFactory, config: WorkerConfig, mailbox_env: jobs.EnvFor
) -> None:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    wanted = set(config.queues) or set(jobs.KINDS)
    plain = [k for k in jobs.KINDS if k in wanted and k not in jobs.MAILBOX_KINDS]
    boxed = [k for k in jobs.KINDS if k in wanted and k in jobs.MAILBOX_KINDS]
    ticked: dict[str, float] = {}
    try:
        while not stop.is_set():
            now = time.monotonic()
            for item in jobs.SCHEDULE:  # the periodic work (the engine's job on PostgreSQL)
                last = ticked.get(item.kind)
                if last is None or now - last >= item.every.total_seconds():
                    jobs.schedule(factory, item.kind)
                    ticked[item.kind] = now
            ran = jobs.run_pending(factory, kinds=plain, max_attempts=config.max_attempts)
            if boxed:
                with factory(None).uow() as uow:
                    practices = [p.id for p in uow.practices.list() if p.id is not None]
                for pid in practices:
                    with mailbox_env(pid, boxed[0]) as env:
                        ran += jobs.run_pending(
                            factory,
                            mailbox=env.mailbox,
                            practice_id=pid,
                            kinds=boxed,
                            max_attempts=config.max_attempts,
                        )
            if not ran:
                stop.wait(config.poll_interval)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
