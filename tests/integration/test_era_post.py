"""ERA posting on the real databases: an 835 posts its claims' payments, adjustments and
transfers to the ledger once, in one transaction; denials go to the denials queue, PR for a
next payer to the secondary_claims queue; invalid or unbalanced files post nothing."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from revcycle.cli.common import reset_state
from revcycle.cli.era_cmds import era
from revcycle.db.ledger_repo import LedgerRepository, ledger_store
from revcycle.db.ledger_tables import era_postings, journal_entries, postings
from revcycle.db.tables import work_items
from revcycle.domain.ledger import PATIENT, Ledger, Party
from revcycle.domain.money import Money
from revcycle.domain.remittance import (
    ClaimPayment,
    Payment,
    RemitParty,
    Remittance,
    ServicePayment,
)
from revcycle.services import claims, patients
from revcycle.services.era import post_era
from revcycle.services.x12_out import CLEARINGHOUSE_ID
from revcycle.x12.control import InMemoryControlNumbers
from revcycle.x12.mapping.remit835 import transaction_835
from revcycle.x12.writer import Envelope, write_interchange
from tests.conftest import TODAY
from tests.integration.test_inbox import denied, paid_in_full
from tests.integration.test_submission import SUBMITTER, ready_claims

PPO = Party.payer("SIMPPO")


def remit_file(
    payments: list[ClaimPayment], trace: str = "EFT0001", start: int = 700, check: bool = True
) -> bytes:
    """An 835 from SIMPPO; the same ``start`` gives the same control numbers. ``check=False``
    writes what the writer's own validator would refuse (an unbalanced file)."""
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
    envelope = Envelope(sender_id=CLEARINGHOUSE_ID, receiver_id=SUBMITTER)
    control = InMemoryControlNumbers(start=start)
    return write_interchange(
        envelope, "HP", [transaction_835(r)], control, TODAY, check=check
    ).encode()


def unbalanced(pcn: str) -> ClaimPayment:
    """CLP04 says 80.00 but the service line pays 70.00 (and CAS do not close the line)."""
    return ClaimPayment(
        pcn, "1", Money("120.00"), Money("80.00"), None, "12", "ICN0009",
        lines=(ServicePayment("99213", Money("120.00"), Money("70.00"), units=Decimal(1)),),
    )  # fmt: skip


def pcn(ctx, claim_id: int) -> str:
    return claims.get_claim(ctx, claim_id).record.patient_control_number


def post(ctx, content: bytes) -> dict:
    return post_era(ctx, content, ledger=ledger_store)


def ledger_of(engine, practice_id: int, claim_ids: list[int]) -> Ledger:
    """The ledger rebuilt from the database (the in-memory one re-checks every entry)."""
    ledger = Ledger()
    with engine.connect() as conn:
        repo = LedgerRepository(conn)
        for cid in claim_ids:
            ledger.post_all(repo.entries_for_claim(practice_id, str(cid)))
    return ledger


def lines_of(ledger: Ledger, claim_id: str) -> list[tuple[str, str, str]]:
    return [key for key in ledger.lines() if key[1] == claim_id]


def counts(engine) -> tuple[int, ...]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (journal_entries, postings, work_items, era_postings)
        )


def queue(ctx, name: str) -> dict[int, str]:
    with ctx.uow() as uow:
        return {i.target_id: i.reason for i in uow.work_items.list(name)}


@pytest.fixture
def two_claims(billing) -> tuple[list[int], list[str]]:
    ids = ready_claims(billing, [billing.self_pt, billing.child_pt])
    return ids, [pcn(billing.ctx, i) for i in ids]


def test_an_835_posts_payments_adjustments_and_denials(billing, engine, two_claims):
    ctx, (ids, pcns) = billing.ctx, two_claims
    summary = post(ctx, remit_file([paid_in_full(pcns[0], "ICN1"), denied(pcns[1], "ICN2")]))
    assert summary == {
        "status": "posted",
        "claims_matched": 2,
        "claims_unmatched": 0,
        "paid_total": "80.00",
        "adjustments_by_group": {"CO": "140.00", "PR": "20.00", "OA": "0.00", "PI": "0.00"},
        "patient_responsibility": "20.00",
        "provider_adjustments_total": "0.00",
        "denials_created": 1,
        "secondary_claims_created": 0,
        "findings": [],
    }
    ledger = ledger_of(engine, ctx.practice_id, ids)
    assert ledger.check_line_invariants() == []
    [paid_line] = lines_of(ledger, str(ids[0]))
    paid = ledger.line_balance(*paid_line)
    assert (paid.charge, paid.payments, paid.adjustments) == (
        Money("120.00"),
        Money("80.00"),
        Money("20.00"),
    )
    assert {p: m for p, m in paid.open_by_party.items() if m} == {PATIENT: Money("20.00")}
    [denied_line] = lines_of(ledger, str(ids[1]))
    still_open = ledger.line_balance(*denied_line)
    assert still_open.payments == Money.zero() and still_open.adjustments == Money.zero()
    assert {p: m for p, m in still_open.open_by_party.items() if m} == {PPO: Money("120.00")}
    denials = queue(ctx, "denials")
    assert list(denials) == [ids[1]] and "CO-50" in denials[ids[1]]


