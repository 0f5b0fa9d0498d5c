"""Three ``revcycle worker`` processes share the PostgreSQL queue: 10,000 claims submitted
through the simulator's mailbox and their remittances posted, one worker killed (SIGKILL) in
the middle of a job. Every claim is submitted once and received by the clearinghouse once,
every 835 is posted once, and the ledger balances.

The work comes in two waves, as in a day of billing: the submission jobs (one
``submission.batch`` per practice, which records a ``submission.transmit`` job per 837), then,
once the simulator has answered and adjudicated, one ``inbox.poll`` per practice (which records
an ``inbox.apply`` per response file and an ``era.post`` per 835). Worker 0 is killed while it
runs a job of the first wave; another worker puts that job back once its heartbeats stop, and
the job runs again (handlers are idempotent).

The size comes from ``REVCYCLE_TEST_FLEET_CLAIMS`` (default 10,000), spread over two practices
prepared side by side in two processes. PostgreSQL only: on SQLite the jobs run in process
(``tests/integration/test_submission.py`` covers that runner).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from revcycle.db.engine import make_engine
from revcycle.db.uow import SqlUnitOfWorkFactory
from revcycle.payer.config import load_config
from revcycle.payer.mailboxes import ClearinghouseMailboxes
from revcycle.payer.simulator import Simulator
from revcycle.services import jobs
from revcycle.services.clock import FixedClock
from revcycle.services.context import Context
from revcycle.x12.reader import read_segments
from tests.integration.fleet import NOW, submitter_of

N = int(os.environ.get("REVCYCLE_TEST_FLEET_CLAIMS", "10000"))
PRACTICES = 2
REPO = Path(__file__).parents[2]
WORKERS = "SELECT count(*) FROM procrastinate_workers"
DEADLINE = 600.0  # seconds any one wait may take before the test gives up (not a timing check)


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
        "REVCYCLE_CLOCK": NOW.isoformat(),
    }


def _wait(what: str, done, interval: float = 0.2) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while not done():
        if time.monotonic() - started > DEADLINE:
            pytest.fail(f"gave up waiting: {what}")
        time.sleep(interval)


def _scalar(engine: Engine, sql: str, **params: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one() or 0)


def _start_worker(url: str, root: Path, log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "revcycle.cli.main", "worker", "--db", url,
        "--mailbox-root", str(root), "--concurrency", "2",
        "--heartbeat", "1", "--stalled-after", "5",
    ]  # fmt: skip
    with log.open("wb") as err:  # the worker keeps its own copy of the file
        return subprocess.Popen(
            command, cwd=REPO, env=_env(), stdout=subprocess.DEVNULL, stderr=err
        )


def _queue_idle(engine: Engine) -> bool:
    return (
        _scalar(engine, "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo','doing')")
        == 0
    )


def _enqueue(ctx: Context, practice_ids: list[int], kind: str, payload: dict) -> None:  # type: ignore[type-arg]
    for pid in practice_ids:
        with ctx.with_practice(pid).uow() as uow:
            jobs.enqueue(uow, kind, payload)
            uow.commit()


def test_three_workers_submit_and_post_every_claim_once_with_one_killed(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("worker processes share a queue on PostgreSQL only (SQLite runs in process)")
    engine = make_engine(database_url)
    clock = FixedClock(NOW)
    ctx = Context.operator("tester", clock, SqlUnitOfWorkFactory(engine, clock))
    root = tmp_path / "clearinghouse"
    mailboxes = ClearinghouseMailboxes(root)
    for i in range(PRACTICES):
        mailboxes.register(submitter_of(i))

    started = time.monotonic()
    makers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.integration.fleet",
                database_url,
                str(i),
                str(N // PRACTICES + (1 if i < N % PRACTICES else 0)),
            ],
            cwd=REPO,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(PRACTICES)
    ]
    practice_ids = []
    for m in makers:
        out, err = m.communicate(timeout=DEADLINE)
        assert m.returncode == 0, err.decode()[-3000:]
        practice_ids.append(int(out.decode().split()[-1]))
    with engine.connect() as conn:
        claim_ids = dict(conn.execute(text("SELECT id, patient_control_number FROM claims")).all())
    assert len(claim_ids) == N

    print(f"\n{N:,} ready claims in {time.monotonic() - started:.1f} s")  # (shown with -s)
    logs = [tmp_path / f"worker{i}.log" for i in range(3)]
    workers = [_start_worker(database_url, root, logs[0])]
    try:
        _wait("worker 0 registered", lambda: _scalar(engine, WORKERS) == 1)
        first_worker = _scalar(engine, "SELECT max(id) FROM procrastinate_workers")
        workers += [_start_worker(database_url, root, logs[i]) for i in (1, 2)]

        # wave 1: batch and send every ready claim, 1,000 claims per 837
        wave = time.monotonic()
        _enqueue(ctx, practice_ids, "submission.batch", {"max_claims_per_file": 1000})
        _wait(
            "worker 0 running a job",
            lambda: (
                _scalar(
                    engine,
                    "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing' AND worker_id = :w",
                    w=first_worker,
                )
                > 0
            ),
            interval=0.05,
        )
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait()
        _wait(
            "every claim submitted",
            lambda: (
                _queue_idle(engine)
                and _scalar(engine, "SELECT count(*) FROM claims WHERE status = 'submitted'") == N
            ),
            interval=0.5,
        )

        print(f"wave 1 (submit) {time.monotonic() - wave:.1f} s")
        # the clearinghouse answers (999, 277CA) and the payer pays (835) a week later
        sim = Simulator(
            tmp_path / "sim-state", mailboxes, lambda: NOW, seed=11,
            config=load_config().with_delays(1),
        )  # fmt: skip
        try:
            sim.process_uploads(NOW)
            sim.adjudicate(NOW + timedelta(days=7))
        finally:
            sim.close()

        # wave 2: fetch, apply and post every response
        wave = time.monotonic()
        _enqueue(ctx, practice_ids, "inbox.poll", {})
        _wait(
            "every response applied and every 835 posted",
            lambda: (
                _queue_idle(engine)
                and _scalar(engine, "SELECT count(*) FROM inbound_files WHERE state = 'received'")
                == 0
                and _scalar(engine, "SELECT count(*) FROM inbound_files") > 0
            ),
            interval=0.5,
        )
        print(f"wave 2 (apply and post) {time.monotonic() - wave:.1f} s")
    finally:
        for w in workers:
            if w.poll() is None:
                w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(timeout=60)
            except subprocess.TimeoutExpired:
                w.kill()
    for w in workers[1:]:
        assert w.returncode == 0, logs[workers.index(w)].read_text()[-3000:]

    with engine.connect() as conn:
        # the killed worker's job was put back by another worker and ran again
        lost = conn.execute(
            text("SELECT count(*) FROM job_attempts WHERE error LIKE 'WorkerLost%'")
        ).scalar_one()
        assert lost >= 1
        states = dict(
            conn.execute(
                text("SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY status")
            ).all()
        )
        assert set(states) == {"succeeded"}, states

        # every claim in exactly one submission, and the clearinghouse got each claim once
        per_claim = Counter(
            r[0] for r in conn.execute(text("SELECT claim_id FROM submission_claims"))
        )
        assert set(per_claim) == set(claim_ids) and set(per_claim.values()) == {1}
        received: Counter[str] = Counter()
        for f in (root / ".received").rglob("*.x12"):
            received.update(seg[1] for seg in read_segments(f.read_bytes()) if seg[0] == "CLM")
        assert set(received) == set(claim_ids.values())
        assert set(received.values()) == {1}
        history = conn.execute(
            text(
                "SELECT claim_id, count(*) FROM claim_history WHERE to_status = 'submitted' "
                "GROUP BY claim_id HAVING count(*) <> 1"
            )
        ).all()
        assert history == []

        # every response applied (none taken for another practice's); every 835 posted once;
        # no claim paid twice; the ledger balances
        files = dict(
            conn.execute(text("SELECT state, count(*) FROM inbound_files GROUP BY state")).all()
        )
        assert set(files) == {"applied"}, files
        files_835 = conn.execute(
            text("SELECT count(*) FROM inbound_files WHERE kind = '835'")
        ).scalar_one()
        posted = conn.execute(
            text("SELECT status, count(*) FROM era_postings GROUP BY status")
        ).all()
        assert files_835 >= PRACTICES and posted == [("posted", files_835)]
        paid_twice = conn.execute(
            text(
                "SELECT practice_id, claim_id, kind, count(*) FROM journal_entries "
                "WHERE kind IN ('charge', 'insurance_payment') "
                "GROUP BY practice_id, claim_id, kind HAVING count(*) > 1"
            )
        ).all()
        assert paid_twice == []
        paid = conn.execute(
            text(
                "SELECT count(DISTINCT claim_id) FROM journal_entries "
                "WHERE kind = 'insurance_payment'"
            )
        ).scalar_one()
        assert paid == N
        assert conn.execute(text("SELECT coalesce(sum(amount), 0) FROM postings")).scalar_one() == 0
        unbalanced = conn.execute(
            text(
                "SELECT practice_id, entry_id FROM postings GROUP BY practice_id, entry_id "
                "HAVING sum(amount) <> 0"
            )
        ).all()
        assert unbalanced == []
    engine.dispose()
