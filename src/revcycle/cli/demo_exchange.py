"""The demo's payer simulator in a process of its own, its work overlapping revcycle's.

In production the clearinghouse and payers are another process; in the demo
(:mod:`revcycle.cli.demo_cmd`) they used to run in the demo's own, serially with revcycle's
work, while the machine's second core waited. :class:`SimulatorProcess` starts the simulator
(:class:`~revcycle.payer.simulator.Simulator`, one state for the whole run) in a child process
and drives it with commands:

- ``step(now, on_delivered)``: the child answers the pending uploads and adjudicates up to
  ``now`` (``Simulator.step``); while it works it reports each response file it delivered and
  ``on_delivered`` is called with the names delivered so far (the parent fetches and applies
  them meanwhile);
- ``serving(now)``: a context in which the child answers uploads as they land, as received at
  ``now``, while revcycle builds and sends the next file (:class:`AnnouncingMailbox` tells the
  child each name it puts); the next ``step`` finishes the rest.

Invariants (the demo's output is byte-identical to answering everything in one process):

- uploads are answered in the order ``Simulator.process_uploads`` takes them (upload time,
  submitter, name): while serving, the child answers only announced uploads older than the
  newest announced one (a later upload can never sort before them), the rest at the step;
- response files are fetched in the mailbox's list order: :class:`ReleasedMailbox` lists only
  the files the child reported delivered (a listing taken while files are being written could
  show a file without the one written before it); the caller polls the whole mailbox once more
  after the step is done;
- the child is started with ``spawn`` (it shares none of the parent's open connections); a
  failure in it raises :class:`SimulatorProcessError` in the parent with the child's traceback,
  a child that dies is noticed within a second, and ``close`` (always called, in a ``finally``)
  stops it, by force when it does not answer.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import queue
import traceback
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from revcycle.domain.errors import RevcycleError
from revcycle.payer.mailboxes import ClearinghouseMailboxes, Upload

WAIT = 1.0  # seconds between checks that the child is alive while waiting for it
STOP_WAIT = 10.0  # seconds ``close`` waits for the child to end before terminating it


class SimulatorProcessError(RevcycleError):
    """The simulator's process failed (the message names the command and carries the child's
    traceback) or ended without being asked to."""

    code = "demo_simulator_process_failed"


# ---- the parent's side of the mailbox -------------------------------------------------------


class AnnouncingMailbox:
    """The practice's mailbox, telling ``announce`` the name of every file it puts (when set)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.announce: Callable[[str], None] | None = None

    def put(self, name: str, data: bytes) -> None:
        self.inner.put(name, data)
        if self.announce is not None:
            self.announce(name)

    def list_outbound(self) -> Sequence[Any]:
        return list(self.inner.list_outbound())

    def list_inbound(self) -> Sequence[Any]:
        return list(self.inner.list_inbound())

    def fetch(self, name: str) -> bytes:
        return bytes(self.inner.fetch(name))

    def acknowledge(self, name: str) -> None:
        self.inner.acknowledge(name)

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:  # anything else the transport offers
        return getattr(self.inner, name)


class ReleasedMailbox:
    """A view of ``inner`` listing only inbound files named in ``released`` (those the
    simulator reported complete), in ``inner``'s list order."""

    def __init__(self, inner: Any, released: set[str]) -> None:
        self.inner = inner
        self.released = released

    def put(self, name: str, data: bytes) -> None:
        self.inner.put(name, data)

    def list_outbound(self) -> Sequence[Any]:
        return list(self.inner.list_outbound())

    def list_inbound(self) -> Sequence[Any]:
        return [e for e in self.inner.list_inbound() if e.name in self.released]

    def fetch(self, name: str) -> bytes:
        return bytes(self.inner.fetch(name))

    def acknowledge(self, name: str) -> None:
        self.inner.acknowledge(name)
        self.released.discard(name)


# ---- the child --------------------------------------------------------------------------------


class _ChildMailboxes(ClearinghouseMailboxes):
    """The clearinghouse's mailboxes as the child works them: every delivery is reported to
    the parent; while serving, only announced uploads are taken, and of those only the ones
    older than the newest announced (a later upload could not sort before them)."""

    def __init__(self, root: Path, report: Callable[[str], None]) -> None:
        super().__init__(root)
        self.report = report
        self.announced: set[str] | None = None  # None: not serving, every upload is pending

    def pending_uploads(self, submitter: str | None = None) -> list[Upload]:
        uploads = super().pending_uploads(submitter)
        if self.announced is None:
            return uploads
        mine = [u for u in uploads if u.name in self.announced]
        if not mine:
            return []
        newest = max(u.uploaded_at for u in mine)
        return [u for u in mine if u.uploaded_at < newest]

    def deliver(self, submitter: str, name: str, data: bytes) -> None:
        super().deliver(submitter, name, data)
        self.report(name)


