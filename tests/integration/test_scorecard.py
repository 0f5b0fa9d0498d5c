"""The payer scorecard after a simulator cycle: claims, paid vs expected, underpayments and
days to pay for SIMPPO, from the service and from ``revcycle scorecard --json``."""

import json

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
