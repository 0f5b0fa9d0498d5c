"""Job queue benchmark (issue 11), PostgreSQL only.

1. The queue's own overhead: N no-op ``submission.transmit`` jobs deferred (each in a
   transaction of its own, as the services record them) and run by one in-process
   procrastinate worker; ms per job for each half. The SQLite in-process runner over the
   ``jobs`` table is measured the same way.
2. Throughput of the submit-and-post pipeline with 1 and with 2 ``revcycle worker`` processes
   (concurrency 1 each): claims of several practices (``tests/integration/fleet.py``, prepared
   side by side, not timed) batched and sent by ``submission.batch`` jobs (one 837 per 500
   claims), answered and adjudicated by the simulator (timed apart: it is the clearinghouse,
   not revcycle), then fetched, applied and posted by ``inbox.poll`` jobs. claims/s =
   claims / (send wave + post wave).

``REVCYCLE_BENCH_QUEUE_CLAIMS`` (default 4,000) and ``REVCYCLE_BENCH_QUEUE_PRACTICES`` (4) size
the pipeline; ``REVCYCLE_BENCH_POSTGRES_URL`` names the server (a throwaway database is made
and dropped for each measurement).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.claims_bench import PG_URL  # noqa: E402

CLAIMS = int(os.environ.get("REVCYCLE_BENCH_QUEUE_CLAIMS", "4000"))
PRACTICES = int(os.environ.get("REVCYCLE_BENCH_QUEUE_PRACTICES", "4"))
NOOP_JOBS = 2000
PER_FILE = 500


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def database() -> Iterator[str | None]:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"revcycle_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # PostgreSQL is optional here: say so and stop
        print(f"PostgreSQL: skipped ({type(exc).__name__}: {exc})".splitlines()[0])
        admin.dispose()
        yield None
        return
    try:
        yield PG_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# ---- 1. overhead per job ----------------------------------------------------------------------


def overhead(url: str, n: int = NOOP_JOBS) -> tuple[float, float]:
    """(ms to defer one job, ms to run one no-op job) on ``url``'s database."""
    from tests.integration.fleet import NOW, npi_of, tin_of

    from revcycle.db.engine import open_engine
    from revcycle.db.uow import SqlUnitOfWorkFactory
    from revcycle.services import jobs, setup
    from revcycle.services.clock import FixedClock
    from revcycle.services.context import Context
    from revcycle.services.ports import ClearinghouseMailbox

    clock = FixedClock(NOW)
    engine = open_engine(url)
    ctx = Context.operator("bench", clock, SqlUnitOfWorkFactory(engine, clock))
    practice = setup.create_practice(
        ctx,
        {
            "legal_name": "Queue Bench",
            "tin": tin_of(90),
            "group_npi": npi_of(90),
            "taxonomy": "207Q00000X",
            "billing_address": {
                "line1": "1 Main St",
                "city": "Springfield",
                "state": "IL",
                "zip": "627011234",
            },
            "phone": "2175550100",
        },
    )
    ctx = ctx.with_practice(practice.id or 0)
    t0 = time.perf_counter()
    for i in range(n):
        with ctx.uow() as uow:
            jobs.enqueue(uow, "submission.transmit", {"submission_id": i})
            uow.commit()
    t1 = time.perf_counter()

    def noop(env: jobs.JobEnv, job: object) -> None:
        return None

    noops = {kind: noop for kind in jobs.KINDS}
    original = jobs.handlers
    jobs.handlers = lambda: noops  # type: ignore[assignment]  (the runner's handlers: no-ops)
    try:
        done = jobs.run_pending(
            lambda pid: ctx,
            mailbox=cast(ClearinghouseMailbox, object()),  # never used by the no-op
            practice_id=ctx.practice_id,
            kinds=["submission.transmit"],
            limit=n + 1,
        )
    finally:
        jobs.handlers = original  # type: ignore[assignment]
    t2 = time.perf_counter()
    assert len(done) == n and all(o.state == "done" for o in done), len(done)
    engine.dispose()
    return (t1 - t0) * 1000 / n, (t2 - t1) * 1000 / n


# ---- 2. pipeline throughput -------------------------------------------------------------------


def _env() -> dict[str, str]:
    from tests.integration.fleet import NOW

    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "REVCYCLE_CLOCK": NOW.isoformat(),
    }


def _wait(done: Callable[[], bool], interval: float = 0.2) -> None:
    while not done():
        time.sleep(interval)


