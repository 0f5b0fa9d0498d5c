"""Claim status benchmark: a batch sweep of 2,000 quiet claims, 276 out and 277 applied.

Not timed: entering and submitting the claims, the simulator accepting them (999 + 277CA
applied, every claim ``accepted``), then 31 days passing without a remittance. Timed:
``services.claim_status.sweep`` in batch (the due claims found, one 276 interchange built and
stored with an inquiry per claim, put in the filesystem mailbox), the simulator answering it
(999 + one 277), and ``services.inbox.poll`` applying the 277 (an answer, a history event and a
``claim_responses`` row per claim). Every inquiry must end ``answered``. Runs on a temporary
SQLite file, then on PostgreSQL when it is reachable (``REVCYCLE_BENCH_POSTGRES_URL``).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.claims_bench import PG_URL
from bench.submit_bench import SUBMITTER, _prepare

N = int(os.environ.get("REVCYCLE_BENCH_STATUS_CLAIMS", "2000"))


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def status_bench(kind: str, url: str, n: int = N) -> float:
    from revcycle.db.claim_status_repo import status_store
    from revcycle.payer.mailboxes import ClearinghouseMailboxes
    from revcycle.payer.simulator import Simulator
    from revcycle.services import claim_status, inbox, submission
    from revcycle.services.context import Context
    from revcycle.transport import open_mailbox

    t0 = time.perf_counter()
    ctx, engine, _ = _prepare(url, n)

    def factory(pid: int | None) -> Context:
        return Context(pid, ctx.actor, ctx.channel, ctx.permissions, ctx.clock, ctx.uow_factory)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "clearinghouse"
        sim = Simulator(Path(tmp) / "sim-state", ClearinghouseMailboxes(root), ctx.clock.now, 6)
        try:
            with open_mailbox(f"file://{root}?submitter={SUBMITTER}") as mailbox:
                submission.submit(ctx, mailbox)
                sim.process_uploads(ctx.clock.now())
                inbox.poll(factory, mailbox)
                ctx.clock.advance(timedelta(days=31))  # type: ignore[attr-defined]
                progress(
                    f"{kind}: {n:,} claims accepted and quiet in "
                    f"{time.perf_counter() - t0:.1f} s (not timed)"
                )
                t_start = time.perf_counter()
                swept = claim_status.sweep(ctx, store=status_store, mailbox=mailbox)
                t_swept = time.perf_counter()
                sim.process_uploads(ctx.clock.now())
                t_answered = time.perf_counter()
                polled = inbox.poll(factory, mailbox)
                t_end = time.perf_counter()
        finally:
            sim.close()
    assert not polled.failed, polled.failed
    assert len(swept.asked) == n, (len(swept.asked), n)
    with ctx.uow() as uow:
        pending = status_store(uow).inquiries(state="pending", limit=n)
        answered = status_store(uow).inquiries(state="answered", limit=n + 1)
    engine.dispose()
    assert not pending and len(answered) == n, (len(pending), len(answered))
    total = t_end - t_start
    print(
        f"{kind}: status sweep of {n:,} quiet claims in batch in {total:.1f} s "
        f"= {n / total:,.0f} claims/s (276 built and put {t_swept - t_start:.1f} s, simulator "
        f"{t_answered - t_swept:.1f} s, poll + apply 277 {t_end - t_answered:.1f} s)"
    )
    return total


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        status_bench("SQLite", f"sqlite:///{tmp}/bench.db")
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"revcycle_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # PostgreSQL is optional here: say so and stop
        print(f"PostgreSQL: skipped ({type(exc).__name__}: {exc})".splitlines()[0])
        admin.dispose()
        return
    try:
        status_bench("PostgreSQL", PG_URL.rsplit("/", 1)[0] + f"/{name}")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
