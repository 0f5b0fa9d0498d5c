"""The payer scorecard after a simulator cycle: claims, paid vs expected, underpayments and
days to pay for SIMPPO, from the service and from ``revcycle scorecard --json``."""

import json
from dataclasses import replace

from typer.testing import CliRunner

from revcycle.cli.app import app as cli_app
from revcycle.db.underpayment_repo import underpayment_store
from revcycle.services import underpayments
from tests.integration.test_underpayments import CONTRACT, cycle  # noqa: F401


def test_the_scorecard_shows_paid_against_expected_and_the_underpayment(billing, cycle):  # noqa: F811
    cycle(contract=True)
    [score] = [
        s
        for s in underpayments.scorecard(billing.ctx, store=underpayment_store)
        if s.payer_id == "SIMPPO"
    ]
    assert (score.claims_submitted, score.claims_adjudicated, score.claims_denied) == (2, 2, 0)
    assert score.charges_submitted.to_json() == "295.00"  # 120.00 + 175.00
    assert score.expected - score.paid_where_expected == score.underpaid_amount
    assert (score.underpaid_lines, score.underpaid_amount.to_json()) == (1, "5.00")
    assert score.denial_rate == 0
    assert score.days_to_pay_avg is not None and score.days_to_pay_avg >= 0


def test_claims_the_payer_denied_count_as_denied_claims_and_dollars(billing, cycle):  # noqa: F811
    # the simulator denies this member's claims as not medically necessary (CLP02 4)
    cycle(contract=True, member_id="1MN0A00AA05")
    lines = underpayments.list_lines(billing.ctx, store=underpayment_store, outcome=None)
    assert {(ln.status_code, ln.outcome) for ln in lines} == {("4", "denied")}
    assert all(ln.work_item_id is None for ln in lines)  # denials are not underpayments
    [score] = [
        s
        for s in underpayments.scorecard(billing.ctx, store=underpayment_store)
        if s.payer_id == "SIMPPO"
    ]
    assert (score.claims_adjudicated, score.claims_denied) == (2, 2)
    assert score.denied_amount.to_json() == "295.00"  # 120.00 + 175.00, every line denied
    assert score.denial_rate == 1
    assert score.paid.to_json() == "0.00" and score.days_to_pay_avg is None


def test_a_scan_judges_again_denials_recorded_as_not_primary(billing, cycle):  # noqa: F811
    # lines recorded before denied claims were judged: CLP02 4 then meant "not primary"
    cycle(contract=True, member_id="1MN0A00AA05")
    ctx = billing.ctx
    with ctx.uow() as uow:
        repo = underpayment_store(uow)
        for ln in repo.lines(None, None):
            repo.update(replace(ln, outcome=underpayments.NOT_PRIMARY))
        uow.commit()
    assert {
        s.claims_denied
        for s in underpayments.scorecard(ctx, store=underpayment_store)
        if s.payer_id == "SIMPPO"
    } == {0}
    result = underpayments.scan(ctx, store=underpayment_store)
    assert (result.checked, result.underpaid) == (2, 0)
    [score] = [
        s for s in underpayments.scorecard(ctx, store=underpayment_store) if s.payer_id == "SIMPPO"
    ]
    assert (score.claims_denied, score.denied_amount.to_json()) == (2, "295.00")


def test_scorecard_from_the_command_line(billing, cycle, database_url):  # noqa: F811
    cycle(contract=True)
    r = CliRunner().invoke(
        cli_app,
        ["scorecard", "--json", "--db", database_url, "--practice", str(billing.ctx.practice_id)],
    )
    assert r.exit_code == 0, r.output
    [ppo] = [s for s in json.loads(r.stdout) if s["payer_id"] == "SIMPPO"]
    assert ppo["underpaid_amount"] == "5.00"
    listed = CliRunner().invoke(
        cli_app,
        [
            "underpayments",
            "list",
            "--json",
            "--db",
            database_url,
            "--practice",
            str(billing.ctx.practice_id),
        ],
    )
    assert listed.exit_code == 0, listed.output
    assert [ln["variance"] for ln in json.loads(listed.stdout)] == ["5.00"]
