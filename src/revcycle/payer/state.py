"""The simulator's memory: one SQLite file in its state directory, so restarts keep it.

What it holds: accepted claims (with their ICN, due time, decision and the accumulator amounts
the decision added), member accumulators per payer and plan year, 835 items waiting for their
payment cycle, forward balances per payer and payee, counters (ICNs, file names, EFT traces,
X12 control numbers) and a few settings (seed, background denial rate).

Invariants: counters only grow, so a number (ICN, control number, file name) is never handed
out twice; money is stored as decimal text, never as a float; each public method of the
simulator runs in one transaction (:meth:`SimulatorState.transaction`), so a crash leaves the
state as it was before the step. Claims, decisions and 835 items are kept as the
domain dataclasses in the JSON form of :mod:`revcycle.payer.codec` (which builds only known
types when read back); the state directory is created mode 0700.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from revcycle.domain.claim import Claim
from revcycle.domain.money import Money
from revcycle.domain.remittance import ClaimPayment
from revcycle.payer import codec
from revcycle.payer.adjudication import Accumulators, PriorLine
from revcycle.x12.control import Kind, checked

STATE_FILE = "simulator.sqlite3"
_CACHE_LIMIT = 10_000  # decoded claims and 835 items kept: ~5 KB each, so memory stays bounded

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS claims (
    icn TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    payer_id TEXT NOT NULL,
    submitter TEXT NOT NULL,
    payee_npi TEXT NOT NULL,
    pcn TEXT NOT NULL,
    member_id TEXT NOT NULL,
    received TEXT NOT NULL,
    due TEXT NOT NULL,
    status TEXT NOT NULL,            -- pending, adjudicated, reversed, cancelled
    dup_key TEXT NOT NULL,
    duplicate INTEGER NOT NULL DEFAULT 0,
    replaces TEXT NOT NULL DEFAULT '',
    claim TEXT NOT NULL,
    prior TEXT,                      -- crossover: the primary's lines (PriorLine list)
    member_for_835 TEXT NOT NULL DEFAULT '',
    payment TEXT,
    acc_year INTEGER,
    deductible TEXT,
    oop TEXT
);
CREATE INDEX IF NOT EXISTS claims_due ON claims (status, due, seq);
CREATE INDEX IF NOT EXISTS claims_dup ON claims (dup_key);
CREATE TABLE IF NOT EXISTS accumulators (
    payer_id TEXT NOT NULL, member_id TEXT NOT NULL, year INTEGER NOT NULL,
    deductible_met TEXT NOT NULL, oop_met TEXT NOT NULL,
    PRIMARY KEY (payer_id, member_id, year)
);
CREATE TABLE IF NOT EXISTS remit_items (
    id INTEGER PRIMARY KEY,
    payer_id TEXT NOT NULL, submitter TEXT NOT NULL, payee_npi TEXT NOT NULL,
    cycle TEXT NOT NULL, item TEXT NOT NULL, emitted INTEGER NOT NULL DEFAULT 0,
    icn TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL DEFAULT 'claim'
);
CREATE INDEX IF NOT EXISTS remit_icn ON remit_items (icn, kind);
CREATE INDEX IF NOT EXISTS remit_due ON remit_items (emitted, cycle);
CREATE TABLE IF NOT EXISTS balances (
    payer_id TEXT NOT NULL, submitter TEXT NOT NULL, payee_npi TEXT NOT NULL,
    amount TEXT NOT NULL,
    PRIMARY KEY (payer_id, submitter, payee_npi)
);
CREATE TABLE IF NOT EXISTS responses (
    seq INTEGER PRIMARY KEY, submitter TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
    created TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class StoredClaim:
    icn: str
    payer_id: str
    submitter: str
    payee_npi: str
    member_id: str
    received: datetime
    status: str
    duplicate: bool
    replaces: str
    claim: Claim
    prior: list[PriorLine] | None
    member_for_835: str
    acc_year: int | None
    deductible: Money | None
    oop: Money | None


def _dump(value: object) -> str:
    return codec.dumps(value)


def _load(text: str | None) -> Any:
    return codec.loads(text)


class SimulatorState:
    """The SQLite store under ``state_dir`` (created on first use)."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(self.state_dir, 0o700)
        self.path = self.state_dir / STATE_FILE
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        self._depth = 0
        # values written in this process, so a long-running simulator does not decode them again
        self._claims: dict[str, Claim] = {}
        self._items: dict[int, Any] = {}

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction (nested calls join the outer one)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
        finally:
            self._depth = 0

    # -- settings and counters -----------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def next_value(self, name: str) -> int:
        row = self.db.execute(
            "INSERT INTO counters (name, value) VALUES (?, 1) "
            "ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
            (name,),
        ).fetchone()
        return int(row[0])

    # -- claims --------------------------------------------------------------------------

    def add_claim(
        self,
        *,
        icn: str,
        payer_id: str,
        submitter: str,
        payee_npi: str,
        member_id: str,
        received: datetime,
        due: datetime,
        dup_key: str,
        duplicate: bool,
        replaces: str,
        claim: Claim,
        prior: list[PriorLine] | None = None,
        member_for_835: str = "",
    ) -> None:
        seq = self.next_value("claim-seq")
        self.db.execute(
            "INSERT INTO claims (icn, seq, payer_id, submitter, payee_npi, pcn, member_id, "
            "received, due, status, dup_key, duplicate, replaces, claim, prior, member_for_835) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)",
            (
                icn, seq, payer_id, submitter, payee_npi, claim.patient_control_number,
                member_id, received.isoformat(), due.isoformat(), dup_key, int(duplicate),
                replaces, _dump(claim), _dump(prior) if prior is not None else None,
                member_for_835,
            ),
        )  # fmt: skip
        if len(self._claims) < _CACHE_LIMIT:
            self._claims[icn] = claim

    def has_active_duplicate(self, dup_key: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM claims WHERE dup_key = ? AND status IN ('pending', 'adjudicated') "
            "LIMIT 1",
            (dup_key,),
        ).fetchone()
        return row is not None

    def claim_status(self, icn: str, payer_id: str) -> str | None:
        row = self.db.execute(
            "SELECT status FROM claims WHERE icn = ? AND payer_id = ?", (icn, payer_id)
        ).fetchone()
        return row[0] if row else None

    _COLUMNS = (
        "icn, payer_id, submitter, payee_npi, member_id, received, status, duplicate, "
        "replaces, claim, prior, member_for_835, acc_year, deductible, oop"
    )

    def _stored(self, row: tuple[Any, ...]) -> StoredClaim:
        cached = self._claims.get(row[0])
        return StoredClaim(
            icn=row[0],
            payer_id=row[1],
            submitter=row[2],
            payee_npi=row[3],
            member_id=row[4],
            received=datetime.fromisoformat(row[5]),
            status=row[6],
            duplicate=bool(row[7]),
            replaces=row[8],
            claim=cached if cached is not None else _load(row[9]),
            prior=_load(row[10]),
            member_for_835=row[11],
            acc_year=row[12],
            deductible=Money(row[13]) if row[13] is not None else None,
            oop=Money(row[14]) if row[14] is not None else None,
        )

    def get_claim(self, icn: str) -> StoredClaim | None:
        row = self.db.execute(
            f"SELECT {self._COLUMNS} FROM claims WHERE icn = ?",  # noqa: S608 - fixed columns
            (icn,),
        ).fetchone()
        return self._stored(row) if row else None

    def due_claims(self, now: datetime, limit: int = 1000) -> list[StoredClaim]:
        rows = self.db.execute(
            f"SELECT {self._COLUMNS} FROM claims "  # noqa: S608 - fixed columns
            "WHERE status = 'pending' AND due <= ? ORDER BY due, seq LIMIT ?",
            (now.isoformat(), limit),
        ).fetchall()
        return [self._stored(r) for r in rows]

    def set_status(self, icn: str, status: str) -> None:
        self._claims.pop(icn, None)
        self.db.execute("UPDATE claims SET status = ? WHERE icn = ?", (status, icn))

    def record_decision(self, icn: str, year: int, deductible: Money, oop: Money) -> None:
        """The claim is decided (its 835 claim is the ``claim`` item queued for it)."""
        self._claims.pop(icn, None)
        self.db.execute(
            "UPDATE claims SET status = 'adjudicated', acc_year = ?, deductible = ?, oop = ? "
            "WHERE icn = ?",
            (year, str(deductible), str(oop), icn),
        )

    def decided_payment(self, icn: str) -> ClaimPayment | None:
        """The 835 claim the payer sent for ``icn`` (for reversing it)."""
        row = self.db.execute(
            "SELECT item FROM remit_items WHERE icn = ? AND kind = 'claim' ORDER BY id DESC "
            "LIMIT 1",
            (icn,),
        ).fetchone()
        if row is None:
            return None
        payment: ClaimPayment = _load(row[0]).claim
        return payment

    # -- accumulators --------------------------------------------------------------------

    def accumulators(self, payer_id: str, member_id: str, year: int) -> Accumulators | None:
        row = self.db.execute(
            "SELECT deductible_met, oop_met FROM accumulators "
            "WHERE payer_id = ? AND member_id = ? AND year = ?",
            (payer_id, member_id, year),
        ).fetchone()
        return Accumulators(Money(row[0]), Money(row[1])) if row else None

    def put_accumulators(self, payer_id: str, member_id: str, year: int, a: Accumulators) -> None:
        self.db.execute(
            "INSERT INTO accumulators (payer_id, member_id, year, deductible_met, oop_met) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (payer_id, member_id, year) DO UPDATE SET "
            "deductible_met = excluded.deductible_met, oop_met = excluded.oop_met",
            (payer_id, member_id, year, str(a.deductible_met), str(a.oop_met)),
        )

    # -- 835 items and balances ----------------------------------------------------------

    def add_item(
        self,
        payer_id: str,
        submitter: str,
        payee_npi: str,
        cycle: date,
        item: object,
        icn: str,
        kind: str,
    ) -> None:
        cursor = self.db.execute(
            "INSERT INTO remit_items (payer_id, submitter, payee_npi, cycle, item, icn, kind) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (payer_id, submitter, payee_npi, cycle.isoformat(), _dump(item), icn, kind),
        )
        if cursor.lastrowid is not None and len(self._items) < _CACHE_LIMIT:
            self._items[cursor.lastrowid] = item

    def due_groups(self, today: date) -> list[tuple[str, str, str, date]]:
        """The (payer, submitter, payee, cycle) of the unsent 835 items due by ``today``, by
        cycle, payer, submitter and payee."""
        rows = self.db.execute(
            "SELECT DISTINCT cycle, payer_id, submitter, payee_npi FROM remit_items "
            "WHERE emitted = 0 AND cycle <= ? ORDER BY cycle, payer_id, submitter, payee_npi",
            (today.isoformat(),),
        ).fetchall()
        return [(r[1], r[2], r[3], date.fromisoformat(r[0])) for r in rows]

    def group_items(
        self, payer_id: str, submitter: str, payee_npi: str, cycle: date
    ) -> list[tuple[int, Any]]:
        """The unsent 835 items of one (payer, submitter, payee, cycle), oldest first: one
        835's worth in memory at a time."""
        rows = self.db.execute(
            "SELECT id, item FROM remit_items WHERE emitted = 0 AND cycle = ? AND payer_id = ? "
            "AND submitter = ? AND payee_npi = ? ORDER BY id",
            (cycle.isoformat(), payer_id, submitter, payee_npi),
        ).fetchall()
        items = self._items
        return [(r[0], items.get(r[0]) or _load(r[1])) for r in rows]

    def mark_emitted(self, ids: list[int]) -> None:
        for i in ids:
            self._items.pop(i, None)
        self.db.executemany("UPDATE remit_items SET emitted = 1 WHERE id = ?", [(i,) for i in ids])

    def balance(self, payer_id: str, submitter: str, payee_npi: str) -> Money:
        row = self.db.execute(
            "SELECT amount FROM balances WHERE payer_id = ? AND submitter = ? AND payee_npi = ?",
            (payer_id, submitter, payee_npi),
        ).fetchone()
        return Money(row[0]) if row else Money(0)

    def set_balance(self, payer_id: str, submitter: str, payee_npi: str, amount: Money) -> None:
        self.db.execute(
            "INSERT INTO balances (payer_id, submitter, payee_npi, amount) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (payer_id, submitter, payee_npi) DO UPDATE SET amount = excluded.amount",
            (payer_id, submitter, payee_npi, str(amount)),
        )

    def log_response(self, submitter: str, name: str, kind: str, created: datetime) -> None:
        self.db.execute(
            "INSERT INTO responses (submitter, name, kind, created) VALUES (?, ?, ?, ?)",
            (submitter, name, kind, created.isoformat()),
        )


class StateControlNumbers:
    """X12 control numbers from the state's counters: never reused, also across restarts."""

    def __init__(self, state: SimulatorState) -> None:
        self._state = state

    def next(self, partner: str, kind: Kind) -> int:
        return checked(self._state.next_value(f"control:{partner}:{kind}"), kind)