def pipeline(url: str, workers: int, claims: int = CLAIMS, practices: int = PRACTICES) -> float:
    from sqlalchemy import text
    from tests.integration.fleet import NOW, submitter_of

    from revcycle.db.engine import open_engine
    from revcycle.db.uow import SqlUnitOfWorkFactory
    from revcycle.payer.config import load_config
    from revcycle.payer.mailboxes import ClearinghouseMailboxes
    from revcycle.payer.simulator import Simulator
    from revcycle.services import jobs
    from revcycle.services.clock import FixedClock
    from revcycle.services.context import Context

    engine = open_engine(url)
    clock = FixedClock(NOW)
    ctx = Context.operator("bench", clock, SqlUnitOfWorkFactory(engine, clock))

    def count(sql: str) -> int:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one() or 0)

    def idle() -> bool:
        return (
            count("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo','doing')") == 0
        )

    t0 = time.perf_counter()
    makers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.integration.fleet",
                url,
                str(i),
                str(claims // practices),
            ],
            cwd=ROOT,
            env=_env(),
            stdout=subprocess.PIPE,
        )
        for i in range(practices)
    ]
    ids = [int(m.communicate()[0].decode().split()[-1]) for m in makers]
    n = count("SELECT count(*) FROM claims")
    progress(f"  {n:,} ready claims of {practices} practices in {time.perf_counter() - t0:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "clearinghouse"
        boxes = ClearinghouseMailboxes(root)
        for i in range(practices):
            boxes.register(submitter_of(i))
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "revcycle.cli.main",
                    "worker",
                    "--db",
                    url,
                    "--mailbox-root",
                    str(root),
                    "--concurrency",
                    "1",
                ],
                cwd=ROOT,
                env=_env(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        try:
            _wait(lambda: count("SELECT count(*) FROM procrastinate_workers") == workers)
            t_send = time.perf_counter()
            for pid in ids:
                with ctx.with_practice(pid).uow() as uow:
                    jobs.enqueue(uow, "submission.batch", {"max_claims_per_file": PER_FILE})
                    uow.commit()
            _wait(lambda: idle() and count("SELECT count(*) FROM claims WHERE status='ready'") == 0)
            t_sent = time.perf_counter()
            sim = Simulator(
                Path(tmp) / "sim", boxes, lambda: NOW, seed=3, config=load_config().with_delays(1)
            )
            try:
                sim.process_uploads(NOW)
                sim.adjudicate(NOW + timedelta(days=7))
            finally:
                sim.close()
            t_post = time.perf_counter()
            for pid in ids:
                with ctx.with_practice(pid).uow() as uow:
                    jobs.enqueue(uow, "inbox.poll", {})
                    uow.commit()
            _wait(
                lambda: (
                    idle()
                    and count("SELECT count(*) FROM inbound_files WHERE state = 'received'") == 0
                    and count("SELECT count(*) FROM inbound_files") > 0
                )
            )
            t_end = time.perf_counter()
        finally:
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                p.wait(timeout=120)
    posted = count(
        "SELECT count(DISTINCT claim_id) FROM journal_entries WHERE kind = 'insurance_payment'"
    )
    failed = count("SELECT count(*) FROM procrastinate_jobs WHERE status <> 'succeeded'")
    engine.dispose()
    assert posted == n and failed == 0, (posted, n, failed)
    busy = (t_sent - t_send) + (t_end - t_post)
    print(
        f"{workers} worker(s): {n:,} claims submitted and posted in {busy:.1f} s = "
        f"{n / busy:,.0f} claims/s (send wave {t_sent - t_send:.1f} s, post wave "
        f"{t_end - t_post:.1f} s; simulator {t_post - t_sent:.1f} s, not counted)",
        flush=True,
    )
    return n / busy


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        defer, run = overhead(f"sqlite:///{tmp}/bench.db")
        print(
            f"SQLite in-process runner: {NOOP_JOBS:,} no-op jobs: defer {defer:.2f} ms/job, "
            f"run {run:.2f} ms/job, total {defer + run:.2f} ms/job",
            flush=True,
        )
    with database() as url:
        if url is None:
            return
        defer, run = overhead(url)
        print(
            f"PostgreSQL procrastinate queue: {NOOP_JOBS:,} no-op jobs: defer {defer:.2f} ms/job, "
            f"run {run:.2f} ms/job (one in-process worker), total {defer + run:.2f} ms/job",
            flush=True,
        )
    rates = {}
    for workers in (1, 2):
        with database() as url:
            assert url is not None
            rates[workers] = pipeline(url, workers)
    print(f"2 workers / 1 worker: {rates[2] / rates[1]:.2f}x", flush=True)


if __name__ == "__main__":
    main()
