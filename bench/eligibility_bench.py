"""Eligibility benchmarks (270/271).

1. Real time over loopback: ``services.eligibility.check`` for 200 requests against the
   simulator's real-time endpoint served by uvicorn on 127.0.0.1 (each: the request built,
   stored and committed, POSTed, the 271 read, stored with its summary and compared with the
   coverage). Target: p95 < 100 ms.
2. Batch: 5,000 appointments of one day, each patient with its own coverage. Timed: the batch
   270 built and stored and put in the filesystem mailbox, and ``inbox.poll`` storing the 271
   file and applying its answers to their requests (target: < 30 s together); the simulator
   answering (999 + one 271 interchange) is timed apart, it is the payer's side. Every request
   must end ``answered``.

Runs on a temporary SQLite file, then on PostgreSQL when it is reachable
(``REVCYCLE_BENCH_POSTGRES_URL``). Sizes: ``REVCYCLE_BENCH_ELIG_REQUESTS``,
``REVCYCLE_BENCH_ELIG_BATCH``.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.claims_bench import PG_URL

REQUESTS = int(os.environ.get("REVCYCLE_BENCH_ELIG_REQUESTS", "200"))
BATCH = int(os.environ.get("REVCYCLE_BENCH_ELIG_BATCH", "5000"))
NOW = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)
DAY = date(2026, 6, 15)
TIN = "123456789"
SUBMITTER = f"RC{TIN}"


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _prepare(url: str, n: int) -> tuple[Any, Any]:
    """A practice with ``n`` SIMPPO patients, one appointment each on ``DAY``."""
    from revcycle.db.eligibility_repo import eligibility_store
    from revcycle.db.engine import open_engine
    from revcycle.db.uow import SqlUnitOfWorkFactory
    from revcycle.services import eligibility, patients, setup
    from revcycle.services.clock import FixedClock
    from revcycle.services.context import Context

    clock = FixedClock(NOW)
    engine = open_engine(url)
    ctx = Context.operator("bench", clock, SqlUnitOfWorkFactory(engine, clock))
    address = {"line1": "1 Main St", "city": "Springfield", "state": "IL", "zip": "627011234"}
    practice = setup.create_practice(
        ctx,
        {"legal_name": "Bench Practice", "tin": TIN, "group_npi": "1234567893",
         "taxonomy": "207Q00000X", "billing_address": address, "phone": "2175550100"},
    )  # fmt: skip
    ctx = ctx.with_practice(practice.id or 0)
    provider = setup.create_provider(
        ctx, {"npi": "1558444216", "first_name": "A", "last_name": "B", "roles": "rendering"}
    )
    payer = setup.create_payer(ctx, {"name": "Acme Health PPO", "payer_id": "SIMPPO"})
    setup.add_plan(ctx, payer.id or 0, {"name": "PPO", "claim_filing_indicator": "12"})
    items = []
    with ctx.uow() as uow:
        for i in range(n):
            p = patients.register_patient_in(
                ctx,
                uow,
                {"mrn": f"E{i}", "last_name": "Pat" + "abcdefghij"[i % 10] * (1 + i // 10 % 5), "first_name": "X",
                 "dob": "1970-01-01", "sex": "F", "address": address},
                True,
            )  # fmt: skip
            patients.add_coverage_in(
                ctx,
                uow,
                p.id or 0,
                {"payer": "SIMPPO", "member_id": f"MEM{i:08d}", "effective": "2026-01-01"},
            )
            items.append(
                eligibility.Appointment(
                    p.id or 0,
                    provider.id or 0,
                    datetime(2026, 6, 15, 8 + i % 9, i % 60),  # noqa: DTZ001 - wall clock
                    (eligibility.PlannedService("99213"),),
                )
            )
        eligibility_store(uow).add_appointments(items)
        uow.commit()
    return ctx, engine


def realtime_bench(kind: str, url: str, n: int = REQUESTS) -> float:
    import uvicorn

    from revcycle.db.eligibility_repo import eligibility_store
    from revcycle.payer.mailboxes import ClearinghouseMailboxes
    from revcycle.payer.realtime import REALTIME_PATH, create_realtime_app
    from revcycle.payer.simulator import Simulator
    from revcycle.services import eligibility
    from revcycle.transport import RealtimeClient, RetryPolicy

    ctx, engine = _prepare(url, min(n, 50))
    with tempfile.TemporaryDirectory() as tmp:
        sim = Simulator(
            Path(tmp) / "state", ClearinghouseMailboxes(Path(tmp) / "ch"), ctx.clock.now
        )
        server = uvicorn.Server(
            uvicorn.Config(
                create_realtime_app(sim.realtime_handler), host="127.0.0.1", port=0,
                lifespan="off", ws="none", log_level="warning",
            )
        )  # fmt: skip
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            thread.join(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        send = RealtimeClient(
            f"http://127.0.0.1:{port}{REALTIME_PATH}", retry=RetryPolicy(attempts=1)
        ).send
        times = []
        try:
            for i in range(n + 5):
                t0 = time.perf_counter()
                outcome = eligibility.check(
                    ctx, f"E{i % min(n, 50)}", send, eligibility_store,
                    service_types=["98"], service_date=DAY,
                )  # fmt: skip
                elapsed = time.perf_counter() - t0
                assert outcome.response is not None and outcome.response.active is True
                if i >= 5:  # the first few warm up imports and connections
                    times.append(elapsed)
        finally:
            server.should_exit = True
            thread.join(5)
            sim.close()
    engine.dispose()
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"{kind}: real-time check over loopback, {len(times)} requests: p50 "
        f"{statistics.median(times) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, max "
        f"{times[-1] * 1000:.1f} ms (target p95 < 100 ms)"
    )
    return p95


def batch_bench(kind: str, url: str, n: int = BATCH) -> float:
    from revcycle.db.eligibility_repo import eligibility_store
    from revcycle.payer.mailboxes import ClearinghouseMailboxes
    from revcycle.payer.simulator import Simulator
    from revcycle.services import eligibility, inbox
    from revcycle.services.context import Context
    from revcycle.transport import open_mailbox

    t0 = time.perf_counter()
    ctx, engine = _prepare(url, n)
    progress(f"{kind}: {n:,} patients with appointments in {time.perf_counter() - t0:.1f} s")

    def factory(pid: int | None) -> Context:
        return Context(pid, ctx.actor, ctx.channel, ctx.permissions, ctx.clock, ctx.uow_factory)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "clearinghouse"
        sim = Simulator(Path(tmp) / "state", ClearinghouseMailboxes(root), ctx.clock.now)
        try:
            with open_mailbox(f"file://{root}?submitter={SUBMITTER}") as mailbox:
                t_start = time.perf_counter()
                sent = eligibility.batch(ctx, mailbox, DAY, eligibility_store)
                t_sent = time.perf_counter()
                sim.process_uploads(ctx.clock.now())
                t_answered = time.perf_counter()
                polled = inbox.poll(factory, mailbox)
                t_end = time.perf_counter()
        finally:
            sim.close()
    assert not polled.failed, polled.failed
    assert len(sent.requests) == n
    with ctx.uow() as uow:
        left = eligibility_store(uow).requests(states=("pending", "failed"), limit=n)
        answered = eligibility_store(uow).requests(states=("answered",), limit=n + 1)
    engine.dispose()
    assert not left and len(answered) == n, (len(left), len(answered))
    total = t_end - t_start
    ours = total - (t_answered - t_sent)
    print(
        f"{kind}: batch of {n:,} 270s: revcycle {ours:.1f} s (target < 30 s; built, stored and "
        f"put {t_sent - t_start:.1f} s, poll + apply 271s {t_end - t_answered:.1f} s), plus the "
        f"simulator answering {t_answered - t_sent:.1f} s = {total:.1f} s"
    )
    return ours


def _both(kind: str, url_factory: Any) -> None:
    realtime_bench(kind, url_factory("rt"))
    batch_bench(kind, url_factory("batch"))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _both("SQLite", lambda tag: f"sqlite:///{tmp}/{tag}.db")
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    names: list[str] = []

    def pg(tag: str) -> str:
        name = f"revcycle_bench_{tag}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        names.append(name)
        return PG_URL.rsplit("/", 1)[0] + f"/{name}"

    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # PostgreSQL is optional here: say so and stop
        print(f"PostgreSQL: skipped ({type(exc).__name__}: {exc})".splitlines()[0])
        admin.dispose()
        return
    try:
        _both("PostgreSQL", pg)
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
