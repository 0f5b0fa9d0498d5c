"""Denials worked end to end with the payer simulator: the claim goes out over the
clearinghouse mailbox, the 835 denies it, the denial is recorded, worked, and the payer's next
answer settles it.

- denied for a missing modifier (NCCI, CO-97) -> corrected claim (frequency 7, modifier 59)
  -> paid;
- denied for medical necessity (CO-50) -> appeal letter with the records attached -> sent ->
  overturned on the payer's next cycle (reversal + payment in one 835);
- a Medicare Part B claim is corrected through a reopening request, not a frequency 7.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from revcycle.codesets import default_codesets
from revcycle.codesets.ncci import load_ptp_file
from revcycle.db.appeal_repo import action_store
from revcycle.db.denial_repo import denial_store
from revcycle.domain.errors import Conflict
from revcycle.domain.ledger import Party
from revcycle.domain.money import Money
from revcycle.services import denial_actions as actions
from revcycle.services.denial_actions import LineEdit
from tests.integration import conftest as practice
from tests.integration import test_denial_actions as shared
from tests.integration.test_denial_actions import STORES, denied, pdf_text

billing = practice.billing  # the fixtures: a practice ready to bill, and the simulator loop
loop = shared.loop

PPO = Party.payer("SIMPPO")
PTP_HEADER = (
    "Column 1/Column 2 Edits\nColumn 1\tColumn 2\t* = In existence prior to 1996\t"
    "Effective Date\tDeletion Date *=no data\tModifier 0=not allowed 1=allowed "
    "9=not applicable\tPTP Edit Rationale\n"
)


@pytest.fixture
def ncci(tmp_path):
    """The practice's code sets with an NCCI pair loaded: 81002 bundles into 99213 unless a
    distinct-service modifier says otherwise (as the payer's own edit table has it)."""
    path = tmp_path / "ptp.txt"
    path.write_text(PTP_HEADER + "99213\t81002\t\t20200101\t*\t1\tStandards of practice\n")
    return replace(default_codesets(), ptp=load_ptp_file(path))


def remitted(loop, claim_id: int) -> list:
    with loop.ctx.uow() as uow:
        return [c for r in uow.remittances.list() for c in r.claims if c.claim_id == claim_id]


def test_denied_for_a_missing_modifier_then_corrected_claim_is_paid(loop, ncci):
    pt = loop.patient("MM1", ("SIMPPO", "MOD12345"))
    # 81002 is bundled into 99213 by the payer's NCCI table unless it carries 59
    claim_id = loop.bill(
        pt,
        [
            {"procedure": "99213", "pointers": "1"},
            {"procedure": "81002", "pointers": "1", "charge": "15.00"},
        ],
    )
    loop.send(claim_id)
    loop.run(6)
    assert loop.status(claim_id) == "partially_paid"
    denial = denied(loop, claim_id, "97")
    assert denial.line_id is not None

    result = actions.correct(
        loop.ctx,
        denial.id,
        reason="separate urinalysis for a separate problem",
        edits=[LineEdit(2, add_modifiers=("XU",))],
        codesets=ncci,
        **STORES,
    )

    corrected = result.claim
    assert result.action == "replacement" and corrected is not None
    assert corrected.frequency == "7" and corrected.original_claim_id == claim_id
    assert corrected.status == "ready"
    assert result.denial.status == "corrected"
    assert loop.status(claim_id) == "corrected"
    assert "81002 -> 81002 XU" in loop.history(claim_id)
    assert "corrected_claim" in loop.events(denial.id)

    loop.send(corrected.id)
    loop.run(6)

    assert loop.status(corrected.id) == "paid"
    [payment] = [c for c in remitted(loop, corrected.id) if c.status_code == "1"]
    assert all(Money(line["paid"]) > Money.zero() for line in payment.detail["lines"])
    reversal = [c for c in remitted(loop, claim_id) if c.status_code == "22"]
    assert reversal, "the original is reversed in the same 835"


def test_denied_for_medical_necessity_then_appealed_with_records_is_overturned_next_cycle(loop):
    pt = loop.patient("MN1", ("SIMPPO", "1MN0A00AA05"))
    claim_id = loop.bill(pt, [{"procedure": "99214", "pointers": "1,2"}])
    loop.send(claim_id)
    loop.run(6)
    assert loop.status(claim_id) == "denied"
    denial = denied(loop, claim_id, "50")
    assert denial.category == "medical_necessity"

    records = actions.attach(
        loop.ctx,
        denial.id,
        name="progress-notes-2026-06-01.pdf",
        content=b"%PDF-1.4 progress notes: worsening symptoms, failed first-line therapy",
        kind="medical_records",
        **STORES,
    )
    assert records.report_type == "M1" and records.size > 0
    result = actions.appeal(
        loop.ctx,
        denial.id,
        argument="The visit evaluated new chest pain; see the progress notes.",
        attachment_ids=[records.id],
        **STORES,
    )
    appeal = result.appeal
    assert appeal is not None and appeal.level == 1
    assert appeal.level_name == "Internal appeal, level 1" and appeal.deadline is not None
    assert result.denial.status == "appealed" and result.denial.appeal_level == 1
    assert loop.status(claim_id) == "appealed"
    text = pdf_text(result.document or b"")
    for expected in ("CO-50", "medically necessary", "progress-notes-2026-06-01.pdf",
                     "Internal appeal, level 1", "new chest pain"):  # fmt: skip
        assert expected in text, expected
    assert actions.appeal_letter(loop.ctx, appeal.id, store=action_store) == result.document
    with pytest.raises(Conflict):  # one open appeal at a time
        actions.appeal(loop.ctx, denial.id, **STORES)

    sent = actions.submit_appeal(loop.ctx, appeal.id, loop.mailbox, **STORES)
    assert sent.status == "submitted" and sent.file_name.endswith(".appeal")
    before = loop.owed(claim_id, PPO)
    uploads = loop.sim.process_uploads(loop.clock.now())
    assert any("overturned" in u.note for u in uploads), [u.note for u in uploads]
    loop.run(6)

    codes = [c.status_code for c in remitted(loop, claim_id)]
    assert codes == ["4", "1"]  # the denial, then the payment under a new ICN
    assert before == Money("175.00") and loop.owed(claim_id, PPO) == Money.zero()
    assert not loop.ledger(claim_id).check_line_invariants()
    assert loop.status(claim_id) == "paid"  # the appeal's decision came with the 835

    decided = actions.record_outcome(
        loop.ctx, appeal.id, "overturned", recovered=Money("160.00"), **STORES
    )
    assert decided.denial.status == "resolved"
    assert "appeal_overturned" in loop.events(denial.id)


def test_an_appeal_without_records_is_upheld_and_the_next_level_has_its_own_deadline(loop):
    pt = loop.patient("MN2", ("SIMPPO", "1MN0A00AA05"))
    claim_id = loop.bill(pt, [{"procedure": "99213", "pointers": "1"}])
    loop.send(claim_id)
    loop.run(6)
    denial = denied(loop, claim_id, "50")
    first = actions.appeal(loop.ctx, denial.id, **STORES).appeal
    assert first is not None
    actions.submit_appeal(loop.ctx, first.id, loop.mailbox, **STORES)
    uploads = loop.sim.process_uploads(loop.clock.now())
    assert any("upheld" in u.note for u in uploads), [u.note for u in uploads]
    loop.run(6)
    assert loop.status(claim_id) == "appealed"  # no money came

    upheld = actions.record_outcome(loop.ctx, first.id, "upheld", **STORES)
    assert upheld.denial.status == "open"
    second = actions.appeal(loop.ctx, denial.id, argument="Level 2", **STORES).appeal
    assert second is not None and second.level == 2
    assert second.deadline == loop.clock.today() + (second.deadline - loop.clock.today())
    assert second.level_name == "Internal appeal, level 2"


def test_medicare_part_b_is_corrected_through_a_reopening_request(loop):
    claim_id = loop.bill(
        loop.billing.medicare_pt,
        [
            {"procedure": "99213", "pointers": "1"},
            {"procedure": "81002", "pointers": "1", "charge": "15.00"},
        ],
    )
    loop.send(claim_id)
    loop.run(16)
    denial = denied(loop, claim_id, "97")

    result = actions.correct(
        loop.ctx,
        denial.id,
        reason="clerical error: modifier 59 omitted",
        edits=[LineEdit(2, add_modifiers=("59",))],
        **STORES,
    )

    assert result.action == "reopening" and result.claim is None
    assert result.denial.status == "corrected"
    text = pdf_text(result.document or b"")
    assert "reopening" in text.lower() and "81002 59" in text
    with loop.ctx.uow() as uow:
        kinds = [a.kind for a in action_store(uow).attachments(claim_id)]
    assert kinds == ["reopening_request"]
    assert "reopening_requested" in loop.events(denial.id)
    assert loop.denials(claim_id)[0].id == denial.id
    with loop.ctx.uow() as uow:
        assert denial_store(uow).get(denial.id).status == "corrected"