def _child(commands: Any, events: Any, root: str, state_dir: str, seed: int) -> None:
    """The child's loop: one simulator for the run, commands until ``close``."""
    try:
        from revcycle.cli.gc_policy import tune
        from revcycle.payer.config import load_config
        from revcycle.payer.simulator import Simulator

        tune()
        now: list[datetime] = []
        boxes = _ChildMailboxes(Path(root), lambda name: events.put(("delivered", name)))
        sim = Simulator(
            Path(state_dir), boxes, lambda: now[-1], seed, config=load_config()
        )  # fmt: skip
    except BaseException:
        events.put(("error", "start", traceback.format_exc()))
        return
    events.put(("ready",))
    try:
        while True:
            command = commands.get()
            what = command[0]
            if what == "close":
                events.cancel_join_thread()  # the parent reads no more: do not wait on it
                break
            if what in ("upload", "stop"):  # a serve that failed (reported): the rest of it
                continue
            try:
                if what == "step":
                    now.append(command[1])
                    boxes.announced = None
                    uploads, remits = sim.step(command[1])
                    events.put(("done", len(uploads), len(remits)))
                elif what == "serve":
                    now.append(command[1])
                    boxes.announced = {
                        u.name for u in ClearinghouseMailboxes.pending_uploads(boxes)
                    }
                    events.put(("serving",))
                    _serve(sim, boxes, commands, command[1])
                else:
                    raise ValueError(f"unknown command {what!r}")
            except Exception:
                events.put(("error", what, traceback.format_exc()))
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group: the parent stops us
        events.cancel_join_thread()
    finally:
        sim.close()


def _serve(sim: Any, boxes: _ChildMailboxes, commands: Any, now: datetime) -> None:
    """Answer announced uploads as they land (as received at ``now``) until ``stop``."""
    assert boxes.announced is not None
    while True:
        command = commands.get()
        while True:  # every announcement waiting: then answer what may be answered
            if command[0] == "upload":
                boxes.announced.add(command[1])
            elif command[0] == "stop":
                boxes.announced = None
                return
            else:
                raise ValueError(f"{command[0]!r} while serving uploads")
            try:
                command = commands.get_nowait()
            except queue.Empty:
                break
        sim.process_uploads(now)


# ---- the parent's handle ----------------------------------------------------------------------


class SimulatorProcess:
    """The simulator running in a child process over the mailboxes under ``root``."""

    def __init__(self, root: Path, state_dir: Path, seed: int) -> None:
        context = mp.get_context("spawn")
        self._commands: Any = context.Queue()
        self._events: Any = context.Queue()
        self._process = context.Process(
            target=_child,
            args=(self._commands, self._events, str(Path(root).resolve()),
                  str(Path(state_dir).resolve()), seed),
            name="revcycle-demo-simulator",
            daemon=True,  # never outlives the demo, even when close is missed
        )  # fmt: skip
        self._process.start()
        self._started = False
        self._closed = False

    def __enter__(self) -> SimulatorProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def step(
        self, now: datetime, on_delivered: Callable[[set[str]], None] | None = None
    ) -> tuple[int, int]:
        """Answer pending uploads and adjudicate up to ``now`` in the child; meanwhile
        ``on_delivered(released)`` is called whenever files were delivered (``released``: the
        names delivered and not yet acknowledged through a :class:`ReleasedMailbox` over it).
        Returns (uploads answered, 835s written)."""
        self._ready()
        self._commands.put(("step", now))
        released: set[str] = set()
        while True:
            events = self._next_events("step")
            done: tuple[Any, ...] | None = None
            for event in events:
                if event[0] == "delivered":
                    released.add(event[1])
                elif event[0] == "done":
                    done = event
            if done is not None:
                return int(done[1]), int(done[2])
            if released and on_delivered is not None:
                on_delivered(released)

    @contextlib.contextmanager
    def serving(self, now: datetime, mailbox: AnnouncingMailbox) -> Iterator[None]:
        """While inside: the child answers (as received at ``now``) the uploads ``mailbox``
        announces; on leaving the child stops serving (the next ``step`` answers the rest)."""
        self._ready()
        self._commands.put(("serve", now))
        self._expect("serving", "serve")
        mailbox.announce = lambda name: self._commands.put(("upload", name))
        try:
            yield
        finally:
            mailbox.announce = None
            self._commands.put(("stop",))

    def close(self) -> None:
        """Stop the child: asked first, terminated when it does not end (idempotent)."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._process.is_alive():
                self._commands.put(("close",))
                self._process.join(STOP_WAIT)
        finally:
            if self._process.is_alive():
                self._process.terminate()
                self._process.join(STOP_WAIT)
            for q in (self._commands, self._events):
                q.close()
                q.cancel_join_thread()

    # -- receiving ---------------------------------------------------------------------------

    def _ready(self) -> None:
        if self._closed:
            raise SimulatorProcessError("the simulator process is closed")
        if not self._started:
            self._expect("ready", "start")
            self._started = True

    def _expect(self, kind: str, command: str) -> None:
        for event in self._next_events(command):
            if event[0] != kind:
                raise SimulatorProcessError(f"simulator process: {event[0]!r} before {kind!r}")

    def _next_events(self, command: str) -> list[tuple[Any, ...]]:
        """The events waiting (at least one; blocks until then). Raises on an error event or
        when the child has ended."""
        while True:
            try:
                first = self._events.get(timeout=WAIT)
                break
            except queue.Empty:
                if not self._process.is_alive():
                    raise SimulatorProcessError(
                        f"the simulator process ended (exit code {self._process.exitcode}) "
                        f"during {command!r}"
                    ) from None
        events = [first]
        with contextlib.suppress(queue.Empty):
            while True:
                events.append(self._events.get_nowait())
        for event in events:
            if event[0] == "error":
                raise SimulatorProcessError(
                    f"the simulator process failed in {event[1]!r}:\n{event[2]}"
                )
        return events