def test_the_same_835_posted_twice_is_posted_once(billing, engine, two_claims):
    ctx, (ids, pcns) = billing.ctx, two_claims
    content = remit_file([paid_in_full(pcns[0], "ICN1")])
    assert post(ctx, content)["status"] == "posted"
    before = counts(engine)
    assert post(ctx, content)["status"] == "already_posted"
    # same sender, control numbers and trace, different bytes (another claim): still the file
    again = remit_file([paid_in_full(pcns[0], "ICN1"), denied(pcns[1], "ICN2")])
    assert post(ctx, again)["status"] == "already_posted"
    assert counts(engine) == before
    assert ledger_of(engine, ctx.practice_id, ids).check_line_invariants() == []


def test_an_unbalanced_835_is_rejected_and_posts_nothing(billing, engine, two_claims):
    ctx, (_ids, pcns) = billing.ctx, two_claims
    assert post(ctx, remit_file([paid_in_full(pcns[0], "ICN1")]))["status"] == "posted"
    before = counts(engine)
    # same control and trace numbers as the file posted: validation still comes first
    summary = post(ctx, remit_file([unbalanced(pcns[1])], check=False))
    assert summary["status"] == "rejected" and summary["claims_matched"] == 0
    assert summary["findings"] and all(f["severity"] == "error" for f in summary["findings"])
    after = counts(engine)
    assert after[:3] == before[:3]  # no entry, posting or work item
    assert after[3] == before[3] + 1  # the rejected file is recorded, as rejected
    with engine.connect() as conn:
        statuses = conn.execute(select(era_postings.c.status).order_by(era_postings.c.id))
        assert [s for (s,) in statuses] == ["posted", "rejected"]


def test_patient_responsibility_with_a_secondary_goes_to_the_secondary_queue(billing, engine):
    ctx = billing.ctx
    patients.add_coverage(
        ctx,
        billing.self_pt,
        {
            "payer": "SIMHMO",
            "member_id": "H900",
            "order": "secondary",
            "effective": "2026-01-01",
        },
    )
    [cid] = ready_claims(billing, [billing.self_pt])
    summary = post(ctx, remit_file([paid_in_full(pcn(ctx, cid), "ICN1")]))
    assert summary["secondary_claims_created"] == 1 and summary["patient_responsibility"] == "0.00"
    [line] = lines_of(ledger_of(engine, ctx.practice_id, [cid]), str(cid))
    balance = ledger_of(engine, ctx.practice_id, [cid]).line_balance(*line)
    assert {p: m for p, m in balance.open_by_party.items() if m} == {
        Party.payer("SIMHMO"): Money("20.00")
    }
    assert "SIMHMO" in queue(ctx, "secondary_claims")[cid]


def test_era_post_from_the_command_line(billing, database_url, monkeypatch, tmp_path, two_claims):
    _ids, pcns = two_claims
    monkeypatch.setenv("REVCYCLE_CLOCK", "2026-06-15T12:00:00+00:00")
    app = typer.Typer()
    app.add_typer(era, name="era")
    good, bad = tmp_path / "good.835", tmp_path / "bad.835"
    good.write_bytes(remit_file([paid_in_full(pcns[0], "ICN1")]))
    bad.write_bytes(remit_file([unbalanced(pcns[1])], trace="EFT0002", start=900, check=False))
    runner = CliRunner()

    def run(path, code):
        reset_state(database_url, None)
        result = runner.invoke(app, ["era", "post", str(path), "--json", "--db", database_url])
        assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
        return json.loads(result.stdout)

    assert run(good, 0)["paid_total"] == "80.00"
    assert run(good, 0)["status"] == "already_posted"
    assert run(bad, 1)["status"] == "rejected"
    reset_state(None, None)


class Crash(Exception):
    pass


def test_a_crash_before_the_file_is_recorded_leaves_nothing_posted(billing, engine, two_claims):
    ctx, (_ids, pcns) = billing.ctx, two_claims
    before = counts(engine)

    def crashing_store(uow):
        store = ledger_store(uow)

        def record_file(*args, **kwargs):
            raise Crash  # after the entries and work items were written, before commit

        store.record_file = record_file  # type: ignore[method-assign]
        return store

    content = remit_file([paid_in_full(pcns[0], "ICN1"), denied(pcns[1], "ICN2")])
    with pytest.raises(Crash):
        post_era(ctx, content, ledger=crashing_store)
    assert counts(engine) == before
    assert post(ctx, content)["status"] == "posted"  # and the file can be posted afterwards
