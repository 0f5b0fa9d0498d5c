"""Every documented simulator scenario, end to end through revcycle: claims are entered,
scrubbed, submitted over the clearinghouse mailbox, answered by the simulator (999, 277CA, 835
over 30 simulated days) and the responses applied to the claims."""

from datetime import timedelta

import pytest

from revcycle.payer.mailboxes import ClearinghouseMailboxes
from revcycle.payer.simulator import Simulator
from revcycle.services import charges, claims, inbox, patients, submission
from revcycle.services.scrubbing import scrub_claims
from revcycle.transport import open_mailbox
from tests.conftest import patient_data
from tests.integration.test_submission import SUBMITTER, ctx_factory

# member ID -> (payer, expected claim status, claim status code CLP02 or None, a CARC in the 835)
SCENARIOS = {
    "1TE0A00AA01": ("SIMPPO", "denied", "4", "27"),
    "1UN0A00AA02": ("SIMPPO", "rejected", None, None),
    "1CP0A00AA03": ("SIMPPO", "denied", "4", "22"),
    "1DU0A00AA04": ("SIMPPO", "denied", "4", "18"),
    "1MN0A00AA05": ("SIMPPO", "denied", "4", "50"),
    "1AU0A00AA06": ("SIMPPO", "denied", "4", "197"),
    "1NC0A00AA07": ("SIMPPO", "partially_paid", "1", "97"),
    "1DE0A00AA08": ("SIMPPO", "paid", "1", "1"),
    "1PP0A00AA09": ("SIMPPO", "paid", "1", None),
    "1RC0A00AA10": ("SIMPPO", "paid", "1", None),
    "1EG4TE5MK73": ("SIMMCR", "paid", "19", "253"),
}


@pytest.fixture
def loop(billing, tmp_path, clock):
    root = tmp_path / "clearinghouse"
    with open_mailbox(f"file://{root}?submitter={SUBMITTER}") as mailbox:
        sim = Simulator(tmp_path / "sim", ClearinghouseMailboxes(root), clock.now, seed=3)
        try:
            yield billing, mailbox, sim, clock
        finally:
            sim.close()


def test_every_scenario_member_gets_its_documented_outcome(loop):
    billing, mailbox, sim, clock = loop
    ctx = billing.ctx
    claim_of: dict[str, int] = {}
    for n, (member, (payer, *_)) in enumerate(SCENARIOS.items()):
        p = patients.register_patient(
            ctx,
            patient_data(
                mrn=f"SC{n}", last_name="Scenario", first_name="ABCDEFGHIJKLMNOP"[n] + "nna"
            ),
        )
        patients.add_coverage(
            ctx, p.id, {"payer": payer, "member_id": member, "effective": "2026-01-01"}
        )
        lines = [{"procedure": "99213", "pointers": "1"}]
        if member == "1NC0A00AA07":
            lines.append({"procedure": "93000", "pointers": "2"})
        enc = charges.enter_charges(ctx, billing.encounter(p.id, lines=lines))
        [created] = claims.create_claims(ctx, [enc.id])
        claim_of[member] = created.id
    results = scrub_claims(ctx, list(claim_of.values()))
    assert all(r.clean for r in results), [(r.claim.id, r.findings) for r in results]
    sent = submission.submit(ctx, mailbox)
    assert sent.claim_count == len(SCENARIOS)
    factory = ctx_factory(ctx)
    for _ in range(31):
        sim.step(clock.now())
        inbox.poll(factory, mailbox)
        clock.advance(timedelta(days=1))
    with ctx.uow() as uow:
        remitted: dict[int, list] = {}
        for r in uow.remittances.list():
            for c in r.claims:
                remitted.setdefault(c.claim_id, []).append(c)
    for member, (_, status, clp02, carc) in SCENARIOS.items():
        claim_id = claim_of[member]
        assert claims.get_claim(ctx, claim_id).record.status == status, member
        if clp02 is None:
            assert claim_id not in remitted, member
            continue
        first = remitted[claim_id][0]
        assert first.status_code == clp02, member
        if carc is not None:
            assert f"'{carc}'" in str(first.detail), (member, first.detail)
    # Medicare crossed the claim over (CLP02 19); the Medigap plan answers with its own 835
    assert len(remitted[claim_of["1EG4TE5MK73"]]) >= 2
