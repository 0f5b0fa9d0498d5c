"""Submitting claims: batches stored byte for byte, sent once, marked; crashes at every step
leave a state the next run completes without sending a claim twice. Also the jobs interface.

``Clearinghouse`` here is the clearinghouse side of the mailbox tree answering by hand with
revcycle's X12 writers; the inbox tests use it too.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest

from revcycle.domain.errors import Conflict
from revcycle.domain.money import Money
from revcycle.domain.remittance import ClaimPayment, Payment, RemitParty, Remittance
from revcycle.payer.mailboxes import ClearinghouseMailboxes
from revcycle.services import charges, claims, jobs, submission
from revcycle.services.context import Context
from revcycle.services.ports import SubmissionRecord
from revcycle.services.scrubbing import scrub_claims
from revcycle.services.x12_out import CLEARINGHOUSE_ID
from revcycle.transport import FilesystemMailbox, Mailbox
from revcycle.x12.acks import VERSION_999
from revcycle.x12.control import InMemoryControlNumbers
from revcycle.x12.mapping.ack277 import ClaimAcknowledgment, ClaimStatus, transaction_277ca
from revcycle.x12.mapping.remit835 import transaction_835
from revcycle.x12.reader import read_segments
from revcycle.x12.writer import Envelope, Segment, SegmentWriter, TransactionSet, write_interchange
from tests.conftest import TODAY

SUBMITTER = "RC123456789"  # the test practice's submitter id (RC + TIN)


class Crash(BaseException):
    """Stands for the process dying: not an ``Exception``, so nothing on the way catches it."""


def crash_at(step: str):
    def hook(name: str) -> None:
        if name == step:
            raise Crash(step)

    return hook


def ready_claims(billing, patients: list[int] | None = None) -> list[int]:
    """Enter one office visit per patient, create and scrub the claims: all ``ready``."""
    for patient in patients or [billing.self_pt, billing.child_pt, billing.medicare_pt]:
        charges.enter_charges(billing.ctx, billing.encounter(patient))
    created = claims.create_claims(billing.ctx)
    results = scrub_claims(billing.ctx, [c.id for c in created])
    assert all(r.clean for r in results), [r.findings for r in results]
    return [c.id for c in created]


def ctx_factory(ctx: Context):
    return lambda pid: Context(
        pid, ctx.actor, ctx.channel, ctx.permissions, ctx.clock, ctx.uow_factory
    )


def status_of(ctx: Context, claim_id: int) -> str:
    return claims.get_claim(ctx, claim_id).record.status


@dataclass
class Sent:
    """An 837 interchange as the clearinghouse received it."""

    name: str
    data: bytes
    interchange: int
    group: int
    sets: dict[str, list[str]] = field(default_factory=dict)  # ST02 -> patient control numbers

    @property
    def pcns(self) -> list[str]:
        return [p for ps in self.sets.values() for p in ps]


class Clearinghouse:
    """The other side of the submitter's mailbox, answering with hand-made response files."""

    def __init__(self, root: Path, submitter: str = SUBMITTER) -> None:
        self.boxes = ClearinghouseMailboxes(root)
        self.submitter = submitter
        self.control = InMemoryControlNumbers(start=700)
        self.received: list[Sent] = []
        self.envelope = Envelope(sender_id=CLEARINGHOUSE_ID, receiver_id=submitter)
        self._n = 0

    def take(self) -> list[Sent]:
        out = []
        for upload in self.boxes.pending_uploads(self.submitter):
            data = self.boxes.take(upload)
            sent = Sent(upload.name, data, 0, 0)
            current = ""
            for seg in read_segments(data):
                if seg[0] == "ISA":
                    sent.interchange = int(seg[13])
                elif seg[0] == "GS":
                    sent.group = int(seg[6])
                elif seg[0] == "ST":
                    current = seg[2]
                    sent.sets[current] = []
                elif seg[0] == "CLM":
                    sent.sets[current].append(seg[1])
            out.append(sent)
        self.received += out
        return out

    def times_received(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for sent in self.received:
            for pcn in sent.pcns:
                counts[pcn] = counts.get(pcn, 0) + 1
        return counts

    def deliver(self, suffix: str, text: str) -> str:
        self._n += 1
        name = f"R{self._n:04d}.{suffix}"
        self.boxes.deliver(self.submitter, name, text.encode())
        return name

    def _interchange(self, functional_id: str, ts: TransactionSet) -> str:
        return write_interchange(self.envelope, functional_id, [ts], self.control, TODAY)

    def ack_999(self, sent: Sent, rejected_sets: tuple[str, ...] = ()) -> str:
        segs: list[Segment] = [["AK1", "HC", str(sent.group), "005010X222A1"]]
        for st02 in sent.sets:
            segs.append(["AK2", "837", st02, "005010X222A1"])
            if st02 in rejected_sets:
                segs += [
                    ["IK3", "NM1", "8", "2010", "8"],
                    ["IK4", ["9"], "67", "7", "BAD ID"],
                    ["IK5", "R", "5"],
                ]
            else:
                segs.append(["IK5", "A"])
        n, ok = len(sent.sets), len(sent.sets) - len(rejected_sets)
        code = "A" if ok == n else ("R" if ok == 0 else "P")
        segs.append(["AK9", code, str(n), str(n), str(ok)])
        return self.deliver(
            "999", self._interchange("FA", TransactionSet("999", VERSION_999, segs))
        )

    def ta1(self, sent: Sent, status: str = "R", note: str = "024") -> str:
        w = SegmentWriter()
        n = self.control.next(self.envelope.partner, "interchange")
        head: Segment = [
            "ISA", "00", " " * 10, "00", " " * 10, "ZZ", CLEARINGHOUSE_ID.ljust(15), "ZZ",
            self.submitter.ljust(15), "260615", "1430", "^", "00501", f"{n:09d}", "0", "T", ":",
        ]  # fmt: skip
        text = (
            w.segment(head)
            + w.segment(["TA1", f"{sent.interchange:09d}", "260615", "1430", status, note])
            + w.segment(["IEA", "0", f"{n:09d}"])
        )
        return self.deliver("ta1", text)

    def ack_277(self, statuses: dict[str, tuple[str, str, str]]) -> str:
        """``statuses``: PCN -> (category, status code, payer claim number)."""
        day = TODAY.date()
        ack = ClaimAcknowledgment(
            "ACME HEALTH PPO", "SIMPPO", "TEST FAMILY PRACTICE", self.submitter,
            "TEST FAMILY PRACTICE", "1234567893", day, day, "0001",
            tuple(
                ClaimStatus(pcn, cat, code, day, Money("120.00"), "RIVERA", "ANA", "W100", icn,
                            date(2026, 6, 1), entity="" if cat in ("A1", "A2") else "85")
                for pcn, (cat, code, icn) in statuses.items()
            ),
        )  # fmt: skip
        return self.deliver("277", self._interchange("HN", transaction_277ca(ack)))

    def remit(self, payments: list[ClaimPayment], trace: str = "EFT0001") -> str:
        r = Remittance(
            payment=Payment(
                Money.sum(c.paid for c in payments), "ACH", date=TODAY.date(),
                trace_number=trace, payer_identifier="1234567890",
            ),
            payer=RemitParty("ACME HEALTH PPO", "SIMPPO", "XV", "1 PAYER WAY", "CHICAGO", "IL",
                             "60601"),
            payee=RemitParty("TEST FAMILY PRACTICE", "1234567893", "XX", tax_id="123456789"),
            claims=tuple(payments),
        )  # fmt: skip
        return self.deliver("835", self._interchange("HP", transaction_835(r)))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "clearinghouse"


@pytest.fixture
def mailbox(root: Path):
    with FilesystemMailbox(root, SUBMITTER) as box:
        yield box


@pytest.fixture
def clearinghouse(root: Path, mailbox: Mailbox) -> Clearinghouse:
    return Clearinghouse(root)


def stored(ctx: Context) -> list[SubmissionRecord]:
    with ctx.uow() as uow:
        return list(uow.submissions.list())


# ---- submitting ---------------------------------------------------------------------------


def test_ready_claims_go_out_in_one_file_stored_byte_for_byte(billing, mailbox, clearinghouse):
    ids = ready_claims(billing)
    result = submission.submit(billing.ctx, mailbox)
    [batch] = result.batches
    assert batch.state == "done" and batch.kind == "P" and len(batch.claim_ids) == 3
    [sent] = clearinghouse.take()
    [record] = stored(billing.ctx)
    assert sent.data == record.content and sent.name == record.file_name
    assert hashlib.sha256(sent.data).hexdigest() == record.sha256
    assert record.interchange_control_number == sent.interchange
    assert record.group_control_number == sent.group
    assert record.set_control_numbers == tuple(sent.sets)
    assert record.state == "done" and record.total_charge == Money("360.00")
    assert sorted(sent.pcns) == sorted(batch.patient_control_numbers)
    for claim_id in ids:
        detail = claims.get_claim(billing.ctx, claim_id)
        assert detail.record.status == "submitted"
        assert detail.history[-1].reason == (
            f"sent in {record.file_name} (ISA13 {record.interchange_control_number:09d})"
        )
    again = submission.submit(billing.ctx, mailbox)
    assert again.batches == [] and clearinghouse.take() == []


def test_dry_run_builds_files_but_stores_and_sends_nothing(billing, mailbox, clearinghouse):
    ids = ready_claims(billing)
    result = submission.submit(billing.ctx, mailbox, dry_run=True)
    assert result.dry_run and result.claim_count == 3 and result.batches[0].submission_id is None
    assert stored(billing.ctx) == [] and mailbox.list_outbound() == []
    assert {status_of(billing.ctx, i) for i in ids} == {"ready"}


def test_size_limit_and_payer_filter_shape_the_batches(billing, mailbox, clearinghouse):
    ids = ready_claims(billing)
    only_mcr = submission.submit(billing.ctx, mailbox, payer="SIMMCR")
    assert [len(b.claim_ids) for b in only_mcr.batches] == [1]
    assert status_of(billing.ctx, ids[2]) == "submitted"
    rest = submission.submit(billing.ctx, mailbox, max_claims_per_file=1)
    assert [len(b.claim_ids) for b in rest.batches] == [1, 1]
    sent = clearinghouse.take()
    assert len(sent) == 3 and len({s.interchange for s in sent}) == 3
    assert clearinghouse.times_received() == {
        claims.get_claim(billing.ctx, i).record.patient_control_number: 1 for i in ids
    }


def test_a_claim_in_flight_cannot_join_another_batch(billing):
    [claim_id] = ready_claims(billing, [billing.self_pt])
    record = SubmissionRecord(
        "default", "P", "f1.x12", SUBMITTER, CLEARINGHOUSE_ID, 1, 1, ("0001",), "0" * 64, b"x", 1,
        Money("120.00"), "test",
    )  # fmt: skip
    with billing.ctx.uow() as uow:
        uow.submissions.add(record, [(claim_id, "P", "0001")])
        with pytest.raises(Conflict):
            uow.submissions.add(
                SubmissionRecord(**{**_fields(record), "file_name": "f2.x12"}),
                [(claim_id, "P", "0001")],
            )
    with billing.ctx.uow() as uow:
        uow.submissions.add(record, [(claim_id, "P", "0001")])
        uow.commit()
    with billing.ctx.uow() as uow:
        assert uow.submissions.ready_claims() == []


def _fields(r: SubmissionRecord) -> dict[str, object]:
    return {name: getattr(r, name) for name in SubmissionRecord.__dataclass_fields__}


# ---- crashes ------------------------------------------------------------------------------


@pytest.mark.parametrize("step", ["before_put", "after_put", "after_transmitted", "after_done"])
def test_crash_at_any_step_is_completed_by_the_next_run_sending_each_claim_once(
    billing, mailbox, clearinghouse, step
):
    ids = ready_claims(billing)
    with pytest.raises(Crash):
        submission.submit(billing.ctx, mailbox, fault=crash_at(step))
    expected_state = {
        "before_put": "prepared",
        "after_put": "prepared",
        "after_transmitted": "transmitted",
        "after_done": "done",
    }[step]
    [record] = stored(billing.ctx)
    assert record.state == expected_state
    in_mailbox = [e.name for e in mailbox.list_outbound()]
    assert in_mailbox == ([] if step == "before_put" else [record.file_name])

    result = submission.submit(billing.ctx, mailbox)
    assert result.batches == []
    assert result.recovered == ([] if step == "after_done" else [record.id])
    assert [s.state for s in stored(billing.ctx)] == ["done"]
    clearinghouse.take()
    assert sorted(clearinghouse.times_received().values()) == [1, 1, 1]
    for claim_id in ids:
        history = claims.get_claim(billing.ctx, claim_id).history
        assert [e.to_status for e in history].count("submitted") == 1


def test_a_response_to_a_file_sent_before_a_crash_completes_it_without_resending(
    billing, mailbox, clearinghouse
):
    from revcycle.services import inbox

    ids = ready_claims(billing)
    with pytest.raises(Crash):
        submission.submit(billing.ctx, mailbox, fault=crash_at("after_put"))
    [sent] = clearinghouse.take()  # taken (and answered) before revcycle runs again
    clearinghouse.ack_999(sent)
    inbox.poll(ctx_factory(billing.ctx), mailbox)
    assert [s.state for s in stored(billing.ctx)] == ["done"]
    assert {status_of(billing.ctx, i) for i in ids} == {"submitted"}
    assert submission.submit(billing.ctx, mailbox).recovered == []
    assert clearinghouse.take() == []


KILLER = textwrap.dedent(
    """
    import os, sys
    from datetime import UTC, datetime
    from revcycle.db.engine import make_engine
    from revcycle.db.uow import SqlUnitOfWorkFactory
    from revcycle.services import submission
    from revcycle.services.clock import FixedClock
    from revcycle.services.context import Context
    from revcycle.transport import FilesystemMailbox

    url, root, practice, step = sys.argv[1:5]
    clock = FixedClock(datetime(2026, 6, 15, 14, 30, tzinfo=UTC))
    ctx = Context.operator("killed", clock, SqlUnitOfWorkFactory(make_engine(url), clock), int(practice))

    def die(name):
        if name == step:
            os._exit(9)

    submission.submit(ctx, FilesystemMailbox(root, "RC123456789"), fault=die)
    """
)


@pytest.mark.parametrize("step", ["after_put", "after_transmitted"])
def test_a_killed_process_leaves_a_state_the_next_run_completes(
    billing, database_url, root, mailbox, clearinghouse, step
):
    ids = ready_claims(billing)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    done = subprocess.run(
        [sys.executable, "-c", KILLER, database_url, str(root), str(billing.ctx.practice_id), step],
        env=env,
        check=False,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 9, done.stderr.decode()[-2000:]
    assert {status_of(billing.ctx, i) for i in ids} == {"ready"}
    result = submission.submit(billing.ctx, mailbox)
    assert len(result.recovered) == 1 and result.batches == []
    clearinghouse.take()
    assert sorted(clearinghouse.times_received().values()) == [1, 1, 1]
    assert {status_of(billing.ctx, i) for i in ids} == {"submitted"}


# ---- jobs ---------------------------------------------------------------------------------


def test_a_job_exists_only_if_the_change_that_caused_it_commits(billing):
    with billing.ctx.uow() as uow:
        jobs.enqueue(uow, "inbox.poll", {})
    with billing.ctx.uow() as uow:
        assert uow.jobs.list() == []
        jobs.enqueue(uow, "inbox.poll", {})
        uow.commit()
    with billing.ctx.uow() as uow:
        [job] = uow.jobs.list()
    assert job.state == "pending" and job.practice_id == billing.ctx.practice_id
    with pytest.raises(jobs.UnknownJobKind), billing.ctx.uow() as uow:
        jobs.enqueue(uow, "no.such.kind", {})


def test_the_runner_runs_due_jobs_and_retries_failures(billing, mailbox, clearinghouse, clock):
    ready_claims(billing, [billing.self_pt])
    factory = ctx_factory(billing.ctx)
    with billing.ctx.uow() as uow:
        jobs.enqueue(uow, "submission.batch", {"payer": "SIMPPO"})
        jobs.enqueue(uow, "inbox.apply", {"inbound_file_id": 999})  # no such file: fails
        uow.commit()
    # without the mailbox, only the apply job can run
    [first] = jobs.run_pending(factory)
    assert (first.kind, first.state) == ("inbox.apply", "pending") and "not found" in first.error
    pid = billing.ctx.practice_id
    outcomes = jobs.run_pending(factory, mailbox=mailbox, practice_id=pid)
    assert [(o.kind, o.state) for o in outcomes] == [("submission.batch", "done")]
    assert len(clearinghouse.take()) == 1
    with billing.ctx.uow() as uow:  # the batch recorded a transmit job and ran it in process
        assert [(j.kind, j.state) for j in uow.jobs.list(state="done")] == [
            ("submission.batch", "done"),
            ("submission.transmit", "done"),
        ]
    for _ in range(2):
        clock.advance(timedelta(hours=1))
        jobs.run_pending(factory)
    with billing.ctx.uow() as uow:
        states = {j.kind: (j.state, j.attempts) for j in uow.jobs.list()}
    assert states["inbox.apply"] == ("failed", 3)


# ---- command line -------------------------------------------------------------------------


def test_cli_submits_to_the_default_mailbox_and_polls_it(
    billing, database_url, tmp_path, monkeypatch
):
    import json

    import typer
    from typer.testing import CliRunner

    from revcycle.cli import submit_cmds
    from revcycle.cli.common import reset_state

    app = typer.Typer()
    app.command("submit")(submit_cmds.submit)
    app.add_typer(submit_cmds.inbox, name="inbox")
    monkeypatch.chdir(tmp_path)
    ready_claims(billing, [billing.self_pt])
    runner = CliRunner()
    try:
        reset_state(database_url, None)
        dry = runner.invoke(app, ["submit", "--dry-run", "--json"])
        assert dry.exit_code == 0, dry.output
        assert json.loads(dry.stdout)["batches"][0]["state"] == "built"
        sent = runner.invoke(app, ["submit", "--db", database_url])
        assert sent.exit_code == 0, sent.output
        assert "sent 837P-P" in sent.stdout and "1 claims, 120.00 (done)" in sent.stdout
        clearinghouse = Clearinghouse(tmp_path / "clearinghouse")
        [upload] = clearinghouse.take()
        clearinghouse.ack_999(upload)
        polled = runner.invoke(app, ["inbox", "poll", "--json"])
        assert polled.exit_code == 0, polled.output
        assert len(json.loads(polled.stdout)["applied"]) == 1
        listed = runner.invoke(app, ["inbox", "list", "--json"])
        assert [f["kind"] for f in json.loads(listed.stdout)] == ["999"]
    finally:
        reset_state(None, None)
